package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Schema describes camunda_webapp_backup. Every computed attribute keeps its state value in
// plans: a backup changes only on refresh, never because of an in-place update.
func (r *webappBackupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keepString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	keepList := []planmodifier.List{listplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A backup of the Camunda 8 web applications (Operate and Tasklist): a set of Elasticsearch " +
			"snapshots taken one part after another. Creating the resource starts the backup and, by default, waits until " +
			"it has completed; a backup that fails fails the apply and is replaced on the next one. Destroying the resource " +
			"deletes the snapshots unless `delete_on_destroy` is false.\n\n" +
			"With the `elasticsearch` backend the provider itself takes the parts, so it always waits for completion.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The backup id as a string; the import id.",
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"backup_id": schema.Int64Attribute{
				MarkdownDescription: descBackupID + " Changing it takes a new backup and deletes the old one (see `delete_on_destroy`).",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait until the backup has finished when creating it, and until its snapshots are gone " +
					"when destroying it. Defaults to `true`. When false, create returns as soon as the backup has started.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"delete_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Delete the snapshots when the resource is destroyed. Defaults to `true`; " +
					"when false, destroying only removes the backup from the Terraform state.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"state": schema.StringAttribute{
				MarkdownDescription: descState,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"failure_reason": schema.StringAttribute{
				MarkdownDescription: descFailureReason,
				Computed:            true,
				PlanModifiers:       keepString,
			},
			"scheduled_snapshots": schema.ListAttribute{
				MarkdownDescription: "Names of the snapshots the backup was scheduled to take, in part order.",
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       keepList,
			},
			"snapshots": schema.ListNestedAttribute{
				MarkdownDescription: descSnapshots,
				Computed:            true,
				PlanModifiers:       keepList,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":       schema.StringAttribute{MarkdownDescription: descSnapName, Computed: true},
					"state":      schema.StringAttribute{MarkdownDescription: descSnapState, Computed: true},
					"start_time": schema.StringAttribute{MarkdownDescription: descSnapStart, Computed: true},
					"failures":   schema.ListAttribute{MarkdownDescription: descSnapFailures, ElementType: types.StringType, Computed: true},
				}},
			},
			"repository": schema.StringAttribute{
				MarkdownDescription: descRepository,
				Computed:            true,
				PlanModifiers:       keepString,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// timeoutsBlock is the timeouts block of camunda_webapp_backup: create and delete.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeouts.Opts{
		Create:            true,
		Delete:            true,
		CreateDescription: "How long to wait for the backup to finish, e.g. `60m`. Defaults to `30m`.",
		DeleteDescription: "How long to wait for the snapshots to be deleted. Defaults to `10m`.",
	})
	if nested, ok := b.(schema.SingleNestedBlock); ok {
		nested.MarkdownDescription = "How long creating and destroying may take. A backup that has not finished when " +
			"`create` runs out fails the apply and stays in the state as tainted."
		return nested
	}
	return b
}
