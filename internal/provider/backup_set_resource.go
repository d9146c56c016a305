package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var (
	_ resource.ResourceWithConfigure   = &backupSetResource{}
	_ resource.ResourceWithImportState = &backupSetResource{}
	_ resource.ResourceWithIdentity    = &backupSetResource{}
	_ resource.ResourceWithModifyPlan  = &backupSetResource{}
)

// backupSetResource is camunda_backup: one whole Camunda backup (a set) under Terraform.
type backupSetResource struct {
	backend *backend
}

func newBackupSetResource() resource.Resource { return &backupSetResource{} }

// backupSetModel is the state of camunda_backup.
type backupSetModel struct {
	ID                    types.String   `tfsdk:"id"`
	BackupID              types.Number   `tfsdk:"backup_id"`
	ZeebeRecords          types.Bool     `tfsdk:"zeebe_records"`
	ResumePausedExporting types.Bool     `tfsdk:"resume_paused_exporting"`
	DeleteOnDestroy       types.Bool     `tfsdk:"delete_on_destroy"`
	State                 types.String   `tfsdk:"state"`
	Restorable            types.Bool     `tfsdk:"restorable"`
	FailureReason         types.String   `tfsdk:"failure_reason"`
	Components            types.Map      `tfsdk:"components"`
	Repository            types.String   `tfsdk:"repository"`
	StartTime             types.String   `tfsdk:"start_time"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

// setInfo records what the components report about the set.
func (m *backupSetModel) setInfo(info procedure.SetInfo, repository string) {
	id := info.Set.ID
	m.ID = types.StringValue(id.String())
	m.BackupID = backupIDNumber(id)
	m.State = types.StringValue(string(info.Set.State()))
	m.Restorable = types.BoolValue(info.Restorable)
	m.FailureReason = optionalString(info.Problem)
	m.Components = componentStates(info.Set)
	m.Repository = optionalString(repository)
	m.StartTime = timeString(info.Start)
}

// componentStates is the map component → state of a set.
func componentStates(s backupapi.BackupSet) types.Map {
	elems := map[string]attr.Value{}
	for _, c := range s.Components {
		elems[string(c.Component)] = types.StringValue(string(c.State))
	}
	return types.MapValueMust(types.StringType, elems)
}

// Metadata names the resource.
func (r *backupSetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup"
}

// Schema describes camunda_backup.
func (r *backupSetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A whole Camunda 8.8 backup (a set): the web applications, Optimize (when the provider's " +
			"`optimize_url` is set), the zeebe-record snapshot (when asked) and Zeebe under one id. Creating the resource " +
			"runs " + descSetProcedure[len("Runs "):] + " A set that fails fails the apply and stays in the state as tainted; a set " +
			"found broken on refresh is planned for replacement.\n\nDestroying the resource **keeps** every component's " +
			"backup unless `delete_on_destroy` is true. The `camunda_backup` action (Terraform 1.14 and later) fits backups " +
			"taken on a schedule or before every upgrade better; this resource serves OpenTofu, older Terraform, and " +
			"backups kept under Terraform.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The backup id as a string; the import id.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"backup_id": schema.NumberAttribute{
				MarkdownDescription: "The id of the set, shared by every component. Changing it takes a new set." + descSetBackupIDRule,
				Required:            true,
				Validators:          []validator.Number{backupIDValidator{}},
				PlanModifiers:       []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"zeebe_records": schema.BoolAttribute{
				MarkdownDescription: descSetZeebeRecords + " Changing it takes a new set.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"resume_paused_exporting": schema.BoolAttribute{
				MarkdownDescription: descSetResumePaused,
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"delete_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Delete every component's backup of the set when the resource is destroyed or replaced. " +
					"Defaults to `false`: destroying only removes the set from the Terraform state, and says so in a warning. " +
					"Zeebe keeps a deleted id used: a new set needs a greater id.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "State of the set: `COMPLETED` when every component is, `FAILED` when one failed, " +
					"`IN_PROGRESS` while one runs, `INCOMPLETE` otherwise (a component missing). A set found not restorable " +
					"on refresh is planned for replacement.",
				Computed:      true,
				PlanModifiers: keep,
			},
			"restorable": schema.BoolAttribute{
				MarkdownDescription: "Whether the set can be restored: every component `COMPLETED` (the zeebe-record snapshot `SUCCESS`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"failure_reason": schema.StringAttribute{
				MarkdownDescription: "Why the set cannot be restored, naming each component in the way; null when it can.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"components": schema.MapAttribute{
				MarkdownDescription: "Each component's state under the id: `webapps`, `optimize`, `zeebe-records`, `zeebe` → " +
					"`COMPLETED`, `IN_PROGRESS`, `FAILED`, `INCOMPLETE`, `INCOMPATIBLE` or `DOES_NOT_EXIST`.",
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
			},
			"repository": schema.StringAttribute{
				MarkdownDescription: descRepository,
				Computed:            true,
				PlanModifiers:       keep,
			},
			"start_time": schema.StringAttribute{
				MarkdownDescription: "When the set's first component started (RFC 3339, UTC); null when unknown.",
				Computed:            true,
				PlanModifiers:       keep,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// IdentitySchema describes the identity of a set: its id.
func (r *backupSetResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"backup_id": identityschema.Int64Attribute{Description: "The backup id of the set.", RequiredForImport: true},
		},
	}
}

// Configure receives the provider's backend.
func (r *backupSetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Create runs the procedure. A set of which some component holds a backup is recorded
// whatever happens next, so that a failure leaves it tainted rather than unknown.
func (r *backupSetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan backupSetModel
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
	set := r.backend.setOf(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	records := plan.ZeebeRecords.ValueBool()
	if records && set.Records == nil {
		resp.Diagnostics.AddAttributeError(path.Root("zeebe_records"), "Zeebe-Record Snapshot Needs Elasticsearch",
			"zeebe_records = true takes an Elasticsearch snapshot directly: add the provider's elasticsearch block (urls, repository) beside the actuator block.")
		return
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A replacement under the same id: this run's destroy kept the set. A restorable one is
	// taken over as it is (Zeebe would refuse the id anyway); any other stays in the state
	// when it cannot be taken again.
	record := func(info procedure.SetInfo) {
		plan.setInfo(info, set.Repository)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
	}
	var kept *procedure.SetInfo
	if r.backend.kept.claim("camunda_backup", id) {
		if info, gerr := set.Get(callCtx, id, records); gerr == nil && !allMissing(info.Set) {
			kept = &info
		}
	}
	if kept != nil && kept.Restorable {
		record(*kept)
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup Set %s Adopted", id),
			fmt.Sprintf("This run's destroy of the resource kept backup set %s (delete_on_destroy = false), and Zeebe takes an id only "+
				"once: the resource holds the restorable set that stands under the id, as it is. To take a fresh set, choose a greater "+
				"backup_id.", id))
		return
	}
	taken, err := set.Take(callCtx, procedure.SetOptions{ID: id, ZeebeRecords: records,
		ResumePaused: plan.ResumePausedExporting.ValueBool(), Progress: logProgress(ctx, id)})
	addSetWarnings(&resp.Diagnostics, taken)
	// A kept set that could not be taken again goes back to the state as it stands now (a
	// partial set's leftovers may have been deleted before the take failed).
	if err != nil && len(taken.Holding()) == 0 && kept != nil {
		if info, gerr := set.Get(context.WithoutCancel(ctx), id, records); gerr == nil && !allMissing(info.Set) {
			record(info)
			addSetError(&resp.Diagnostics, id, timeout, err)
			resp.Diagnostics.AddWarning("Kept Set Stays in the State",
				fmt.Sprintf("This run's destroy of the resource kept backup set %s (delete_on_destroy = false), and it could not be "+
					"taken again under the same id: it stays in the Terraform state as tainted. Choose a greater backup_id for a new set.", id))
			return
		}
	}
	if len(taken.Holding()) > 0 {
		info, gerr := set.Get(context.WithoutCancel(ctx), id, records)
		if gerr != nil {
			info = procedure.SetInfo{Set: taken.Set}
			info.Problem = fmt.Sprint(taken.Set.Restorable())
		}
		record(info)
	}
	if err != nil {
		addSetError(&resp.Diagnostics, id, timeout, err)
		if len(taken.Holding()) > 0 {
			resp.Diagnostics.AddWarning("Partial Set Kept in the State",
				fmt.Sprintf("Set %s is kept in the Terraform state as tainted: the next apply replaces it. Zeebe keeps an id it took "+
					"used, so when Zeebe holds a backup under %s, the replacement needs a greater backup_id.", id, id))
		}
	}
}

// Read refreshes the set. A set no component knows leaves the state; any other failure is
// an error and the state stays.
func (r *backupSetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state backupSetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := backupIDOf(state.BackupID)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("backup_id"), "Invalid Backup ID in State", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
	set := r.backend.setOf(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	info, err := set.Get(ctx, id, state.ZeebeRecords.ValueBool())
	if err != nil {
		addBackupError(&resp.Diagnostics, "reading backup set "+id.String(), err)
		return
	}
	if info.Set.State() == backupapi.StateIncomplete && allMissing(info.Set) {
		tflog.Warn(ctx, fmt.Sprintf("no component holds backup set %s any more; removing it from the state", id), map[string]any{"backup_id": id.String()})
		resp.State.RemoveResource(ctx)
		return
	}
	state.setInfo(info, set.Repository)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// allMissing reports whether no component holds anything under the set's id.
func allMissing(s backupapi.BackupSet) bool {
	for _, c := range s.Components {
		if c.State != backupapi.StateDoesNotExist {
			return false
		}
	}
	return true
}

// ModifyPlan plans the replacement of a set that the last refresh found not restorable and
// not running, with a warning that says why.
func (r *backupSetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state backupSetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.Restorable.ValueBool() || state.State.ValueString() == string(backupapi.StateInProgress) {
		return
	}
	components := map[string]string{}
	resp.Diagnostics.Append(state.Components.ElementsAs(ctx, &components, false)...)
	detail := fmt.Sprintf("Backup set %s reads %s and cannot be restored; it is planned for replacement. %s",
		state.ID.ValueString(), state.State.ValueString(), state.FailureReason.ValueString())
	if z := components[string(backupapi.ComponentZeebe)]; z != "" && z != string(backupapi.StateDoesNotExist) {
		detail += fmt.Sprintf("\n\nZeebe holds a backup under %s and keeps its id used: the replacement will be refused "+
			"before anything is paused unless backup_id is raised above Zeebe's largest id.", state.ID.ValueString())
	} else {
		detail += "\n\nZeebe never took this id, so the replacement reuses it: the broken backups under it are deleted first."
	}
	planReplacement(ctx, resp, "Broken Backup Set Will Be Replaced", detail)
}

// Update changes what only Terraform uses (resume_paused_exporting, delete_on_destroy,
// timeouts): the set itself is never changed.
func (r *backupSetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateSettings(ctx, req, resp, func(m backupSetModel) types.Number { return m.BackupID })
}

// Delete deletes every component's backup when delete_on_destroy is true; otherwise it
// only forgets the set, and says so.
func (r *backupSetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state backupSetModel
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
		r.backend.kept.keep("camunda_backup", id)
		components := map[string]string{}
		resp.Diagnostics.Append(state.Components.ElementsAs(ctx, &components, false)...)
		var held []string
		for c, s := range components {
			if s != string(backupapi.StateDoesNotExist) {
				held = append(held, c)
			}
		}
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup Set %s Kept", id),
			fmt.Sprintf("delete_on_destroy is false, so backup set %s (%s; held by %s) was removed from the Terraform state only: "+
				"every component keeps its backup. To delete them with Terraform, set delete_on_destroy = true before destroying; "+
				"to manage the set again, import it.", id, state.State.ValueString(), strings.Join(slices.Sorted(slices.Values(held)), ", ")))
		return
	}
	set := r.backend.setOf(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := set.DeleteSet(ctx, id); err != nil {
		addBackupError(&resp.Diagnostics, "deleting backup set "+id.String(), err)
		return
	}
	tflog.Info(ctx, fmt.Sprintf("deleted backup set %s", id), map[string]any{"backup_id": id.String()})
}

// ImportState imports a set by its id, given as the import id or as the identity's
// backup_id.
func (r *backupSetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, ok := importedID(ctx, "camunda_backup", req, resp)
	if !ok {
		return
	}
	for name, v := range map[string]any{
		"id": types.StringValue(id.String()), "backup_id": backupIDNumber(id),
		"zeebe_records": types.BoolValue(false), "resume_paused_exporting": types.BoolValue(false),
		"delete_on_destroy": types.BoolValue(false), "components": types.MapValueMust(types.StringType, map[string]attr.Value{}),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identityOf(id))...)
}
