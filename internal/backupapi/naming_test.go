package backupapi

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestSnapshotNameRoundTrip(t *testing.T) {
	tests := []struct {
		meta Metadata
		name string
	}{
		{Metadata{BackupID: 12312938123, Version: "8.7.3", PartNo: 11, PartCount: 13}, "camunda_webapps_12312938123_8.7.3_part_11_of_13"},
		{Metadata{BackupID: 123, Version: "8.8.0", PartNo: 1, PartCount: 6}, "camunda_webapps_123_8.8.0_part_1_of_6"},
		{Metadata{BackupID: 9223372036854775807, Version: "8.8.0", PartNo: 5, PartCount: 5}, "camunda_webapps_9223372036854775807_8.8.0_part_5_of_5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.meta.SnapshotName(); got != tt.name {
				t.Fatalf("SnapshotName() = %q, want %q", got, tt.name)
			}
			got, err := ParseSnapshotName(tt.name)
			if err != nil || got != tt.meta {
				t.Fatalf("ParseSnapshotName(%q) = %+v, %v; want %+v", tt.name, got, err, tt.meta)
			}
		})
	}
}

func TestSnapshotNameLowerCasesVersion(t *testing.T) {
	m := Metadata{BackupID: 1, Version: "8.8.0-SNAPSHOT", PartNo: 1, PartCount: 1}
	if got, want := m.SnapshotName(), "camunda_webapps_1_8.8.0-snapshot_part_1_of_1"; got != want {
		t.Fatalf("SnapshotName() = %q, want %q", got, want)
	}
}

func TestParseSnapshotNameRejectsForeignNames(t *testing.T) {
	for _, name := range []string{
		"camunda_optimize_12312938123_8.7.3_part_1_of_2",
		"camunda_webapps_123_8.8.0_part_1_of_6_extra",
		"camunda_webapps_123_8_8_0_part_1_of_6",
		"camunda_webapps_abc_8.8.0_part_1_of_6",
		"camunda_webapps_0_8.8.0_part_1_of_6",
		"camunda_webapps_1_8.8.0_part_0_of_6",
		"camunda_webapps_1_8.8.0_part_7_of_6",
		"camunda_webapps_99999999999999999999_8.8.0_part_1_of_6",
		"camunda_webapps_1__part_1_of_1",
		"nightly-2026.11.25",
		"",
	} {
		if _, err := ParseSnapshotName(name); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSnapshotName(%q) error = %v, want ErrInvalid", name, err)
		}
		if _, ok := ResolveMetadata(name, map[string]any{"backupId": 1.0, "version": "8.8.0", "partNo": 1.0, "partCount": 1.0}); ok {
			t.Errorf("ResolveMetadata(%q) accepted a name of no backup", name)
		}
	}
}

func TestResolveMetadataPrefersStoredMetadata(t *testing.T) {
	name := "camunda_webapps_5_8.8.0_part_2_of_6"
	var decoded map[string]any
	if err := json.Unmarshal([]byte(`{"backupId":5,"version":"8.8.1","partNo":2,"partCount":7}`), &decoded); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc   string
		stored map[string]any
		want   Metadata
	}{
		{"stored metadata wins", decoded, Metadata{BackupID: 5, Version: "8.8.1", PartNo: 2, PartCount: 7}},
		{"no metadata: the name", nil, Metadata{BackupID: 5, Version: "8.8.0", PartNo: 2, PartCount: 6}},
		{"incomplete metadata: the name", map[string]any{"version": "8.8.1"}, Metadata{BackupID: 5, Version: "8.8.0", PartNo: 2, PartCount: 6}},
		{"invalid metadata: the name", map[string]any{"version": "8.8.1", "partNo": 9.0, "partCount": 7.0}, Metadata{BackupID: 5, Version: "8.8.0", PartNo: 2, PartCount: 6}},
		{"metadata without id (8.1): id from the name", map[string]any{"version": "8.1.0", "partNo": 2.0, "partCount": 3.0}, Metadata{BackupID: 5, Version: "8.1.0", PartNo: 2, PartCount: 3}},
		{"fractional numbers are not metadata", map[string]any{"version": "8.8.1", "partNo": 1.5, "partCount": 7.0}, Metadata{BackupID: 5, Version: "8.8.0", PartNo: 2, PartCount: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, ok := ResolveMetadata(name, tt.stored)
			if !ok || got != tt.want {
				t.Fatalf("ResolveMetadata() = %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}

func TestMetadataMapIsWhatCamundaStores(t *testing.T) {
	m := Metadata{BackupID: 42, Version: "8.8.0", PartNo: 3, PartCount: 5}
	b, err := json.Marshal(m.Map())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"backupId":42,"partCount":5,"partNo":3,"version":"8.8.0"}`; got != want {
		t.Fatalf("metadata JSON = %s, want %s", got, want)
	}
	var back map[string]any
	_ = json.Unmarshal(b, &back)
	if got, ok := ResolveMetadata(m.SnapshotName(), back); !ok || got != m {
		t.Fatalf("round trip = %+v, %v", got, ok)
	}
}

func TestListPattern(t *testing.T) {
	valid := map[string]string{
		"":                     "camunda_webapps_*",
		"*":                    "camunda_webapps_*",
		"23":                   "camunda_webapps_23_*",
		"12390*":               "camunda_webapps_12390*",
		"1230891283*":          "camunda_webapps_1230891283*",
		"20250401*":            "camunda_webapps_20250401*",
		"20250401":             "camunda_webapps_20250401_*",
		"9223372036854775807*": "camunda_webapps_9223372036854775807*",
	}
	for pattern, want := range valid {
		got, err := ListPattern(pattern)
		if err != nil || got != want {
			t.Errorf("ListPattern(%q) = %q, %v; want %q", pattern, got, err, want)
		}
	}
	for _, pattern := range []string{"23a", "backup24*", "**", "12345678901234567890123456", "  ", "\n", "\t", "abcd123*", "123*?query=all", "1*2", "-1", "123456789012345678901"} {
		_, err := ListPattern(pattern)
		if !errors.Is(err, ErrInvalid) || err.Error() != "Invalid pattern: "+pattern {
			t.Errorf("ListPattern(%q) error = %v, want ErrInvalid %q", pattern, err, "Invalid pattern: "+pattern)
		}
	}
}

func TestListMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		id      ID
		want    bool
	}{
		{"", 7, true},
		{"*", 9223372036854775807, true},
		{"123", 123, true},
		{"123", 1234, false},
		{"123", 12, false},
		{"0123", 123, false}, // the query camunda_webapps_0123_* matches no snapshot of backup 123
		{"12*", 12, true},
		{"12*", 129, true},
		{"12*", 312, false},
		{"20250401*", 2025040112, true},
	} {
		if got := ListMatches(tc.pattern, tc.id); got != tc.want {
			t.Errorf("ListMatches(%q, %d) = %v, want %v", tc.pattern, tc.id, got, tc.want)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, s := range []string{"1", "123", "9223372036854775807"} {
		if _, err := ParseID(s); err != nil {
			t.Errorf("ParseID(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"0", "-1", "", "abc", "1.5", "9223372036854775808", " 1", "1e3", "+"} {
		if _, err := ParseID(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseID(%q) error = %v, want ErrInvalid", s, err)
		}
	}
	if err := ID(0).Validate(); err == nil || err.Error() != "backupId must be a positive integer, got: 0" {
		t.Errorf("ID(0).Validate() = %v", err)
	}
}

func FuzzParseSnapshotName(f *testing.F) {
	for _, s := range []string{"camunda_webapps_1_8.8.0_part_1_of_6", "camunda_optimize_1_8.7.3_part_1_of_2", "camunda_webapps__x_part__of_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m, err := ParseSnapshotName(name)
		if err != nil {
			return
		}
		if m.Validate() != nil {
			t.Fatalf("accepted invalid metadata %+v from %q", m, name)
		}
		// Names are lower case in Elasticsearch; the version is lower-cased when naming.
		again, err := ParseSnapshotName(m.SnapshotName())
		m.Version = strings.ToLower(m.Version)
		if err != nil || again != m {
			t.Fatalf("%q: name of %+v does not parse back: %+v, %v", name, m, again, err)
		}
	})
}

// FuzzListPattern checks that a valid pattern becomes a query of digits and one final '*',
// and that ListMatches selects exactly the backups whose snapshots the query matches.
func FuzzListPattern(f *testing.F) {
	for _, s := range []string{"", "*", "123", "123*", "**", "1*2"} {
		f.Add(s, int64(123))
	}
	f.Fuzz(func(t *testing.T, pattern string, id int64) {
		q, err := ListPattern(pattern)
		if err != nil {
			return
		}
		if id > 0 {
			name := Metadata{BackupID: ID(id), Version: "8.8.0", PartNo: 1, PartCount: 1}.SnapshotName()
			if queried := strings.HasPrefix(name, strings.TrimSuffix(q, "*")); ListMatches(pattern, ID(id)) != queried {
				t.Fatalf("ListMatches(%q, %d) = %v, but query %q matches %s: %v", pattern, id, !queried, q, name, queried)
			}
		}
		rest := q[len(SnapshotPrefix):]
		for i, r := range rest {
			if (r < '0' || r > '9') && r != '*' && r != '_' || (r == '*' && i != len(rest)-1) {
				t.Fatalf("ListPattern(%q) = %q: query has more than digits and one final '*'", pattern, q)
			}
		}
	})
}

// snapshotNameRE is the definition of a backup snapshot's name that ParseSnapshotName implements by hand.
var snapshotNameRE = regexp.MustCompile(`^camunda_webapps_(\d+)_([^_]+)_part_(\d+)_of_(\d+)$`)

// FuzzSnapshotNameFieldsMatchesRegexp checks the hand-written name parser against the
// regular expression that defines the name: same match, same fields.
func FuzzSnapshotNameFieldsMatchesRegexp(f *testing.F) {
	for _, s := range []string{
		"camunda_webapps_1_8.8.0_part_1_of_6", "camunda_webapps_1_8.8.0_part_1_of_6_", "camunda_webapps_1__part_1_of_6",
		"camunda_webapps_1_8\n0_part_1_of_6", "camunda_webapps_1_\xff_part_1_of_6", "camunda_webapps__x_part__of_",
		"camunda_webapps_1_x_part_1_of_", "camunda_webapps_1_x_part_1_of", "camunda_webapps_١_x_part_1_of_1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, version, partNo, partCount, ok := snapshotNameFields(name)
		g := snapshotNameRE.FindStringSubmatch(name)
		if ok != (g != nil) {
			t.Fatalf("%q: hand-written match %v, regexp match %v", name, ok, g != nil)
		}
		if ok && (id != g[1] || version != g[2] || partNo != g[3] || partCount != g[4]) {
			t.Fatalf("%q: fields %q %q %q %q, regexp %q", name, id, version, partNo, partCount, g[1:])
		}
	})
}

// FuzzResolveStoredMetadataMatchesMap checks that metadata read field by field resolves as
// the map encoding/json decodes the same JSON to.
func FuzzResolveStoredMetadataMatchesMap(f *testing.F) {
	f.Add("camunda_webapps_5_8.8.0_part_2_of_6", `{"backupId":5,"version":"8.8.1","partNo":2,"partCount":7}`)
	f.Add("camunda_webapps_5_8.8.0_part_2_of_6", `{"version":"8.1.0","partNo":2.0,"partCount":3e0}`)
	f.Add("camunda_webapps_5_8.8.0_part_2_of_6", `{"version":7,"partNo":"2","partCount":1.5,"backupId":-1}`)
	f.Add("camunda_webapps_5_8.8.0_part_2_of_6", `{"version":"x","partNo":1e300,"partCount":1e19,"backupId":9223372036854775807}`)
	f.Fuzz(func(t *testing.T, name, stored string) {
		var m map[string]any
		if json.Unmarshal([]byte(stored), &m) != nil {
			return
		}
		var s StoredMetadata
		s.Version, _ = m["version"].(string)
		s.BackupID, s.HasBackupID = m["backupId"].(float64)
		s.PartNo, s.HasPartNo = m["partNo"].(float64)
		s.PartCount, s.HasPartCount = m["partCount"].(float64)
		got, gotOK := ResolveStoredMetadata(name, s)
		want, wantOK := ResolveMetadata(name, m)
		if got != want || gotOK != wantOK {
			t.Fatalf("ResolveStoredMetadata = %+v, %v; ResolveMetadata = %+v, %v", got, gotOK, want, wantOK)
		}
	})
}
