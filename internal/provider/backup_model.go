package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// snapshotAttrTypes is the object type of one snapshot in state.
var snapshotAttrTypes = map[string]attr.Type{
	"name":       types.StringType,
	"state":      types.StringType,
	"start_time": types.StringType,
	"failures":   types.ListType{ElemType: types.StringType},
}

// stringList is a list of strings in state; empty, not null, when there are none.
func stringList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// optionalString is null for the empty string.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// timeString is the RFC 3339 form of t in UTC, null when t is unknown.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// snapshotList is the backup's snapshots in part order.
func snapshotList(b backupapi.Backup) types.List {
	elems := make([]attr.Value, len(b.Snapshots))
	for i, s := range b.Snapshots {
		elems[i] = types.ObjectValueMust(snapshotAttrTypes, map[string]attr.Value{
			"name":       types.StringValue(s.Name),
			"state":      optionalString(s.State),
			"start_time": timeString(s.StartTime),
			"failures":   stringList(s.Failures),
		})
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: snapshotAttrTypes}, elems)
}

// backupModel is a backup as the data sources show it.
type backupModel struct {
	BackupID      types.Int64  `tfsdk:"backup_id"`
	State         types.String `tfsdk:"state"`
	FailureReason types.String `tfsdk:"failure_reason"`
	StartTime     types.String `tfsdk:"start_time"`
	SnapshotNames types.List   `tfsdk:"snapshot_names"`
	Snapshots     types.List   `tfsdk:"snapshots"`
}

func newBackupModel(b backupapi.Backup) backupModel {
	return backupModel{
		BackupID:      types.Int64Value(int64(b.ID)),
		State:         types.StringValue(string(b.State)),
		FailureReason: optionalString(b.FailureReason),
		StartTime:     timeString(b.LatestStart()),
		SnapshotNames: stringList(b.SnapshotNames()),
		Snapshots:     snapshotList(b),
	}
}
