package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

var _ list.ListResourceWithConfigure = &backupSetListResource{}

// backupSetListResource lists whole backups (sets) for terraform query: each result has the
// identity of a camunda_backup, so that generated configuration imports it.
type backupSetListResource struct {
	backend *backend
}

func newBackupSetListResource() list.ListResource { return &backupSetListResource{} }

type backupSetListModel struct {
	ZeebeRecords types.Bool `tfsdk:"zeebe_records"`
	Restorable   types.Bool `tfsdk:"restorable"`
}

// Metadata names the list resource after the resource it lists.
func (l *backupSetListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup"
}

// ListResourceConfigSchema describes the filters of the list.
func (l *backupSetListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the whole Camunda backups (sets) that any component knows, newest first, for " +
			"`terraform query`; `-generate-config-out` writes a `camunda_backup` resource and an import block by identity " +
			"for each. Requires Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"zeebe_records": schema.BoolAttribute{
				MarkdownDescription: "Require the zeebe-record snapshot in every set: a set without it is not restorable. Defaults to `false`.",
				Optional:            true,
			},
			"restorable": schema.BoolAttribute{
				MarkdownDescription: "Only sets that can (`true`) or cannot (`false`) be restored. Defaults to every set.",
				Optional:            true,
			},
		},
	}
}

// Configure receives the provider's backend.
func (l *backupSetListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.backend = backendOf(req.ProviderData, &resp.Diagnostics)
}

// List streams the sets that match the filters.
func (l *backupSetListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var m backupSetListModel
	if diags := req.Config.Get(ctx, &m); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var diags diag.Diagnostics
	set := l.backend.setOf(&diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	sets, err := set.List(ctx, m.ZeebeRecords.ValueBool())
	if err != nil {
		addBackupError(&diags, "listing backup sets", err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		sent := int64(0)
		for _, info := range sets.Sets {
			if !m.Restorable.IsNull() && info.Restorable != m.Restorable.ValueBool() {
				continue
			}
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			sent++
			if !push(l.result(ctx, req, info, m.ZeebeRecords.ValueBool(), set.Repository)) {
				return
			}
		}
	}
}

// result is one set as a list result: its identity, a display name, and, when asked, the
// resource's state as an import would read it.
func (l *backupSetListResource) result(ctx context.Context, req list.ListRequest, info procedure.SetInfo, records bool, repository string) list.ListResult {
	r := req.NewListResult(ctx)
	restorable := "restorable"
	if !info.Restorable {
		restorable = "not restorable"
	}
	r.DisplayName = fmt.Sprintf("backup set %s (%s, %s)", info.Set.ID, info.Set.State(), restorable)
	r.Diagnostics.Append(r.Identity.Set(ctx, identityOf(info.Set.ID))...)
	if req.IncludeResource {
		m := backupSetModel{
			ZeebeRecords:          types.BoolValue(records),
			ResumePausedExporting: types.BoolValue(false),
			DeleteOnDestroy:       types.BoolValue(false),
			Timeouts:              timeoutsValue(nil),
		}
		m.setInfo(info, repository)
		r.Diagnostics.Append(r.Resource.Set(ctx, &m)...)
	}
	return r
}
