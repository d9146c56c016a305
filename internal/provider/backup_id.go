package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Backup ids are whole numbers. They are declared as numbers rather than Int64 in the schemas
// that take them from a configuration, so that a value such as 2.5 meets this validator and its
// message on the attribute, not the framework's conversion error that asks to report a bug.

// backupIDValidator accepts a whole number from 1 to the largest 64-bit integer.
type backupIDValidator struct{}

func (backupIDValidator) Description(context.Context) string {
	return "a whole number from 1 to 9223372036854775807"
}

func (v backupIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (backupIDValidator) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := backupIDOf(req.ConfigValue); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Backup ID", err.Error())
	}
}

// backupIDOf converts a known number to a backup id.
func backupIDOf(n types.Number) (backupapi.ID, error) {
	f := n.ValueBigFloat()
	if f == nil {
		return 0, fmt.Errorf("the backup id is not set")
	}
	if !f.IsInt() {
		return 0, fmt.Errorf("backup ids are whole numbers; %s is not", f.Text('g', -1))
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < 1 {
		return 0, fmt.Errorf("backup ids go from 1 to %d; %s is out of range", int64(math.MaxInt64), f.Text('f', 0))
	}
	return backupapi.ID(i), nil
}

// backupIDNumber is id as a number value.
func backupIDNumber(id backupapi.ID) types.Number {
	return types.NumberValue(new(big.Float).SetInt64(int64(id)))
}

// backupIdentity is the resource identity of a backup and of a backup set: its id.
type backupIdentity struct {
	BackupID types.Int64 `tfsdk:"backup_id"`
}

// identityOf is the identity of backup id.
func identityOf(id backupapi.ID) backupIdentity {
	return backupIdentity{BackupID: types.Int64Value(int64(id))}
}

// updateSettings is the Update of the backup resources: only settings that Terraform alone uses
// change, so the plan becomes the state, with the identity of its backup id.
func updateSettings[M any](ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, backupID func(M) types.Number) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if id, err := backupIDOf(backupID(plan)); err == nil {
		resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
	}
}

// importedID is the backup id an import names: the import id, or the identity's backup_id.
// Errors go to resp; ok is false after one.
func importedID(ctx context.Context, typeName string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) (backupapi.ID, bool) {
	if req.ID != "" {
		id, err := backupapi.ParseID(req.ID)
		if err != nil {
			resp.Diagnostics.AddError("Invalid Import ID",
				fmt.Sprintf("The import id of %s is the backup id, a positive integer: %s", typeName, err))
			return 0, false
		}
		return id, true
	}
	var identity backupIdentity
	resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
	if resp.Diagnostics.HasError() {
		return 0, false
	}
	id := backupapi.ID(identity.BackupID.ValueInt64())
	if err := id.Validate(); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("backup_id"), "Invalid Import Identity", err.Error())
		return 0, false
	}
	return id, true
}
