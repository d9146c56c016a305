package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var _ action.ActionWithConfigure = &webappBackupAction{}

// defaultActionTimeout bounds a backup taken by the action, its wait for a running backup and
// its retention included.
const defaultActionTimeout = 30 * time.Minute

// webappBackupAction is the action camunda_webapp_backup: take a backup now, and optionally
// prune old ones.
type webappBackupAction struct {
	backend *backend
}

func newWebappBackupAction() action.Action { return &webappBackupAction{} }

type webappBackupActionModel struct {
	backupActionConfig
}

// Metadata names the action.
func (a *webappBackupAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_backup"
}

// Schema describes the action.
func (a *webappBackupAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Takes a backup of the Camunda 8 web applications now and waits until it has completed, " +
			"reporting each part as it finishes. Invoke it with `terraform apply -invoke=action.camunda_webapp_backup.NAME`, " +
			"or from an `action_trigger` of another resource, e.g. `before_update` of the Camunda release, so that every " +
			"upgrade is preceded by a backup and a failed backup stops the upgrade. It waits its turn behind a backup " +
			"that is already running. With `keep_last` or `keep_within` it then deletes older backups beyond the policy, " +
			"never the newest completed one. Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"backup_id": schema.NumberAttribute{
				MarkdownDescription: "The id of the new backup. Defaults to a new id: the current Unix time in seconds, or " +
					"one more than the largest existing backup id when that is larger (Camunda asks for ids that only grow). " +
					"The id is reported in the progress.",
				Optional:   true,
				Validators: []validator.Number{backupIDValidator{}},
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: "How long the backup may take, its wait behind a running backup and the retention " +
					"included, as a duration such as `60m`. Defaults to `30m`.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
			"keep_last": schema.Int64Attribute{
				MarkdownDescription: "After a completed backup, keep this many newest completed backups and delete older " +
					"ones (unless `keep_within` keeps them). Backups that are not restorable and older than the newest " +
					"completed one are deleted too; a backup still running is never deleted.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"keep_within": schema.StringAttribute{
				MarkdownDescription: "After a completed backup, keep every backup that started within this duration " +
					"(e.g. `168h` for a week) and delete older ones (unless `keep_last` keeps them). The newest completed " +
					"backup is always kept.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
		},
	}
}

// Configure receives the provider's backend.
func (a *webappBackupAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Invoke takes the backup, then applies the retention policy when one is given.
func (a *webappBackupAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m webappBackupActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, timeout, policy := m.settings(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := actionProgress(ctx, resp)
	w := a.backend.webapp()

	taken, err := w.Take(ctx, id, procedure.TakeOptions{Wait: true, Progress: progress, NewID: m.BackupID.IsNull()})
	id = taken.ID
	if taken.Replaced != nil {
		resp.Diagnostics.AddWarning("Broken Backup Replaced",
			fmt.Sprintf("Backup %s already existed in state %s and could never be restored; its snapshots were deleted and the backup was taken again.",
				id, taken.Replaced.State))
	}
	if err != nil {
		addProcedureError(&resp.Diagnostics, id, timeout, err)
		return
	}
	deleted, err := w.Prune(ctx, policy, progress, id)
	reportRetention(&resp.Diagnostics, progress, "backups", id, policy, deleted, err)
}

// actionProgress sends each step both to Terraform's progress output and to its log.
func actionProgress(ctx context.Context, resp *action.InvokeResponse) procedure.Progress {
	return func(msg string) {
		tflog.Info(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
}

// addProcedureError explains why a backup procedure failed.
func addProcedureError(diags *diag.Diagnostics, id backupapi.ID, timeout time.Duration, err error) {
	var failed *procedure.FailedError
	var stopped *procedure.TimeoutError
	switch {
	case errors.As(err, &failed):
		diags.AddError("Backup "+string(failed.Backup.State), err.Error())
	case errors.As(err, &stopped):
		diags.AddError("Backup Not Finished Within the Timeout",
			fmt.Sprintf("Within %s: %s. Raise the action's timeout if backups take this long.", timeout, err))
	case id == 0:
		addBackupError(diags, "taking a backup under a new id", err)
	default:
		addBackupError(diags, "taking backup "+id.String(), err)
	}
}

// idList is ids joined for a message; "none" when empty.
func idList(ids []backupapi.ID) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}
