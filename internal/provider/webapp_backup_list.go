package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

var _ list.ListResourceWithConfigure = &webappBackupListResource{}

// webappBackupListResource lists the backups of the web applications for terraform query:
// each result has the identity of a camunda_webapp_backup, so that generated configuration
// imports it.
type webappBackupListResource struct {
	backend *backend
}

func newWebappBackupListResource() list.ListResource { return &webappBackupListResource{} }

type webappBackupListModel struct {
	Pattern types.String `tfsdk:"pattern"`
	State   types.String `tfsdk:"state"`
}

// Metadata names the list resource after the resource it lists.
func (l *webappBackupListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webapp_backup"
}

// ListResourceConfigSchema describes the filters of the list.
func (l *webappBackupListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the backups of the Camunda 8 web applications, newest first, for `terraform query`; " +
			"`-generate-config-out` writes a `camunda_webapp_backup` resource and an import block by identity for each. " +
			"Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"pattern": schema.StringAttribute{
				MarkdownDescription: "Only backups whose id matches: digits, optionally followed by `*` (e.g. `2026*`).",
				Optional:            true,
				Validators:          []validator.String{validListPattern()},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "Only backups in this state: `COMPLETED`, `IN_PROGRESS`, `FAILED`, `INCOMPATIBLE` or `INCOMPLETE`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(stateNames()...)},
			},
		},
	}
}

// Configure receives the provider's backend.
func (l *webappBackupListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// List streams the backups that match the filters, with one request to the backend.
func (l *webappBackupListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var m webappBackupListModel
	if diags := req.Config.Get(ctx, &m); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	backups, err := l.backend.client.List(ctx, backupapi.ListOptions{Pattern: m.Pattern.ValueString(), Verbose: true})
	if err != nil {
		var diags diag.Diagnostics
		addBackupError(&diags, "listing backups", err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		sent := int64(0)
		for _, b := range backups {
			if !m.State.IsNull() && string(b.State) != m.State.ValueString() {
				continue
			}
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			sent++
			if !push(l.result(ctx, req, b)) {
				return
			}
		}
	}
}

// result is one backup as a list result: its identity, a display name, and, when asked, the
// resource's state as an import would read it.
func (l *webappBackupListResource) result(ctx context.Context, req list.ListRequest, b backupapi.Backup) list.ListResult {
	r := req.NewListResult(ctx)
	r.DisplayName = fmt.Sprintf("backup %s (%s)", b.ID, b.State)
	r.Diagnostics.Append(r.Identity.Set(ctx, identityOf(b.ID))...)
	if req.IncludeResource {
		m := webappBackupModel{
			WaitForCompletion: types.BoolValue(true),
			DeleteOnDestroy:   types.BoolValue(false),
			Timeouts:          timeoutsValue(nil),
		}
		m.setBackup(b, l.backend.repository, nil)
		r.Diagnostics.Append(r.Resource.Set(ctx, &m)...)
	}
	return r
}
