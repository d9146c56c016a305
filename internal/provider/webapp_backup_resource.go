package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

var (
	_ resource.Resource                = &webappBackupResource{}
	_ resource.ResourceWithConfigure   = &webappBackupResource{}
	_ resource.ResourceWithImportState = &webappBackupResource{}
)

// Default timeouts of camunda_webapp_backup.
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// webappBackupResource is camunda_webapp_backup: one backup of the web applications.
type webappBackupResource struct {
	backend *backend
}

func newWebappBackupResource() resource.Resource { return &webappBackupResource{} }

// webappBackupModel is the state of camunda_webapp_backup.
type webappBackupModel struct {
	ID                 types.String   `tfsdk:"id"`
	BackupID           types.Int64    `tfsdk:"backup_id"`
	WaitForCompletion  types.Bool     `tfsdk:"wait_for_completion"`
	DeleteOnDestroy    types.Bool     `tfsdk:"delete_on_destroy"`
	State              types.String   `tfsdk:"state"`
	FailureReason      types.String   `tfsdk:"failure_reason"`
	ScheduledSnapshots types.List     `tfsdk:"scheduled_snapshots"`
	Snapshots          types.List     `tfsdk:"snapshots"`
	Repository         types.String   `tfsdk:"repository"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// setBackup records what the API reports about the backup.
func (m *webappBackupModel) setBackup(b backupapi.Backup, repository string) {
	m.ID = types.StringValue(b.ID.String())
	m.BackupID = types.Int64Value(int64(b.ID))
	m.State = types.StringValue(string(b.State))
	m.FailureReason = optionalString(b.FailureReason)
	m.Snapshots = snapshotList(b)
	m.Repository = optionalString(repository)
	if m.ScheduledSnapshots.IsNull() || m.ScheduledSnapshots.IsUnknown() {
		m.ScheduledSnapshots = stringList(b.SnapshotNames()) // imported: the parts that exist
	}
}

// Metadata names the resource.
func (r *webappBackupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_backup"
}

// Configure receives the provider's backend.
func (r *webappBackupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Create starts the backup and, when asked (always with the Elasticsearch backend), waits
// until it has finished. The backup is in state from the moment it started, so that a failure
// or a timeout leaves it tainted rather than unknown to Terraform.
func (r *webappBackupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan webappBackupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := backupapi.ID(plan.BackupID.ValueInt64())
	start := r.backend.poll.now()
	names, err := r.backend.client.Create(ctx, id)
	if err != nil {
		addBackupError(&resp.Diagnostics, "creating backup "+id.String(), err)
		return
	}
	tflog.Info(ctx, fmt.Sprintf("backup %s started: %d parts scheduled", id, len(names)), map[string]any{"backup_id": int64(id)})
	plan.ScheduledSnapshots = stringList(names)
	plan.setBackup(backupapi.Backup{ID: id, State: backupapi.StateInProgress}, r.backend.repository)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	if !plan.WaitForCompletion.ValueBool() && !r.backend.partsInProvider {
		if b, err := r.backend.client.Get(ctx, id); err == nil {
			plan.setBackup(b, r.backend.repository)
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}
	if !plan.WaitForCompletion.ValueBool() {
		resp.Diagnostics.AddAttributeWarning(path.Root("wait_for_completion"), "Waiting for the Backup Anyway",
			"With the elasticsearch backend the provider itself takes the parts of the backup one after another, "+
				"so it waits until the backup has finished: the parts would stop with the Terraform run otherwise.")
	}

	b, err := r.waitForBackup(ctx, id, start)
	if b.ID != 0 {
		plan.setBackup(b, r.backend.repository)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
	switch {
	case ctx.Err() != nil:
		resp.Diagnostics.AddError("Backup Not Finished Within the Create Timeout", r.timeoutDetail(id, timeout, b))
	case err != nil:
		addBackupError(&resp.Diagnostics, "waiting for backup "+id.String(), err)
	case b.State != backupapi.StateCompleted:
		resp.Diagnostics.AddError("Backup "+string(b.State), failureDetail(b))
	default:
		tflog.Info(ctx, fmt.Sprintf("backup %s completed in %s", id, r.backend.poll.now().Sub(start).Round(time.Millisecond)))
	}
}

// notSeenLimit is how long a backup just created may stay invisible to Get (its first part
// not yet registered) before waiting gives up.
const notSeenLimit = time.Minute

// waitForBackup polls the backup until its state is terminal, logging each part as it
// finishes. It returns the last state seen (zero when none was).
func (r *webappBackupResource) waitForBackup(ctx context.Context, id backupapi.ID, start time.Time) (backupapi.Backup, error) {
	var last backupapi.Backup
	logged := map[string]bool{}
	err := r.backend.poll.until(ctx, start, func(ctx context.Context) (bool, error) {
		b, err := r.backend.client.Get(ctx, id)
		if errors.Is(err, backupapi.ErrNotFound) && last.ID == 0 && r.backend.poll.now().Sub(start) < notSeenLimit {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = b
		logFinishedParts(ctx, b, logged)
		return b.State.Terminal(), nil
	})
	return last, err
}

// logFinishedParts logs, once each, the parts that have finished.
func logFinishedParts(ctx context.Context, b backupapi.Backup, logged map[string]bool) {
	for _, s := range b.Snapshots {
		if s.State == "" || backupapi.SnapshotRunning(s.State) || logged[s.Name] {
			continue
		}
		logged[s.Name] = true
		tflog.Info(ctx, fmt.Sprintf("backup %s: part %d of %d finished: %s", b.ID, s.Metadata.PartNo, s.Metadata.PartCount, s.State),
			map[string]any{"backup_id": int64(b.ID), "snapshot": s.Name, "snapshot_state": s.State})
	}
}

// failureDetail explains a backup that ended in another state than COMPLETED.
func failureDetail(b backupapi.Backup) string {
	detail := fmt.Sprintf("Backup %s ended %s.", b.ID, b.State)
	if b.FailureReason != "" {
		detail += " " + b.FailureReason
	}
	for _, s := range b.Snapshots {
		if s.State != backupapi.SnapshotSuccess {
			detail += fmt.Sprintf("\n  %s: %s", s.Name, s.State)
			for _, f := range s.Failures {
				detail += "\n    " + f
			}
		}
	}
	return detail + "\n\nThe backup is kept in the Terraform state as tainted: the next apply deletes it and takes it again."
}

// timeoutDetail explains a create timeout: what is known and how to go on.
func (r *webappBackupResource) timeoutDetail(id backupapi.ID, timeout time.Duration, b backupapi.Backup) string {
	state := "not yet visible"
	if b.ID != 0 {
		state = string(b.State)
	}
	detail := fmt.Sprintf("Backup %s did not finish within %s; its last known state is %s.", id, timeout, state)
	if r.backend.partsInProvider {
		return detail + " With the elasticsearch backend the parts not yet started will not be taken, so the backup will " +
			"not complete. It is kept in the state as tainted: the next apply deletes it and takes it again. " +
			"Raise timeouts.create (e.g. timeouts { create = \"60m\" }) if backups take this long."
	}
	return detail + " The backup continues in the background. It is kept in the state as tainted: once it has completed, " +
		"run `terraform untaint` on the resource to keep it; otherwise the next apply deletes it and takes it again. " +
		"Raise timeouts.create (e.g. timeouts { create = \"60m\" }) if backups take this long."
}

// Read refreshes the backup. A backup deleted outside Terraform leaves the state, so that the
// next plan takes it again.
func (r *webappBackupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state webappBackupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := backupapi.ID(state.BackupID.ValueInt64())
	b, err := r.backend.client.Get(ctx, id)
	if errors.Is(err, backupapi.ErrNotFound) {
		tflog.Warn(ctx, fmt.Sprintf("backup %s no longer exists; removing it from the state", id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addBackupError(&resp.Diagnostics, "reading backup "+id.String(), err)
		return
	}
	state.setBackup(b, r.backend.repository)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes what only Terraform uses (wait_for_completion, delete_on_destroy, timeouts):
// the backup itself is never changed.
func (r *webappBackupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan webappBackupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete deletes the snapshots (a backup already gone counts as deleted) and, when asked,
// waits until they are gone. With delete_on_destroy = false it only forgets the backup.
func (r *webappBackupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state webappBackupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := backupapi.ID(state.BackupID.ValueInt64())
	if !state.DeleteOnDestroy.ValueBool() {
		tflog.Info(ctx, fmt.Sprintf("delete_on_destroy is false: keeping the snapshots of backup %s, removing it from the state only", id))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := r.backend.poll.now()
	err := r.backend.client.Delete(ctx, id)
	if errors.Is(err, backupapi.ErrNotFound) {
		return
	}
	if err != nil {
		addBackupError(&resp.Diagnostics, "deleting backup "+id.String(), err)
		return
	}
	tflog.Info(ctx, fmt.Sprintf("deleting backup %s", id))
	if !state.WaitForCompletion.ValueBool() {
		return
	}
	err = r.backend.poll.until(ctx, start, func(ctx context.Context) (bool, error) {
		_, err := r.backend.client.Get(ctx, id)
		if errors.Is(err, backupapi.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
	if err != nil {
		addBackupError(&resp.Diagnostics, "waiting for the deletion of backup "+id.String(), err)
	}
}

// ImportState imports a backup by its id. Importing a backup that does not exist fails when
// the following read finds nothing.
func (r *webappBackupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := backupapi.ParseID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id of camunda_webapp_backup is the backup id, a positive integer: %s", err))
		return
	}
	for name, v := range map[string]any{
		"id": types.StringValue(id.String()), "backup_id": types.Int64Value(int64(id)),
		"wait_for_completion": types.BoolValue(true), "delete_on_destroy": types.BoolValue(true),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}
