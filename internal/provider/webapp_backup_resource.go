package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var (
	_ resource.ResourceWithConfigure    = &webappBackupResource{}
	_ resource.ResourceWithImportState  = &webappBackupResource{}
	_ resource.ResourceWithIdentity     = &webappBackupResource{}
	_ resource.ResourceWithModifyPlan   = &webappBackupResource{}
	_ resource.ResourceWithUpgradeState = &webappBackupResource{}
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
	ID                types.String   `tfsdk:"id"`
	BackupID          types.Number   `tfsdk:"backup_id"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	DeleteOnDestroy   types.Bool     `tfsdk:"delete_on_destroy"`
	State             types.String   `tfsdk:"state"`
	FailureReason     types.String   `tfsdk:"failure_reason"`
	SnapshotNames     types.List     `tfsdk:"snapshot_names"`
	Repository        types.String   `tfsdk:"repository"`
	StartTime         types.String   `tfsdk:"start_time"`
	EndTime           types.String   `tfsdk:"end_time"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// setBackup records what the backend reports about the backup. scheduled are the names of the
// parts it was scheduled to take, used while the backup has fewer snapshots than that.
func (m *webappBackupModel) setBackup(b backupapi.Backup, repository string, scheduled []string) {
	m.ID = types.StringValue(b.ID.String())
	m.BackupID = backupIDNumber(b.ID)
	m.State = types.StringValue(string(b.State))
	m.FailureReason = optionalString(b.FailureReason)
	names := b.SnapshotNames()
	if len(scheduled) > len(names) {
		names = scheduled
	}
	m.SnapshotNames = stringList(names)
	m.Repository = optionalString(repository)
	m.StartTime = timeString(b.EarliestStart())
	m.EndTime = types.StringNull()
	if b.State.Terminal() {
		m.EndTime = timeString(b.LatestEnd())
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

// Create takes the backup (see procedure.Webapp.Take) and, when asked (always with the
// Elasticsearch backend), waits until it has finished. A backup that started is in the state
// whatever happens next, so that a failure or a timeout leaves it tainted rather than unknown
// to Terraform.
func (r *webappBackupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan webappBackupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := backupIDOf(plan.BackupID)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("backup_id"), "Invalid Backup ID", err.Error())
		return
	}
	wait := plan.WaitForCompletion.ValueBool() || r.backend.partsInProvider
	if !plan.WaitForCompletion.ValueBool() && r.backend.partsInProvider {
		resp.Diagnostics.AddAttributeWarning(path.Root("wait_for_completion"), "Waiting for the Backup Anyway",
			"With the elasticsearch backend the provider itself takes the parts of the backup one after another, "+
				"so it waits until the backup has finished: the parts would stop with the Terraform run otherwise.")
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A replacement under the same id: this run's destroy kept the backup, which this create
	// takes over rather than fail on it (and leave it out of the state), unless the
	// configuration now asks for delete_on_destroy: the destroy read the earlier value from
	// the state, and the replacement is then taken afresh.
	adopt := r.backend.kept.claim("camunda_webapp_backup", id)
	if adopt && plan.DeleteOnDestroy.ValueBool() {
		if err := r.backend.webapp().Delete(callCtx, id); err != nil {
			addBackupError(&resp.Diagnostics, fmt.Sprintf("deleting backup %s, kept by this run's destroy, to take it again", id), err)
			r.keepInState(ctx, id, &plan, resp)
			return
		}
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup %s Deleted and Taken Again", id),
			fmt.Sprintf("This run's destroy kept backup %s (delete_on_destroy was false in the state); the configuration sets "+
				"delete_on_destroy = true, so the replacement deleted it and took the backup again.", id))
		adopt = false
	}
	taken, err := r.backend.webapp().Take(callCtx, id, procedure.TakeOptions{Wait: wait, Progress: logProgress(ctx, id),
		Adopt: adopt, AdoptOnlyFinished: r.backend.partsInProvider})
	if taken.Adopted {
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup %s Adopted", id),
			fmt.Sprintf("This run's destroy of the resource kept backup %s (delete_on_destroy = false), so it could not be taken again "+
				"under the same id: the resource holds the backup that stands under it, as it is. To take a fresh backup instead, set "+
				"delete_on_destroy = true and replace the resource again (the replacement then deletes it first), or choose another "+
				"backup_id.", id))
	}
	if taken.Replaced != nil {
		resp.Diagnostics.AddWarning("Broken Backup Replaced",
			fmt.Sprintf("Backup %s already existed in state %s and could never be restored; its snapshots (%s) were deleted "+
				"and the backup was taken again.", id, taken.Replaced.State, strings.Join(taken.Replaced.SnapshotNames(), ", ")))
	}
	if adopt && err != nil && taken.Scheduled == nil {
		// Nothing was taken or adopted: the kept backup stays in the state all the same.
		r.keepInState(ctx, id, &plan, resp)
		r.addTakeError(&resp.Diagnostics, id, timeout, false, err)
		return
	}
	if taken.Scheduled != nil {
		b := taken.Backup
		if b.ID == 0 {
			b = backupapi.Backup{ID: id, State: backupapi.StateInProgress}
		}
		plan.setBackup(b, r.backend.repository, taken.Scheduled)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
	}
	if err != nil {
		r.addTakeError(&resp.Diagnostics, id, timeout, taken.Adopted, err)
	}
}

// keepInState records backup id as the backend reports it, when it can be read: a create
// that failed on a backup this run's destroy kept leaves it in the state (tainted).
func (r *webappBackupResource) keepInState(ctx context.Context, id backupapi.ID, plan *webappBackupModel, resp *resource.CreateResponse) {
	b, err := r.backend.client.Get(context.WithoutCancel(ctx), id)
	if err != nil {
		return
	}
	plan.setBackup(b, r.backend.repository, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
}

// logProgress sends the steps of a backup to Terraform's log.
func logProgress(ctx context.Context, id backupapi.ID) procedure.Progress {
	return func(msg string) {
		tflog.Info(ctx, msg, map[string]any{"backup_id": id.String()})
	}
}

// addTakeError explains why taking a backup failed.
func (r *webappBackupResource) addTakeError(diags *diag.Diagnostics, id backupapi.ID, timeout time.Duration, adopted bool, err error) {
	var failed *procedure.FailedError
	var stopped *procedure.TimeoutError
	switch {
	case adopted && errors.As(err, &failed):
		diags.AddError("Backup "+string(failed.Backup.State), err.Error()+
			"\n\nThis backup stood under the id and was kept by this run's destroy (delete_on_destroy = false), so it was not "+
			"taken again: it is kept in the Terraform state as tainted. Set delete_on_destroy = true and apply: the replacement "+
			"then deletes it and takes the backup afresh. Or choose another backup_id.")
	case errors.As(err, &failed):
		diags.AddError("Backup "+string(failed.Backup.State), err.Error()+
			"\n\nThe backup is kept in the Terraform state as tainted: the next apply replaces it.")
	case errors.As(err, &stopped):
		diags.AddError("Backup Not Finished Within the Create Timeout", r.timeoutDetail(id, timeout, stopped))
	default:
		addBackupError(diags, "creating backup "+id.String(), err)
	}
}

// timeoutDetail explains a create timeout: what is known and how to go on.
func (r *webappBackupResource) timeoutDetail(id backupapi.ID, timeout time.Duration, err *procedure.TimeoutError) string {
	detail := fmt.Sprintf("Within timeouts.create (%s): %s.", timeout, err)
	raise := " Raise timeouts.create (e.g. timeouts { create = \"60m\" }) if backups take this long."
	if !err.Started {
		return detail + " Nothing was added to the state." + raise
	}
	if r.backend.partsInProvider {
		return detail + " With the elasticsearch backend the parts not yet started will not be taken, so backup " + id.String() +
			" will not complete. It is kept in the state as tainted: the next apply replaces it." + raise
	}
	return detail + " The backup continues in the background. It is kept in the state as tainted, and the next apply " +
		"replaces it: with delete_on_destroy = false (the default) the replacement takes over the backup under the id and " +
		"follows it until it has finished, with delete_on_destroy = true it takes the backup afresh. `terraform untaint` keeps " +
		"it without a replacement." + raise
}

// Read refreshes the backup (see refresh).
func (r *webappBackupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	out := r.refresh(ctx, req.State.Raw)
	resp.Diagnostics.Append(out.Diagnostics...)
	if out.HasID && resp.Identity != nil {
		resp.Identity.Raw = identityRaw(resp.Identity.Raw.Type(), int64(out.ID))
	}
	resp.State.Raw = out.State
}

// refreshed is what the refresh of one camunda_webapp_backup found.
type refreshed struct {
	// State is the new state: the current one on error, a null value when the backup is gone.
	State tftypes.Value
	// ID is the backup's id, valid when HasID: the identity is set from it on every path,
	// also for a backup that leaves the state, as the framework requires after a read.
	ID    backupapi.ID
	HasID bool
	// Diagnostics are the errors and warnings of the refresh.
	Diagnostics diag.Diagnostics
}

// refresh reads the backup of the state value current. A backup that the backend reports as
// not found leaves the state, so that the next plan takes it again; any other failure is an
// error and the state stays. A backup that was COMPLETED and no longer reads so (a part
// deleted outside Terraform) is recorded as broken, so that the plan replaces it. Read and
// the protocol server's own read (webapp_backup_protocol.go) both call it.
func (r *webappBackupResource) refresh(ctx context.Context, current tftypes.Value) refreshed {
	out := refreshed{State: current}
	if r.backend == nil {
		out.Diagnostics.AddError("Unconfigured Provider",
			"The provider has no backend to read camunda_webapp_backup from: its configuration did not succeed.")
		return out
	}
	attrs, err := rawAttributes(current)
	if err != nil || attrs == nil {
		out.Diagnostics.AddError("Invalid State", fmt.Sprintf("The state of camunda_webapp_backup cannot be read: %v.", err))
		return out
	}
	id, err := backupIDOf(types.NumberValue(rawNumber(attrs["backup_id"])))
	if err != nil {
		out.Diagnostics.AddAttributeError(path.Root("backup_id"), "Invalid Backup ID in State", err.Error())
		return out
	}
	out.ID, out.HasID = id, true
	b, err := r.refreshGet(ctx, id)
	if errors.Is(err, backupapi.ErrNotFound) {
		tflog.Warn(ctx, fmt.Sprintf("backup %s no longer exists; removing it from the state", id), map[string]any{"backup_id": id.String()})
		out.State = tftypes.NewValue(current.Type(), nil)
		return out
	}
	if err != nil {
		addBackupError(&out.Diagnostics, "reading backup "+id.String(), err)
		return out
	}
	known := rawStrings(attrs["snapshot_names"])
	wasCompleted := rawString(attrs["state"]) == string(backupapi.StateCompleted)
	if wasCompleted && b.State != backupapi.StateCompleted {
		b = brokenSince(b, known)
	}
	var state webappBackupModel
	state.setBackup(b, r.backend.repository, nil)
	if b.State == backupapi.StateInProgress {
		state.SnapshotNames = stringList(longer(b.SnapshotNames(), known))
	}
	computed, err := state.computedRaw(ctx)
	if err != nil {
		out.Diagnostics.AddError("Invalid State", err.Error())
		return out
	}
	next := maps.Clone(attrs) // attrs is current's own map
	for name, v := range computed {
		next[name] = v
	}
	out.State = tftypes.NewValue(current.Type(), next)
	return out
}

// refreshGet reads backup id for Read: through the refresh cache when the backend has one.
func (r *webappBackupResource) refreshGet(ctx context.Context, id backupapi.ID) (backupapi.Backup, error) {
	if c, ok := r.backend.client.(*refreshCache); ok {
		return c.RefreshGet(ctx, id)
	}
	return r.backend.client.Get(ctx, id)
}

// brokenSince describes a backup that was COMPLETED and now reads otherwise: a COMPLETED backup
// never runs again, so one that reads IN_PROGRESS has lost parts and is INCOMPLETE.
func brokenSince(b backupapi.Backup, known []string) backupapi.Backup {
	var missing []string
	present := b.SnapshotNames()
	for _, n := range known {
		if !slices.Contains(present, n) {
			missing = append(missing, n)
		}
	}
	if b.State == backupapi.StateInProgress {
		b.State = backupapi.StateIncomplete
	}
	reason := "The backup was COMPLETED and now reads " + string(b.State)
	if len(missing) > 0 {
		reason += "; snapshots missing: " + strings.Join(missing, ", ")
	}
	if b.FailureReason != "" {
		reason += ". " + b.FailureReason
	}
	b.FailureReason = reason
	return b
}

func longer(a, b []string) []string {
	if len(b) > len(a) {
		return b
	}
	return a
}

// ModifyPlan plans the replacement of a backup that the last refresh found broken, with a
// warning that says why.
func (r *webappBackupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	prior, err := rawAttributes(req.State.Raw)
	if err != nil || prior == nil {
		return
	}
	state := rawString(prior["state"])
	if !unrestorable(state) {
		return
	}
	reason := rawString(prior["failure_reason"])
	var deleteOnDestroy types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("delete_on_destroy"), &deleteOnDestroy)...)
	detail := fmt.Sprintf("Backup %s reads %s, so it cannot be restored; it is planned for replacement.", rawString(prior["id"]), state)
	if reason != "" {
		detail += " " + reason
	}
	if state == string(backupapi.StateIncompatible) && !deleteOnDestroy.ValueBool() {
		detail += "\n\nINCOMPATIBLE snapshots were taken by another version of Camunda and are kept (delete_on_destroy is false), " +
			"so the id stays taken: set delete_on_destroy = true to replace them, or choose a new backup_id."
	} else {
		detail += "\n\nThe new backup reuses the id: the broken snapshots under it are deleted first."
	}
	planReplacement(ctx, resp, "Broken Backup Will Be Replaced", detail)
}

// unrestorable tells whether a backup in state can never be restored, so that a plan replaces
// it: FAILED, INCOMPLETE or INCOMPATIBLE.
func unrestorable(state string) bool {
	switch backupapi.State(state) {
	case backupapi.StateFailed, backupapi.StateIncomplete, backupapi.StateIncompatible:
		return true
	}
	return false
}

// Update changes what only Terraform uses (wait_for_completion, delete_on_destroy, timeouts):
// the backup itself is never changed.
func (r *webappBackupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateSettings(ctx, req, resp, func(m webappBackupModel) types.Number { return m.BackupID })
}

// Delete deletes the snapshots when delete_on_destroy is true (a backup already gone counts as
// deleted) and, when asked, waits until they are gone. Otherwise it only forgets the backup,
// and says so.
func (r *webappBackupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state webappBackupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := backupIDOf(state.BackupID)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("backup_id"), "Invalid Backup ID in State", err.Error())
		return
	}
	if !state.DeleteOnDestroy.ValueBool() {
		var names []string
		resp.Diagnostics.Append(state.SnapshotNames.ElementsAs(ctx, &names, false)...)
		where := ""
		if r.backend.repository != "" {
			where = " in repository " + r.backend.repository
		}
		r.backend.kept.keep("camunda_webapp_backup", id)
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup %s Kept", id),
			fmt.Sprintf("delete_on_destroy is false, so backup %s (%s) was removed from the Terraform state only: its snapshots "+
				"stay%s (%s). To delete them with Terraform, set delete_on_destroy = true before destroying; to manage the backup "+
				"again, import it.", id, state.State.ValueString(), where, strings.Join(names, ", ")))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w := r.backend.webapp()
	if state.WaitForCompletion.ValueBool() {
		err = w.Delete(ctx, id)
	} else if err = w.Client.Delete(ctx, id); errors.Is(err, backupapi.ErrNotFound) {
		err = nil
	}
	if err != nil {
		addBackupError(&resp.Diagnostics, "deleting backup "+id.String(), err)
		return
	}
	tflog.Info(ctx, fmt.Sprintf("deleted backup %s", id), map[string]any{"backup_id": id.String()})
}

// ImportState imports a backup by its id, given as the import id or as the identity's
// backup_id. Importing a backup that does not exist fails when the following read finds
// nothing.
func (r *webappBackupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, ok := importedID(ctx, "camunda_webapp_backup", req, resp)
	if !ok {
		return
	}
	for name, v := range map[string]any{
		"id": types.StringValue(id.String()), "backup_id": backupIDNumber(id),
		"wait_for_completion": types.BoolValue(true), "delete_on_destroy": types.BoolValue(false),
		"snapshot_names": stringList(nil),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
}

// planReplacement plans the replacement of a backup (or set) that the refresh found broken:
// a warning that says why, and its state planned unknown, which requires a replacement.
// Terraform replaces only what changes at a path that requires it, hence the unknown state.
func planReplacement(ctx context.Context, resp *resource.ModifyPlanResponse, summary, detail string) {
	resp.Diagnostics.AddAttributeWarning(path.Root("state"), summary, detail)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("state"), types.StringUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("state"))
}
