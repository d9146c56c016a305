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
	id, version, partNo, partCount, ok := snapshotNameFields(name)
	if !ok {
		return Metadata{}, Invalidf("snapshot %q is not part of a web-application backup", name)
	}
	n, err1 := strconv.ParseInt(id, 10, 64)
	i, err2 := strconv.Atoi(partNo)
	c, err3 := strconv.Atoi(partCount)
	if err1 != nil || err2 != nil || err3 != nil {
		return Metadata{}, Invalidf("snapshot %q has numbers out of range", name)
	}
	m := Metadata{BackupID: ID(n), Version: version, PartNo: i, PartCount: c}
	if err := m.Validate(); err != nil {
		return Metadata{}, Invalidf("snapshot %q: %v", name, err)
	}
	return m, nil
}

// snapshotNameFields splits camunda_webapps_{id}_{version}_part_{i}_of_{n} into its fields:
// the numbers are one or more ASCII digits and the version is anything non-empty without '_'.
// As no field holds '_', the name is exactly six '_'-separated fields after the prefix.
func snapshotNameFields(name string) (id, version, partNo, partCount string, ok bool) {
	rest, ok := strings.CutPrefix(name, SnapshotPrefix)
	if !ok {
		return "", "", "", "", false
	}
	var part, of string
	id, rest, _ = strings.Cut(rest, "_")
	version, rest, _ = strings.Cut(rest, "_")
	part, rest, _ = strings.Cut(rest, "_")
	partNo, rest, _ = strings.Cut(rest, "_")
	of, partCount, _ = strings.Cut(rest, "_")
	ok = digits(id) && version != "" && part == "part" && digits(partNo) && of == "of" && digits(partCount)
	return id, version, partNo, partCount, ok
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ResolveMetadata returns the metadata of a snapshot from what Elasticsearch stored with it
// (stored may be nil, e.g. when listed with verbose=false) and its name: the stored metadata
// wins when it is complete, the name is the fallback. ok is false when the snapshot belongs to
// no backup.
func ResolveMetadata(name string, stored map[string]any) (m Metadata, ok bool) {
	fromStored, complete := metadataFromMap(stored)
	return resolveMetadata(name, fromStored, complete)
}

// StoredMetadata is what ResolveMetadata reads of the metadata stored with a snapshot, for
// decoders that read it from JSON without building a map: Version is the value of "version"
// when that is a string, and each Has flag tells whether its key holds a JSON number. The zero
// value is no metadata.
type StoredMetadata struct {
	Version                              string
	BackupID, PartNo, PartCount          float64
	HasBackupID, HasPartNo, HasPartCount bool
}

// ResolveStoredMetadata is ResolveMetadata for metadata read into a StoredMetadata: the same
// result as ResolveMetadata with the map the JSON decodes to.
func ResolveStoredMetadata(name string, stored StoredMetadata) (m Metadata, ok bool) {
	fromStored, complete := stored.metadata()
	return resolveMetadata(name, fromStored, complete)
}

// resolveMetadata chooses between the metadata of the name and the stored one, complete when
// it has a version, a part number and a part count.
func resolveMetadata(name string, fromStored Metadata, complete bool) (Metadata, bool) {
	fromName, err := ParseSnapshotName(name)
	if err != nil {
		return Metadata{}, false
	}
	if complete {
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
	id, _ := wholeNumber(stored["backupId"])
	partNo, ok1 := wholeNumber(stored["partNo"])
	partCount, ok2 := wholeNumber(stored["partCount"])
	return completeMetadata(version, id, partNo, partCount, ok1 && ok2)
}

func (s StoredMetadata) metadata() (Metadata, bool) {
	id, _ := storedNumber(s.BackupID, s.HasBackupID)
	partNo, ok1 := storedNumber(s.PartNo, s.HasPartNo)
	partCount, ok2 := storedNumber(s.PartCount, s.HasPartCount)
	return completeMetadata(s.Version, id, partNo, partCount, ok1 && ok2)
}

// completeMetadata assembles stored metadata; it is complete with whole part numbers and a version.
func completeMetadata(version string, id, partNo, partCount int64, whole bool) (Metadata, bool) {
	if !whole || version == "" {
		return Metadata{}, false
	}
	return Metadata{BackupID: ID(id), Version: version, PartNo: int(partNo), PartCount: int(partCount)}, true
}

// storedNumber reads a StoredMetadata number: present and whole.
func storedNumber(n float64, has bool) (int64, bool) {
	if !has {
		return 0, false
	}
	return wholeFloat(n)
}

// wholeNumber reads an integer decoded from JSON, as float64 or json.Number or int.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return wholeFloat(n)
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

// wholeFloat converts a float without a fractional part.
func wholeFloat(n float64) (int64, bool) {
	if n != float64(int64(n)) {
		return 0, false
	}
	return int64(n), true
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

// ListMatches reports whether backup id is one of those that a valid list pattern selects:
// every backup for "" or "*", those whose id starts with the digits before a '*', and
// otherwise exactly the backup the digits name.
func ListMatches(pattern string, id ID) bool {
	digits, wildcard := strings.CutSuffix(pattern, "*")
	if !wildcard && pattern != "" {
		return id.String() == pattern
	}
	return strings.HasPrefix(id.String(), digits)
}
