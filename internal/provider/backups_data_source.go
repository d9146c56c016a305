package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var _ datasource.DataSourceWithConfigure = &backupsDataSource{}

// backupsDataSource is camunda_backups: every whole backup (set) any component knows, and
// the restore plan of one.
type backupsDataSource struct {
	backend *backend
}

func newBackupsDataSource() datasource.DataSource { return &backupsDataSource{} }

type backupsDataModel struct {
	ZeebeRecords     types.Bool       `tfsdk:"zeebe_records"`
	BackupID         types.Int64      `tfsdk:"backup_id"`
	Backups          []backupSetData  `tfsdk:"backups"`
	LatestRestorable types.Int64      `tfsdk:"latest_restorable"`
	RestorePlan      *restorePlanData `tfsdk:"restore_plan"`
}

type backupSetData struct {
	BackupID      types.Int64  `tfsdk:"backup_id"`
	State         types.String `tfsdk:"state"`
	Restorable    types.Bool   `tfsdk:"restorable"`
	FailureReason types.String `tfsdk:"failure_reason"`
	StartTime     types.String `tfsdk:"start_time"`
	Components    types.Map    `tfsdk:"components"`
}

type restorePlanData struct {
	BackupID        types.Int64       `tfsdk:"backup_id"`
	Restorable      types.Bool        `tfsdk:"restorable"`
	Problem         types.String      `tfsdk:"problem"`
	CamundaVersion  types.String      `tfsdk:"camunda_version"`
	OptimizeVersion types.String      `tfsdk:"optimize_version"`
	BrokerVersion   types.String      `tfsdk:"broker_version"`
	Snapshots       []plannedSnapshot `tfsdk:"snapshots"`
	Partitions      types.Int64       `tfsdk:"partitions"`
	ZeebeRestore    types.String      `tfsdk:"zeebe_restore_command"`
	Steps           types.List        `tfsdk:"steps"`
}

type plannedSnapshot struct {
	Component  types.String `tfsdk:"component"`
	Repository types.String `tfsdk:"repository"`
	Name       types.String `tfsdk:"name"`
}

// Metadata names the data source.
func (d *backupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backups"
}

// Schema describes the data source.
func (d *backupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	component := map[string]schema.Attribute{
		"component":  schema.StringAttribute{MarkdownDescription: "`webapps`, `optimize` or `zeebe-records`.", Computed: true},
		"repository": schema.StringAttribute{MarkdownDescription: "The snapshot repository the snapshot is in.", Computed: true},
		"name":       schema.StringAttribute{MarkdownDescription: "The snapshot's name.", Computed: true},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every whole Camunda backup (set) that any component knows (the web applications, Optimize " +
			"when the provider's `optimize_url` is set, the zeebe-record snapshots when the provider has an `elasticsearch` " +
			"block beside the `actuator` block, and Zeebe), newest first, with each component's state, whether the set can " +
			"be restored, the newest restorable set, and the restore plan of one set: what Camunda 8.8's restore " +
			"procedure needs, usable as it is in a runbook.",
		Attributes: map[string]schema.Attribute{
			"zeebe_records": schema.BoolAttribute{
				MarkdownDescription: "Require the zeebe-record snapshot in every set (as `zeebe_records` of `camunda_backup` takes it): " +
					"a set without it is not restorable. Defaults to `false`: a zeebe-record snapshot is part of a set only when one exists under its id.",
				Optional: true,
			},
			"backup_id": schema.Int64Attribute{
				MarkdownDescription: "The set to plan the restore of. Defaults to `latest_restorable`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "Every backup id seen in any component, newest (largest id) first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"backup_id": schema.Int64Attribute{MarkdownDescription: "The backup id of the set.", Computed: true},
					"state": schema.StringAttribute{MarkdownDescription: "State of the set: `COMPLETED`, `FAILED`, `IN_PROGRESS` or `INCOMPLETE` " +
						"(a component missing).", Computed: true},
					"restorable":     schema.BoolAttribute{MarkdownDescription: "Whether every component of the set is `COMPLETED`.", Computed: true},
					"failure_reason": schema.StringAttribute{MarkdownDescription: "Why the set cannot be restored; null when it can.", Computed: true},
					"start_time":     schema.StringAttribute{MarkdownDescription: "When the set's first component started (RFC 3339, UTC).", Computed: true},
					"components": schema.MapAttribute{MarkdownDescription: "Each component's state: `webapps`, `optimize`, `zeebe-records`, " +
						"`zeebe` → `COMPLETED`, `IN_PROGRESS`, `FAILED`, `INCOMPLETE`, `INCOMPATIBLE` or `DOES_NOT_EXIST`.",
						ElementType: types.StringType, Computed: true},
				}},
			},
			"latest_restorable": schema.Int64Attribute{
				MarkdownDescription: "The id of the newest restorable set; null when none is.",
				Computed:            true,
			},
			"restore_plan": schema.SingleNestedAttribute{
				MarkdownDescription: "The restore plan of `backup_id` (or of `latest_restorable`); null when there is no set to plan.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"backup_id":  schema.Int64Attribute{MarkdownDescription: "The set the plan restores.", Computed: true},
					"restorable": schema.BoolAttribute{MarkdownDescription: "Whether the set can be restored; do not restore it otherwise.", Computed: true},
					"problem":    schema.StringAttribute{MarkdownDescription: "Why the set cannot be restored; null when it can.", Computed: true},
					"camunda_version": schema.StringAttribute{MarkdownDescription: "The Camunda version the web applications' snapshots " +
						"were taken by: restore with exactly this version.", Computed: true},
					"optimize_version": schema.StringAttribute{MarkdownDescription: "The Optimize version in its snapshot names.", Computed: true},
					"broker_version":   schema.StringAttribute{MarkdownDescription: "The version Zeebe's brokers reported.", Computed: true},
					"snapshots": schema.ListNestedAttribute{
						MarkdownDescription: "Every Elasticsearch snapshot to restore (`POST _snapshot/<repository>/<name>/_restore`): " +
							"the web applications' parts in order, Optimize's two parts, the zeebe-record snapshot.",
						Computed:     true,
						NestedObject: schema.NestedAttributeObject{Attributes: component},
					},
					"partitions": schema.Int64Attribute{MarkdownDescription: "Zeebe's partition count: the restored cluster must have " +
						"the same, with the same node ids, cluster size and replication factor.", Computed: true},
					"zeebe_restore_command": schema.StringAttribute{MarkdownDescription: "The command to run on every broker, on empty " +
						"data directories: `bin/restore --backupId=<id>`.", Computed: true},
					"steps": schema.ListAttribute{MarkdownDescription: "The plan written out in Camunda's order.", ElementType: types.StringType, Computed: true},
				},
			},
		},
	}
}

// Configure receives the provider's backend.
func (d *backupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Read lists the sets and plans the restore of one.
func (d *backupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m backupsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	set := d.backend.setOf(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	records := m.ZeebeRecords.ValueBool()
	list, err := set.List(ctx, records)
	if err != nil {
		addBackupError(&resp.Diagnostics, "listing backup sets", err)
		return
	}
	m.Backups = make([]backupSetData, len(list.Sets))
	for i, info := range list.Sets {
		m.Backups[i] = backupSetData{
			BackupID: types.Int64Value(int64(info.Set.ID)), State: types.StringValue(string(info.Set.State())),
			Restorable: types.BoolValue(info.Restorable), FailureReason: optionalString(info.Problem),
			StartTime: timeString(info.Start), Components: componentStates(info.Set),
		}
	}
	m.LatestRestorable = types.Int64Null()
	if list.LatestRestorable != 0 {
		m.LatestRestorable = types.Int64Value(int64(list.LatestRestorable))
	}
	planID := list.LatestRestorable
	if !m.BackupID.IsNull() {
		planID = backupapi.ID(m.BackupID.ValueInt64())
	}
	if planID != 0 {
		plan, err := set.RestorePlan(ctx, planID, records)
		if err != nil {
			addBackupError(&resp.Diagnostics, "planning the restore of set "+planID.String(), err)
			return
		}
		if !m.BackupID.IsNull() && allMissing(mustSet(plan, list)) {
			resp.Diagnostics.AddAttributeError(path.Root("backup_id"), "Backup Set Not Found",
				"No component holds a backup under id "+planID.String()+".")
			return
		}
		m.RestorePlan = newRestorePlanData(plan)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// mustSet is the listed set of the plan's id (empty components when it is not listed).
func mustSet(plan procedure.SetRestorePlan, list procedure.SetList) backupapi.BackupSet {
	for _, info := range list.Sets {
		if info.Set.ID == plan.ID {
			return info.Set
		}
	}
	return backupapi.BackupSet{ID: plan.ID}
}

func newRestorePlanData(p procedure.SetRestorePlan) *restorePlanData {
	d := &restorePlanData{
		BackupID: types.Int64Value(int64(p.ID)), Restorable: types.BoolValue(p.Restorable), Problem: optionalString(p.Problem),
		CamundaVersion: optionalString(p.CamundaVersion), OptimizeVersion: optionalString(p.OptimizeVersion),
		BrokerVersion: optionalString(p.BrokerVersion), Partitions: types.Int64Value(int64(p.Partitions)),
		ZeebeRestore: types.StringValue(p.ZeebeRestore), Steps: stringList(p.Steps), Snapshots: []plannedSnapshot{},
	}
	for _, s := range p.Snapshots {
		d.Snapshots = append(d.Snapshots, plannedSnapshot{Component: types.StringValue(string(s.Component)),
			Repository: types.StringValue(s.Repository), Name: types.StringValue(s.Name)})
	}
	return d
}
