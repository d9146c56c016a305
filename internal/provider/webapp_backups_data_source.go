package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

var _ datasource.DataSourceWithConfigure = &webappBackupsDataSource{}

// webappBackupsDataSource is camunda_webapp_backups: the backups of the repository.
type webappBackupsDataSource struct {
	backend *backend
}

func newWebappBackupsDataSource() datasource.DataSource { return &webappBackupsDataSource{} }

type webappBackupsDataModel struct {
	Pattern         types.String  `tfsdk:"pattern"`
	State           types.String  `tfsdk:"state"`
	Backups         []backupModel `tfsdk:"backups"`
	LatestCompleted *backupModel  `tfsdk:"latest_completed"`
	Repository      types.String  `tfsdk:"repository"`
}

// Metadata names the data source.
func (d *webappBackupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_backups"
}

// Schema describes the data source.
func (d *webappBackupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The backups of the Camunda 8 web applications, newest first, with what a restore needs: " +
			"for each backup the snapshot names in restore order, and the repository they are in.",
		Attributes: map[string]schema.Attribute{
			"pattern": schema.StringAttribute{
				MarkdownDescription: "Backup ids to list: digits optionally followed by one `*`, e.g. `2026*`; " +
					"`123` means exactly backup 123. Defaults to every backup.",
				Optional:   true,
				Validators: []validator.String{validListPattern()},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "Only list backups in this state: `COMPLETED`, `IN_PROGRESS`, `FAILED`, `INCOMPATIBLE` or `INCOMPLETE`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(stateNames()...)},
			},
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "The backups matching `pattern` and `state`, newest first (by the start of their last part).",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: backupDataAttributes()},
			},
			"latest_completed": schema.SingleNestedAttribute{
				MarkdownDescription: "The newest `COMPLETED` backup matching `pattern` (whatever `state` filters), or null: the usual backup to restore.",
				Computed:            true,
				Attributes:          backupDataAttributes(),
			},
			"repository": schema.StringAttribute{MarkdownDescription: descRepository, Computed: true},
		},
	}
}

// Configure receives the provider's backend.
func (d *webappBackupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// Read lists the backups in one call.
func (d *webappBackupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m webappBackupsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.backend.client.List(ctx, backupapi.ListOptions{Pattern: m.Pattern.ValueString(), Verbose: true})
	if err != nil {
		addBackupError(&resp.Diagnostics, "listing backups", err)
		return
	}
	m.Backups = []backupModel{}
	for _, b := range list {
		if m.LatestCompleted == nil && b.State == backupapi.StateCompleted {
			latest := newBackupModel(b)
			m.LatestCompleted = &latest
		}
		if m.State.IsNull() || string(b.State) == m.State.ValueString() {
			m.Backups = append(m.Backups, newBackupModel(b))
		}
	}
	m.Repository = optionalString(d.backend.repository)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
