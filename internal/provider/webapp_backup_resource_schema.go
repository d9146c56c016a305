package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// webappBackupSchemaVersion is the version of camunda_webapp_backup's state. Version 0 kept
// every snapshot's details in the state; version 1 keeps what a configuration references and
// leaves the details to the data sources.
const webappBackupSchemaVersion = 1

// Schema describes camunda_webapp_backup. The state holds scalars and one list of strings,
// so that a plan of many backups costs the framework little; the computed values keep their
// state value in plans (a backup changes only on refresh, never by an in-place update).
func (r *webappBackupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Version: webappBackupSchemaVersion,
		MarkdownDescription: "A backup of the Camunda 8 web applications (Operate and Tasklist): a set of Elasticsearch " +
			"snapshots taken one part after another. Creating the resource starts the backup and, by default, waits until " +
			"it has completed, waiting its turn behind a backup that is already running. A backup that fails fails the " +
			"apply and is replaced on the next one; so is a backup that breaks later (a part deleted outside Terraform).\n\n" +
			"Destroying the resource **keeps** the snapshots unless `delete_on_destroy` is true. To rotate backups, give the " +
			"resource `lifecycle { create_before_destroy = true }`, so that the new backup exists before the old one is " +
			"forgotten. For backups taken on a schedule or before every upgrade, the `camunda_webapp_backup` action " +
			"(Terraform 1.14 and later) fits better than a resource.\n\n" +
			"With the `elasticsearch` backend the provider itself takes the parts, so it always waits for completion.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The backup id as a string; the import id.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"backup_id": schema.NumberAttribute{
				MarkdownDescription: descBackupID + " Changing it takes a new backup; the old one is kept unless " +
					"`delete_on_destroy` is true.",
				Required:      true,
				Validators:    []validator.Number{backupIDValidator{}},
				PlanModifiers: []planmodifier.Number{numberplanmodifier.RequiresReplace()},
			},
			"wait_for_completion": schema.BoolAttribute{
				MarkdownDescription: "Wait until the backup has finished when creating it, and until its snapshots are gone " +
					"when destroying it. Defaults to `true`. When false, create returns as soon as the backup has started.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"delete_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Delete the snapshots when the resource is destroyed or replaced. Defaults to `false`: " +
					"destroying only removes the backup from the Terraform state, and says so in a warning.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"state": schema.StringAttribute{
				MarkdownDescription: descState + " A backup found `FAILED`, `INCOMPLETE` or `INCOMPATIBLE` on refresh is " +
					"planned for replacement.",
				Computed:      true,
				PlanModifiers: keep,
			},
			"failure_reason": schema.StringAttribute{
				MarkdownDescription: "Why the backup is not usable, when its state is `FAILED` or `INCOMPLETE`; null otherwise.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"snapshot_names": schema.ListAttribute{
				MarkdownDescription: descSnapshotNames + " While the backup runs, the snapshots it is scheduled to take.",
				ElementType:         types.StringType,
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"repository": schema.StringAttribute{
				MarkdownDescription: descRepository,
				Computed:            true,
				PlanModifiers:       keep,
			},
			"start_time": schema.StringAttribute{
				MarkdownDescription: "When the backup's first part started (RFC 3339, UTC); null when unknown.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"end_time": schema.StringAttribute{
				MarkdownDescription: "When the backup's last part ended (RFC 3339, UTC); null while it runs or when unknown.",
				Computed:            true,
				PlanModifiers:       keep,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// IdentitySchema describes the identity of a backup: its id, unique within the repository.
func (r *webappBackupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"backup_id": identityschema.Int64Attribute{
				Description:       "The backup id.",
				RequiredForImport: true,
			},
		},
	}
}

// timeoutsBlock is the timeouts block of camunda_webapp_backup: create and delete.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeouts.Opts{
		Create:            true,
		Delete:            true,
		CreateDescription: "How long to wait for the backup to finish, its wait behind a running backup included, e.g. `60m`. Defaults to `30m`.",
		DeleteDescription: "How long to wait for the snapshots to be deleted. Defaults to `10m`.",
	})
	if nested, ok := b.(schema.SingleNestedBlock); ok {
		nested.MarkdownDescription = "How long creating and destroying may take. A backup that has not finished when " +
			"`create` runs out fails the apply and stays in the state as tainted."
		return nested
	}
	return b
}
