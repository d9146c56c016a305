package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

// backupActionConfig is the configuration the backup actions share (camunda_webapp_backup and
// camunda_backup): the id, how long the action may take, and the retention policy.
type backupActionConfig struct {
	BackupID   types.Number `tfsdk:"backup_id"`
	Timeout    types.String `tfsdk:"timeout"`
	KeepLast   types.Int64  `tfsdk:"keep_last"`
	KeepWithin types.String `tfsdk:"keep_within"`
}

// settings reads the configuration: the given id (0 when a new one is to be chosen), the
// timeout and the retention policy. Errors go to diags, on the attribute at fault.
func (c backupActionConfig) settings(diags *diag.Diagnostics) (backupapi.ID, time.Duration, backupapi.Retention) {
	timeout := durationOr(c.Timeout, defaultActionTimeout, path.Root("timeout"), diags)
	policy := backupapi.Retention{KeepLast: int(c.KeepLast.ValueInt64())}
	policy.KeepWithin = durationOr(c.KeepWithin, 0, path.Root("keep_within"), diags)
	var id backupapi.ID
	if !c.BackupID.IsNull() {
		given, err := backupIDOf(c.BackupID)
		if err != nil {
			diags.AddAttributeError(path.Root("backup_id"), "Invalid Backup ID", err.Error())
		}
		id = given
	}
	return id, timeout, policy
}

// reportRetention reports what a retention policy deleted after backup id (what names the
// things pruned: "backups", "sets"): in the progress, or as an error with what was deleted
// before it.
func reportRetention(diags *diag.Diagnostics, progress procedure.Progress, what string, id backupapi.ID,
	policy backupapi.Retention, deleted []backupapi.ID, err error) {
	if err != nil {
		addBackupError(diags, fmt.Sprintf("applying the retention policy after %s (%s deleted so far: %s)", id, what, idList(deleted)), err)
		return
	}
	if policy.Enabled() {
		progress(fmt.Sprintf("retention: %d %s deleted (%s)", len(deleted), what, idList(deleted)))
	}
}
