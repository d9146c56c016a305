package backupapi

// SnapshotIndex is one index that a snapshot holds, as Elasticsearch reports it.
type SnapshotIndex struct {
	Name   string
	Shards int
}

// IndexStatus is an index as it stands in the cluster after a restore.
type IndexStatus struct {
	Name string
	// Open is false for a closed index.
	Open bool
	// Shards is the number of primary shards.
	Shards int
	// Documents is the number of documents, -1 when unknown (a closed index).
	Documents int64
}
