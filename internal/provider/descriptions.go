package provider

// Descriptions shared by the resource and the data sources, written for the generated docs.
const (
	descBackupID      = "The backup id: a positive integer, unique within the snapshot repository (a date such as `20261125` works well)."
	descState         = "State of the backup: `COMPLETED`, `IN_PROGRESS`, `FAILED`, `INCOMPATIBLE` or `INCOMPLETE`."
	descFailureReason = "Why the backup failed, when its state is `FAILED`; null otherwise."
	descStartTime     = "When the backup's last part started (RFC 3339, UTC); null when unknown."
	descSnapshotNames = "Names of the backup's Elasticsearch snapshots in part order: restore them one after another, in this order, from `repository`."
	descSnapshots     = "The backup's Elasticsearch snapshots, one per part, in part order."
	descSnapName      = "Name of the snapshot, `camunda_webapps_<backup_id>_<version>_part_<n>_of_<count>`."
	descSnapState     = "Elasticsearch's state of the snapshot: `SUCCESS`, `IN_PROGRESS`, `FAILED`, `PARTIAL` or `INCOMPATIBLE`."
	descSnapStart     = "When the snapshot started (RFC 3339, UTC); null when unknown."
	descSnapFailures  = "Reasons of the snapshot's shard failures; empty when none."
	descRepository    = "Name of the Elasticsearch snapshot repository holding the snapshots; null when the provider does not know it " +
		"(the actuator backend without `repository`)."
)
