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
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var _ action.ActionWithConfigure = &backupSetAction{}

// backupSetAction is the action camunda_backup: take a whole Camunda backup now (web
// applications, Optimize, the zeebe-record snapshot, Zeebe) and optionally prune old sets.
type backupSetAction struct {
	backend *backend
}

func newBackupSetAction() action.Action { return &backupSetAction{} }

type backupSetActionModel struct {
	backupActionConfig
	ZeebeRecords          types.Bool `tfsdk:"zeebe_records"`
	ResumePausedExporting types.Bool `tfsdk:"resume_paused_exporting"`
}

// Descriptions shared by the action and the resource camunda_backup.
const (
	descSetProcedure = "Runs Camunda 8.8's backup procedure for one id: reads the state of exporting (a cluster found " +
		"paused is reported, and resumed first only with `resume_paused_exporting`), soft-pauses exporting, takes the web " +
		"applications' and Optimize's backups side by side (Optimize when the provider's `optimize_url` is set) and waits " +
		"for both, takes the `camunda_zeebe_records_backup_<id>` snapshot of `zeebe-record_*` when `zeebe_records` is true (after " +
		"checking, before pausing, that some index matches), " +
		"takes Zeebe's backup and waits for every partition, and resumes exporting. **Exporting is resumed on every path** " +
		"once it was paused: after success, any failure, the timeout and an interruption, on a context of its own; if " +
		"resuming fails, the error says so first, with the request that resumes it. A failing step stops the later ones " +
		"and the error names it and the components that hold a backup under the id (a partial set, not restorable)."
	descSetZeebeRecords = "Take the `camunda_zeebe_records_backup_<id>` Elasticsearch snapshot of the `zeebe-record_*` " +
		"indices, which Camunda's procedure asks for while Optimize reads the legacy Elasticsearch exporter's records " +
		"(the exporter's index prefix is the `elasticsearch` block's `zeebe_records_index_prefix`). Needs the provider's " +
		"`elasticsearch` block beside the `actuator` block. When no index matches, the backup stops before exporting is " +
		"paused: an empty snapshot would make a set read restorable without the records. Defaults to `false`."
	descSetResumePaused = "When exporting is found paused before the backup (left so by an interrupted earlier run or by " +
		"an operator), resume it first and go on. Defaults to `false`: the backup then stops before changing anything and " +
		"says which partitions are paused and how to resume them."
	descSetBackupIDRule = " Zeebe takes only ids greater than every id it used (completed, failed or deleted): an id " +
		"not greater than the largest one Zeebe lists is refused before anything is paused."
)

// Metadata names the action.
func (a *backupSetAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup"
}

// Schema describes the action.
func (a *backupSetAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Takes a whole Camunda 8.8 backup now: the web applications, Optimize and Zeebe under one id. " +
			descSetProcedure + " Progress is reported per component, part and partition as each finishes. With `keep_last` " +
			"or `keep_within` it then deletes older sets, every component's backup of a set together. Invoke it with " +
			"`terraform apply -invoke=action.camunda_backup.NAME` or from an `action_trigger`. Requires Terraform 1.14 or later; " +
			"the `camunda_backup` resource does the same for OpenTofu and older Terraform.",
		Attributes: map[string]schema.Attribute{
			"backup_id": schema.NumberAttribute{
				MarkdownDescription: "The id of the set. Defaults to a new id: the current Unix time in seconds, or one more " +
					"than the largest id any component lists when that is larger." + descSetBackupIDRule,
				Optional:   true,
				Validators: []validator.Number{backupIDValidator{}},
			},
			"zeebe_records":           schema.BoolAttribute{MarkdownDescription: descSetZeebeRecords, Optional: true},
			"resume_paused_exporting": schema.BoolAttribute{MarkdownDescription: descSetResumePaused, Optional: true},
			"timeout": schema.StringAttribute{
				MarkdownDescription: "How long the set may take, retention included, as a duration such as `60m`. Defaults to " +
					"`30m`. Exporting is resumed also when the timeout cuts the backup short.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
			"keep_last": schema.Int64Attribute{
				MarkdownDescription: "After a restorable set, keep this many newest restorable sets and delete older ones " +
					"(unless `keep_within` keeps them). Partial sets older than the newest restorable one are deleted too; " +
					"a set still running is never deleted.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"keep_within": schema.StringAttribute{
				MarkdownDescription: "After a restorable set, keep every set that started within this duration (e.g. `168h`) " +
					"and delete older ones (unless `keep_last` keeps them). The newest restorable set is always kept.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
		},
	}
}

// Configure receives the provider's backend.
func (a *backupSetAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Invoke runs the procedure, then the retention policy when one is given.
func (a *backupSetAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m backupSetActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, timeout, policy := m.settings(&resp.Diagnostics)
	opts := procedure.SetOptions{ID: id, ZeebeRecords: m.ZeebeRecords.ValueBool(), ResumePaused: m.ResumePausedExporting.ValueBool()}
	set := a.backend.setOf(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if opts.ZeebeRecords && set.Records == nil {
		resp.Diagnostics.AddAttributeError(path.Root("zeebe_records"), "Zeebe-Record Snapshot Needs Elasticsearch",
			"zeebe_records = true takes an Elasticsearch snapshot directly: add the provider's elasticsearch block (urls, repository) beside the actuator block.")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts.Progress = actionProgress(ctx, resp)
	taken, err := set.Take(ctx, opts)
	addSetWarnings(&resp.Diagnostics, taken)
	if err != nil {
		addSetError(&resp.Diagnostics, taken.ID, timeout, err)
		return
	}
	deleted, err := set.Prune(ctx, policy, opts.ZeebeRecords, opts.Progress, taken.ID)
	reportRetention(&resp.Diagnostics, opts.Progress, "sets", taken.ID, policy, deleted, err)
}

// addSetWarnings reports what a set changed besides itself: exporting found paused and
// resumed, broken leftovers deleted.
func addSetWarnings(diags *diag.Diagnostics, taken procedure.SetTaken) {
	if len(taken.FoundPaused) > 0 && taken.Set.ID != 0 {
		diags.AddWarning("Exporting Was Found Paused",
			fmt.Sprintf("Before backup %s, exporting was paused on %d partitions, probably left so by an earlier run that did not finish; "+
				"it was resumed first, as resume_paused_exporting asks.", taken.ID, len(taken.FoundPaused)))
	}
	if len(taken.Replaced) > 0 {
		names := make([]string, len(taken.Replaced))
		for i, c := range taken.Replaced {
			names[i] = string(c)
		}
		diags.AddWarning("Partial Set Replaced",
			fmt.Sprintf("Under id %s, %s held backups that could never be restored (left by a partial set); they were deleted and the set was taken again.",
				taken.ID, strings.Join(names, ", ")))
	}
}

// addSetError explains why a set failed.
func addSetError(diags *diag.Diagnostics, id backupapi.ID, timeout time.Duration, err error) {
	var setErr *procedure.SetError
	var refused *procedure.IDRefusedError
	var used *procedure.UsedIDError
	var paused *procedure.PausedError
	var noRecords *procedure.NoRecordsError
	switch {
	case errors.As(err, &setErr) && setErr.ResumeErr != nil:
		diags.AddError("Exporting Is Still Paused", err.Error())
	case errors.As(err, &setErr) && setErr.Cancelled():
		diags.AddError("Backup Set Not Finished Within the Timeout",
			fmt.Sprintf("Within %s (or interrupted): %s\n\nRaise the timeout if sets take this long.", timeout, err))
	case errors.As(err, &setErr):
		diags.AddError(fmt.Sprintf("Backup Set Failed at %s", setErr.Component), err.Error())
	case errors.As(err, &refused):
		diags.AddAttributeError(path.Root("backup_id"), "Backup ID Refused by Zeebe", err.Error())
	case errors.As(err, &used):
		diags.AddAttributeError(path.Root("backup_id"), "Backup ID Already Used", err.Error())
	case errors.As(err, &noRecords):
		diags.AddAttributeError(path.Root("zeebe_records"), "No Index for the Zeebe-Record Snapshot", err.Error())
	case errors.As(err, &paused):
		diags.AddError("Exporting Is Paused", err.Error()+"\n\nSet resume_paused_exporting = true to resume it before the backup.")
	default:
		addBackupError(diags, "taking backup set "+id.String(), err)
	}
}
