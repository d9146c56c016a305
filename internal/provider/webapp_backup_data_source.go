package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

var _ datasource.DataSourceWithConfigure = &webappBackupDataSource{}

// webappBackupDataSource is camunda_webapp_backup: one backup looked up by id.
type webappBackupDataSource struct {
	backend *backend
}

func newWebappBackupDataSource() datasource.DataSource { return &webappBackupDataSource{} }

type webappBackupDataModel struct {
	backupModel
	Repository types.String `tfsdk:"repository"`
}

// Metadata names the data source.
func (d *webappBackupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_backup"
}

// Schema describes the data source.
func (d *webappBackupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := backupDataAttributes()
	attrs["backup_id"] = schema.Int64Attribute{
		MarkdownDescription: descBackupID + " The backup must exist.",
		Required:            true,
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
	}
	attrs["repository"] = schema.StringAttribute{MarkdownDescription: descRepository, Computed: true}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One backup of the Camunda 8 web applications, looked up by id: its state and the ordered " +
			"snapshot names and repository needed to restore it.",
		Attributes: attrs,
	}
}

// Configure receives the provider's backend.
func (d *webappBackupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// checkInRepository checks, when the provider reaches Elasticsearch, that the snapshots of
// backup b are in the repository the provider names: the restore plan the data source gives
// must name the repository that holds them. The actuator API does not report the repository, so
// without Elasticsearch access the check cannot be made.
func checkInRepository(ctx context.Context, be *backend, b backupapi.Backup) error {
	if be.snapshots == nil || len(b.Snapshots) == 0 {
		return nil
	}
	names := b.SnapshotNames()
	found, err := be.snapshots.FindSnapshots(ctx, names...)
	if err != nil {
		return fmt.Errorf("checking the snapshots of backup %s in repository %s: %s", b.ID, be.repository, backupapi.Detail(err))
	}
	var missing []string
	for _, n := range names {
		if !slices.Contains(found, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("repository %s does not hold %s of backup %s: the repository setting does not match the one the web "+
			"applications back up to (Camunda's backup.repositoryName), or the snapshots were deleted", be.repository,
			strings.Join(missing, ", "), b.ID)
	}
	return nil
}

// Read looks the backup up; a backup that does not exist is an error.
func (d *webappBackupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m webappBackupDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := backupapi.ID(m.BackupID.ValueInt64())
	b, err := d.backend.client.Get(ctx, id)
	if err != nil {
		addBackupError(&resp.Diagnostics, "reading backup "+id.String(), err)
		return
	}
	if err := checkInRepository(ctx, d.backend, b); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("repository"), "Backup Not in the Repository", err.Error())
		return
	}
	m.backupModel = newBackupModel(b)
	m.Repository = optionalString(d.backend.repository)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
