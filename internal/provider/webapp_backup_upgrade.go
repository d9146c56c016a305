package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// webappBackupStateV0 is camunda_webapp_backup's state of schema version 0, as Terraform
// stores it in JSON.
type webappBackupStateV0 struct {
	ID                 string              `json:"id"`
	BackupID           json.Number         `json:"backup_id"`
	WaitForCompletion  *bool               `json:"wait_for_completion"`
	DeleteOnDestroy    *bool               `json:"delete_on_destroy"`
	State              *string             `json:"state"`
	FailureReason      *string             `json:"failure_reason"`
	ScheduledSnapshots []string            `json:"scheduled_snapshots"`
	Snapshots          []snapshotStateV0   `json:"snapshots"`
	Repository         *string             `json:"repository"`
	Timeouts           *map[string]*string `json:"timeouts"`
}

type snapshotStateV0 struct {
	Name      string  `json:"name"`
	StartTime *string `json:"start_time"`
}

// UpgradeState moves a state of version 0 to the current schema: the snapshot names stay (the
// snapshots found, or the ones scheduled), per-snapshot details leave the state (the data
// sources have them), and the start time is the first snapshot's. Version 0 defaulted
// delete_on_destroy to true; a state keeps the value it had, so a configuration that does not
// set it plans the change to the new default, false, in place.
func (r *webappBackupResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradeWebappBackupV0}}
}

func upgradeWebappBackupV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot Upgrade the State", "The stored state of camunda_webapp_backup has no JSON form.")
		return
	}
	var old webappBackupStateV0
	if err := json.Unmarshal(req.RawState.JSON, &old); err != nil {
		resp.Diagnostics.AddError("Cannot Upgrade the State", fmt.Sprintf("Reading the state of version 0: %s.", err))
		return
	}
	n, ok := new(big.Float).SetString(old.BackupID.String())
	if !ok {
		resp.Diagnostics.AddError("Cannot Upgrade the State", fmt.Sprintf("The stored backup_id %q is not a number.", old.BackupID))
		return
	}
	id, err := backupIDOf(types.NumberValue(n))
	if err != nil {
		resp.Diagnostics.AddError("Cannot Upgrade the State", err.Error())
		return
	}
	names := old.ScheduledSnapshots
	start := types.StringNull()
	if len(old.Snapshots) >= len(names) {
		names = make([]string, len(old.Snapshots))
		for i, s := range old.Snapshots {
			names[i] = s.Name
		}
	}
	for _, s := range old.Snapshots {
		if s.StartTime != nil && (start.IsNull() || *s.StartTime < start.ValueString()) {
			start = types.StringValue(*s.StartTime)
		}
	}
	m := webappBackupModel{
		ID:                types.StringValue(id.String()),
		BackupID:          backupIDNumber(id),
		WaitForCompletion: types.BoolPointerValue(old.WaitForCompletion),
		DeleteOnDestroy:   types.BoolPointerValue(old.DeleteOnDestroy),
		State:             types.StringPointerValue(old.State),
		FailureReason:     types.StringPointerValue(old.FailureReason),
		SnapshotNames:     stringList(names),
		Repository:        types.StringPointerValue(old.Repository),
		StartTime:         start,
		EndTime:           types.StringNull(), // the refresh that follows the upgrade fills it
		Timeouts:          timeoutsValue(old.Timeouts),
	}
	if m.WaitForCompletion.IsNull() {
		m.WaitForCompletion = types.BoolValue(true)
	}
	if m.DeleteOnDestroy.IsNull() {
		m.DeleteOnDestroy = types.BoolValue(true)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// timeoutsValue is the timeouts block of a stored state.
func timeoutsValue(stored *map[string]*string) timeouts.Value {
	objectTypes := map[string]attr.Type{"create": types.StringType, "delete": types.StringType}
	if stored == nil {
		return timeouts.Value{Object: types.ObjectNull(objectTypes)}
	}
	values := map[string]attr.Value{"create": types.StringNull(), "delete": types.StringNull()}
	for k, v := range *stored {
		if _, ok := values[k]; ok {
			values[k] = types.StringPointerValue(v)
		}
	}
	return timeouts.Value{Object: types.ObjectValueMust(objectTypes, values)}
}
