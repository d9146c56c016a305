package backupapi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SnapshotPrefix starts the name of every snapshot of a web-application backup. Snapshots of
// other products (Optimize's `camunda_optimize_...`, anything else) can share the repository
// and are never part of a backup.
const SnapshotPrefix = "camunda_webapps_"

var snapshotNameRE = regexp.MustCompile(`^camunda_webapps_(\d+)_([^_]+)_part_(\d+)_of_(\d+)$`)

// Metadata identifies one snapshot of a backup: which backup, which web-application version
// took it, and which part of how many it is. It is written into every snapshot's metadata and
// into its name.
type Metadata struct {
	BackupID  ID
	Version   string
	PartNo    int
	PartCount int
}

// Validate reports whether the metadata can name a snapshot: a valid id, a non-empty version
// without '_' (the name's separator) and a part number within the part count.
func (m Metadata) Validate() error {
	if err := m.BackupID.Validate(); err != nil {
		return err
	}
	if m.Version == "" || strings.Contains(m.Version, "_") {
		return Invalidf("version %q must be non-empty and must not contain '_'", m.Version)
	}
	if m.PartCount < 1 || m.PartNo < 1 || m.PartNo > m.PartCount {
		return Invalidf("part %d of %d is not a valid part", m.PartNo, m.PartCount)
	}
	return nil
}

// SnapshotName returns the name of the snapshot: camunda_webapps_{id}_{version}_part_{i}_of_{n}.
// The version is lower-cased, as Elasticsearch snapshot names must be.
func (m Metadata) SnapshotName() string {
	return fmt.Sprintf("%s%d_%s_part_%d_of_%d", SnapshotPrefix, m.BackupID, strings.ToLower(m.Version), m.PartNo, m.PartCount)
}

// Map returns the metadata in the form stored with the snapshot in Elasticsearch.
func (m Metadata) Map() map[string]any {
	return map[string]any{
		"backupId":  int64(m.BackupID),
		"version":   m.Version,
		"partNo":    m.PartNo,
		"partCount": m.PartCount,
	}
}

// ParseSnapshotName reads the metadata out of a snapshot name. A name that is not of the form
// camunda_webapps_{id}_{version}_part_{i}_of_{n} is not part of any backup: ErrInvalid.
func ParseSnapshotName(name string) (Metadata, error) {
	g := snapshotNameRE.FindStringSubmatch(name)
	if g == nil {
		return Metadata{}, Invalidf("snapshot %q is not part of a web-application backup", name)
	}
	id, err1 := strconv.ParseInt(g[1], 10, 64)
	partNo, err2 := strconv.Atoi(g[3])
	partCount, err3 := strconv.Atoi(g[4])
	m := Metadata{BackupID: ID(id), Version: g[2], PartNo: partNo, PartCount: partCount}
	if err1 != nil || err2 != nil || err3 != nil {
		return Metadata{}, Invalidf("snapshot %q has numbers out of range", name)
	}
	if err := m.Validate(); err != nil {
		return Metadata{}, Invalidf("snapshot %q: %v", name, err)
	}
	return m, nil
}

// ResolveMetadata returns the metadata of a snapshot from what Elasticsearch stored with it
// (stored may be nil, e.g. when listed with verbose=false) and its name: the stored metadata
// wins when it is complete, the name is the fallback. ok is false when the snapshot belongs to
// no backup.
func ResolveMetadata(name string, stored map[string]any) (m Metadata, ok bool) {
	fromName, err := ParseSnapshotName(name)
	if err != nil {
		return Metadata{}, false
	}
	if fromStored, ok := metadataFromMap(stored); ok {
		if fromStored.BackupID == 0 {
			fromStored.BackupID = fromName.BackupID // written by versions that stored no id
		}
		if fromStored.Validate() == nil {
			return fromStored, true
		}
	}
	return fromName, true
}

func metadataFromMap(stored map[string]any) (Metadata, bool) {
	if stored == nil {
		return Metadata{}, false
	}
	version, _ := stored["version"].(string)
	partNo, ok1 := wholeNumber(stored["partNo"])
	partCount, ok2 := wholeNumber(stored["partCount"])
	if !ok1 || !ok2 || version == "" {
		return Metadata{}, false
	}
	id, _ := wholeNumber(stored["backupId"])
	return Metadata{BackupID: ID(id), Version: version, PartNo: int(partNo), PartCount: int(partCount)}, true
}

// wholeNumber reads an integer decoded from JSON, as float64 or json.Number or int.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != float64(int64(n)) {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// BackupSnapshotsPattern is the snapshot-name wildcard that matches every part of backup id:
// camunda_webapps_{id}_*.
func BackupSnapshotsPattern(id ID) string { return fmt.Sprintf("%s%d_*", SnapshotPrefix, id) }

var listPatternRE = regexp.MustCompile(`^\d*\*?$`)

// ListPattern turns the `pattern` of the list API (digits optionally followed by one '*', at
// most 20 characters, empty meaning '*') into the snapshot-name wildcard to query. A pattern
// without '*' names one backup exactly: "123" queries camunda_webapps_123_*.
func ListPattern(pattern string) (string, error) {
	if len(pattern) > 20 || !listPatternRE.MatchString(pattern) {
		return "", Invalidf("Invalid pattern: %s", pattern)
	}
	switch {
	case pattern == "" || pattern == "*":
		return SnapshotPrefix + "*", nil
	case strings.HasSuffix(pattern, "*"):
		return SnapshotPrefix + pattern, nil
	default:
		return SnapshotPrefix + pattern + "_*", nil
	}
}
