package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// backupDataAttributes are the attributes of one backup in the data sources; backup_id is
// computed unless the caller replaces it.
func backupDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"backup_id":      schema.Int64Attribute{MarkdownDescription: descBackupID, Computed: true},
		"state":          schema.StringAttribute{MarkdownDescription: descState, Computed: true},
		"failure_reason": schema.StringAttribute{MarkdownDescription: descFailureReason, Computed: true},
		"start_time":     schema.StringAttribute{MarkdownDescription: descStartTime, Computed: true},
		"snapshot_names": schema.ListAttribute{MarkdownDescription: descSnapshotNames, ElementType: types.StringType, Computed: true},
		"snapshots": schema.ListNestedAttribute{
			MarkdownDescription: descSnapshots,
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":       schema.StringAttribute{MarkdownDescription: descSnapName, Computed: true},
				"state":      schema.StringAttribute{MarkdownDescription: descSnapState, Computed: true},
				"start_time": schema.StringAttribute{MarkdownDescription: descSnapStart, Computed: true},
				"failures":   schema.ListAttribute{MarkdownDescription: descSnapFailures, ElementType: types.StringType, Computed: true},
			}},
		},
	}
}
