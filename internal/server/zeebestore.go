package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// The filesystem backup store is laid out as Zeebe's FilesystemBackupStore lays it out:
//
//	<base>/manifests/<partitionId>/<checkpointId>/<nodeId>/manifest.json
//	<base>/contents/<partitionId>/<checkpointId>/<nodeId>/snapshot/<snapshot files>
//	<base>/contents/<partitionId>/<checkpointId>/<nodeId>/segments/<journal segments>
//
// The files of the snapshot and the segments are small placeholders: the emulated Zeebe
// holds no process data.

// manifestID identifies one node's backup of one partition.
type manifestID struct {
	NodeID       int   `json:"nodeId"`
	PartitionID  int   `json:"partitionId"`
	CheckpointID int64 `json:"checkpointId"`
}

// manifestDescriptor describes the checkpoint. Zeebe 8.8's exact descriptor fields are
// unconfirmed; these four are in every version read.
type manifestDescriptor struct {
	SnapshotID         string `json:"snapshotId,omitempty"`
	CheckpointPosition int64  `json:"checkpointPosition"`
	NumberOfPartitions int    `json:"numberOfPartitions"`
	BrokerVersion      string `json:"brokerVersion"`
}

type fileSet struct {
	Files []fileEntry `json:"files"`
}

type fileEntry struct {
	Name string `json:"name"`
}

// manifest is a manifest.json of the store (Zeebe's ManifestImpl: absent fields omitted,
// dates as ISO text, failureReason only when FAILED).
type manifest struct {
	ID            manifestID          `json:"id"`
	Descriptor    *manifestDescriptor `json:"descriptor,omitempty"`
	StatusCode    string              `json:"statusCode"`
	Snapshot      *fileSet            `json:"snapshot,omitempty"`
	Segments      *fileSet            `json:"segments,omitempty"`
	CreatedAt     time.Time           `json:"createdAt"`
	ModifiedAt    time.Time           `json:"modifiedAt"`
	FailureReason string              `json:"failureReason,omitempty"`
}

// fail marks the manifest FAILED with reason.
func (m *manifest) fail(reason string, now time.Time) {
	m.StatusCode, m.FailureReason, m.ModifiedAt = "FAILED", reason, now
}

// status maps the manifest to the API's partition entry.
func (m *manifest) status() backupapi.PartitionBackup {
	p := backupapi.PartitionBackup{PartitionID: m.ID.PartitionID, State: backupapi.State(m.StatusCode),
		FailureReason: m.FailureReason, CreatedAt: m.CreatedAt, LastUpdatedAt: m.ModifiedAt}
	if d := m.Descriptor; d != nil {
		p.SnapshotID, p.CheckpointPosition, p.BrokerVersion = d.SnapshotID, d.CheckpointPosition, d.BrokerVersion
	}
	return p
}

// newManifest is the IN_PROGRESS manifest of partition p's backup id; z.mu is held.
func (z *Zeebe) newManifest(p int, id backupapi.ID, now time.Time) *manifest {
	st := z.partitions[p-1]
	// A snapshot below the checkpoint position, named as Zeebe names snapshots
	// (index-term-processedPosition-exportedPosition).
	pos := max(st.CheckpointPosition-1, 1)
	return &manifest{
		ID:         manifestID{NodeID: nodeID, PartitionID: p, CheckpointID: int64(id)},
		Descriptor: &manifestDescriptor{SnapshotID: fmt.Sprintf("%d-1-%d-%d", pos, pos, pos), CheckpointPosition: st.CheckpointPosition, NumberOfPartitions: z.cfg.Partitions, BrokerVersion: z.cfg.BrokerVersion},
		StatusCode: "IN_PROGRESS", CreatedAt: now, ModifiedAt: now,
	}
}

func (z *Zeebe) entryDir(kind string, p int, id backupapi.ID) string {
	return filepath.Join(z.cfg.StorePath, kind, strconv.Itoa(p), id.String())
}

func (z *Zeebe) manifestPath(p int, id backupapi.ID) string {
	return filepath.Join(z.entryDir("manifests", p, id), strconv.Itoa(nodeID), "manifest.json")
}

func (z *Zeebe) writeManifest(m *manifest) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	return writeFileAtomic(z.manifestPath(m.ID.PartitionID, backupapi.ID(m.ID.CheckpointID)), data)
}

func (z *Zeebe) readManifest(p int, id backupapi.ID) (*manifest, error) {
	data, err := os.ReadFile(z.manifestPath(p, id))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read the manifest of backup %d on partition %d: %w", int64(id), p, err)
	}
	return &m, nil
}

// readManifests reads every node's manifest of partition p's backup id (none: empty).
func (z *Zeebe) readManifests(p int, id backupapi.ID) ([]*manifest, error) {
	nodes, err := os.ReadDir(z.entryDir("manifests", p, id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the manifests of backup %d on partition %d: %w", int64(id), p, err)
	}
	var out []*manifest
	for _, n := range nodes {
		if !n.IsDir() {
			continue
		}
		path := filepath.Join(z.entryDir("manifests", p, id), n.Name(), "manifest.json")
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("read the manifest of backup %d on partition %d, node %s: %w", int64(id), p, n.Name(), err)
		}
		out = append(out, &m)
	}
	return out, nil
}

// writeContents writes the partition's (placeholder) snapshot files and log segments and
// records them in the manifest.
func (z *Zeebe) writeContents(m *manifest) error {
	base := filepath.Join(z.entryDir("contents", m.ID.PartitionID, backupapi.ID(m.ID.CheckpointID)), strconv.Itoa(nodeID))
	snapshotID := m.Descriptor.SnapshotID
	snapshot := []string{"CURRENT", "MANIFEST-000001", "000001.sst", "zeebe.metadata", snapshotID + ".checksum"}
	segments := []string{"journal-1.log"}
	for dir, names := range map[string][]string{"snapshot": snapshot, "segments": segments} {
		for _, n := range names {
			content := fmt.Sprintf("emulated %s of partition %d, backup %d: no process data\n", n, m.ID.PartitionID, m.ID.CheckpointID)
			if err := writeFileAtomic(filepath.Join(base, dir, n), []byte(content)); err != nil {
				return err
			}
		}
	}
	m.Snapshot, m.Segments = &fileSet{}, &fileSet{}
	for _, n := range snapshot {
		m.Snapshot.Files = append(m.Snapshot.Files, fileEntry{n})
	}
	for _, n := range segments {
		m.Segments.Files = append(m.Segments.Files, fileEntry{n})
	}
	return nil
}

// storedIDs lists the backup ids partition p has manifests of.
func (z *Zeebe) storedIDs(p int) ([]backupapi.ID, error) {
	entries, err := os.ReadDir(filepath.Join(z.cfg.StorePath, "manifests", strconv.Itoa(p)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the backup store: %w", err)
	}
	ids := make([]backupapi.ID, 0, len(entries))
	for _, e := range entries {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() {
			if ms, err := z.readManifests(p, backupapi.ID(n)); err != nil || len(ms) > 0 {
				ids = append(ids, backupapi.ID(n)) // an unreadable one is reported by its status
			}
		}
	}
	return ids, nil
}

// deleteEntries removes partition p's manifest of backup id, then its contents, then the
// emptied directories, in Zeebe's order.
func (z *Zeebe) deleteEntries(p int, id backupapi.ID) error {
	if err := removeFileDurable(z.manifestPath(p, id)); err != nil {
		return err
	}
	for _, kind := range []string{"contents", "manifests"} {
		dir := z.entryDir(kind, p, id)
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("delete %s: %w", dir, err)
		}
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	return nil
}
