package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var (
	_ action.ActionWithConfigure  = &webappRestoreAction{}
	_ action.ActionWithModifyPlan = &webappRestoreAction{}
)

// defaultRestoreTimeout bounds a restore by the action.
const defaultRestoreTimeout = 60 * time.Minute

// webappRestoreAction is the action camunda_webapp_restore: restore the web applications'
// indices from a backup, part by part.
type webappRestoreAction struct {
	backend *backend
}

func newWebappRestoreAction() action.Action { return &webappRestoreAction{} }

type webappRestoreModel struct {
	BackupID        types.Number `tfsdk:"backup_id"`
	ConfirmBackupID types.Number `tfsdk:"confirm_backup_id"`
	Timeout         types.String `tfsdk:"timeout"`
	WholeSet        types.Bool   `tfsdk:"whole_set"`
}

// Metadata names the action.
func (a *webappRestoreAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_restore"
}

// Schema describes the action.
func (a *webappRestoreAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Restores the Camunda 8 web applications' indices from a backup, with the `elasticsearch` backend. " +
			"It checks that the backup is `COMPLETED` and was taken by the configured `version`, then, for each part in order, " +
			"deletes the indices that the part holds (only those: other indices are never touched), restores the part with its " +
			"aliases, waits until its shards are recovered and checks each index. It stops at the first failure and says " +
			"what was restored and what was not. **It deletes data**: it runs only when `confirm_backup_id` equals " +
			"`backup_id`, and the plan lists the indices it will delete. Stop the web applications (and Zeebe, whose own " +
			"restore runs on the brokers) before invoking it. Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"backup_id": schema.NumberAttribute{
				MarkdownDescription: "The id of the backup to restore.",
				Required:            true,
				Validators:          []validator.Number{backupIDValidator{}},
			},
			"confirm_backup_id": schema.NumberAttribute{
				MarkdownDescription: "The same id again, to confirm that the indices of the backup's parts are to be replaced.",
				Required:            true,
				Validators:          []validator.Number{backupIDValidator{}},
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: "How long the whole restore may take, as a duration such as `2h`. Defaults to `60m`.",
				Optional:            true,
				Validators:          []validator.String{validDuration()},
			},
			"whole_set": schema.BoolAttribute{
				MarkdownDescription: "Also restore, after the web applications' parts, the other Elasticsearch snapshots of a whole " +
					"Camunda backup under the same id (`camunda_backup`): Optimize's two parts and the zeebe-record snapshot, those " +
					"that exist in the repository, each the same way. Defaults to `false`.",
				Optional: true,
			},
		},
	}
}

// Configure receives the provider's backend.
func (a *webappRestoreAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// check reads the configuration and checks that the restore may run: the confirmation, and an
// Elasticsearch backend.
func (a *webappRestoreAction) check(m webappRestoreModel) (backupapi.ID, error) {
	id, err := backupIDOf(m.BackupID)
	if err != nil {
		return 0, err
	}
	if confirm, err := backupIDOf(m.ConfirmBackupID); err != nil || confirm != id {
		return 0, fmt.Errorf("confirm_backup_id must equal backup_id (%s): the restore deletes the indices of the backup's parts", id)
	}
	if a.backend == nil || a.backend.restorer == nil {
		return 0, errors.New("restoring needs the provider's elasticsearch block: the web applications' actuator API has no restore")
	}
	return id, nil
}

// restoreOptions are the options of the restore procedure for the configuration.
func (a *webappRestoreAction) restoreOptions(m webappRestoreModel) procedure.RestoreOptions {
	return procedure.RestoreOptions{Version: a.backend.version, WholeSet: m.WholeSet.ValueBool()}
}

// ModifyPlan shows, at plan time, what the restore will delete.
func (a *webappRestoreAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m webappRestoreModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.BackupID.IsUnknown() || m.ConfirmBackupID.IsUnknown() || a.backend == nil {
		return
	}
	id, err := a.check(m)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("confirm_backup_id"), "Restore Not Confirmed", err.Error())
		return
	}
	plan, err := procedure.PlanRestore(ctx, a.backend.restorer, id, a.restoreOptions(m))
	if err != nil {
		addBackupError(&resp.Diagnostics, "planning the restore of backup "+id.String(), err)
		return
	}
	resp.Diagnostics.AddWarning(fmt.Sprintf("Restoring Backup %s Deletes These Indices", id),
		"The restore replaces, part by part, the indices that the backup holds. These indices are deleted and restored:\n\n"+plan.Deletes())
}

// Invoke restores the backup.
func (a *webappRestoreAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m webappRestoreModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := a.check(m)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("confirm_backup_id"), "Restore Not Confirmed", err.Error())
		return
	}
	timeout := durationOr(m.Timeout, defaultRestoreTimeout, path.Root("timeout"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := actionProgress(ctx, resp)
	plan, err := procedure.PlanRestore(ctx, a.backend.restorer, id, a.restoreOptions(m))
	if err != nil {
		addBackupError(&resp.Diagnostics, "planning the restore of backup "+id.String(), err)
		return
	}
	progress(fmt.Sprintf("backup %s: restoring %d parts", id, len(plan.Parts)))
	if _, err := procedure.Restore(ctx, a.backend.restorer, plan, progress); err != nil {
		var stopped *procedure.RestoreError
		if errors.As(err, &stopped) {
			resp.Diagnostics.AddError("Restore Stopped", fmt.Sprintf("Backup %s: %s", id, err))
			return
		}
		addBackupError(&resp.Diagnostics, "restoring backup "+id.String(), err)
		return
	}
	progress(fmt.Sprintf("backup %s: restored. If the id is also a backup of Zeebe, restore the brokers from it before starting them: "+
		"on each broker, with the same node id and partition count, run `restore --backupId=%s` (Camunda's restore application); "+
		"then start Zeebe and the web applications.", id, id))
}
