package backupapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// snap builds part i of n of backup 1, in state st, that ended `ago` before now (never when
// ago is negative).
func snap(i, n int, st string, ago time.Duration) Snapshot {
	m := Metadata{BackupID: 1, Version: "8.8.0", PartNo: i, PartCount: n}
	s := Snapshot{Name: m.SnapshotName(), State: st, Metadata: m, StartTime: now.Add(-ago - time.Second)}
	if ago >= 0 {
		s.EndTime = now.Add(-ago)
	}
	return s
}

func TestDeriveState(t *testing.T) {
	const timeout = 5 * time.Minute
	const running = -1
	tests := []struct {
		desc   string
		snaps  []Snapshot
		state  State
		reason string
	}{
		{"1 of 1 SUCCESS", []Snapshot{snap(1, 1, "SUCCESS", time.Hour)}, StateCompleted, ""},
		{"2 of 2 SUCCESS", []Snapshot{snap(1, 2, "SUCCESS", time.Hour), snap(2, 2, "SUCCESS", time.Hour)}, StateCompleted, ""},
		{"6 of 6 SUCCESS in any order", []Snapshot{snap(4, 6, "SUCCESS", 1), snap(2, 6, "SUCCESS", 1), snap(6, 6, "SUCCESS", 1), snap(1, 6, "SUCCESS", 1), snap(3, 6, "SUCCESS", 1), snap(5, 6, "SUCCESS", 1)}, StateCompleted, ""},
		{"one FAILED", []Snapshot{snap(1, 3, "SUCCESS", time.Hour), snap(2, 3, "FAILED", time.Hour)}, StateFailed, "There were failures with the following snapshots: camunda_webapps_1_8.8.0_part_2_of_3"},
		{"FAILED wins over PARTIAL", []Snapshot{snap(1, 3, "PARTIAL", 1), snap(2, 3, "FAILED", 1), snap(3, 3, "FAILED", 1)}, StateFailed, "There were failures with the following snapshots: camunda_webapps_1_8.8.0_part_2_of_3, camunda_webapps_1_8.8.0_part_3_of_3"},
		{"one PARTIAL", []Snapshot{snap(1, 2, "SUCCESS", 1), snap(2, 2, "PARTIAL", 1)}, StateFailed, "Some of the snapshots are partial: camunda_webapps_1_8.8.0_part_2_of_2"},
		{"FAILED wins over IN_PROGRESS", []Snapshot{snap(1, 3, "FAILED", 1), snap(2, 3, "IN_PROGRESS", running)}, StateFailed, "There were failures with the following snapshots: camunda_webapps_1_8.8.0_part_1_of_3"},
		{"INCOMPATIBLE", []Snapshot{snap(1, 2, "SUCCESS", 1), snap(2, 2, "INCOMPATIBLE", 1)}, StateIncompatible, ""},
		{"INCOMPATIBLE wins over IN_PROGRESS", []Snapshot{snap(1, 3, "INCOMPATIBLE", 1), snap(2, 3, "IN_PROGRESS", running)}, StateIncompatible, ""},
		{"one part of 3 running", []Snapshot{snap(1, 3, "IN_PROGRESS", running)}, StateInProgress, ""},
		{"one part of 3 STARTED (OpenSearch's running state)", []Snapshot{snap(1, 3, "STARTED", running)}, StateInProgress, ""},
		{"2 of 3, last running", []Snapshot{snap(1, 3, "SUCCESS", time.Hour), snap(2, 3, "IN_PROGRESS", running)}, StateInProgress, ""},
		{"2 of 3, last ended 5 ms ago", []Snapshot{snap(1, 3, "SUCCESS", time.Second), snap(2, 3, "SUCCESS", 5*time.Millisecond)}, StateInProgress, ""},
		{"1 of 3 finished now", []Snapshot{snap(1, 3, "SUCCESS", 0)}, StateInProgress, ""},
		{"2 of 3, last ended long ago", []Snapshot{snap(1, 3, "SUCCESS", 2*time.Hour), snap(2, 3, "SUCCESS", time.Hour)}, StateIncomplete, ""},
		{"1 of 3 finished twice the timeout ago", []Snapshot{snap(1, 3, "SUCCESS", 2*timeout)}, StateIncomplete, ""},
		{"started long ago, ended recently", []Snapshot{func() Snapshot {
			s := snap(1, 3, "SUCCESS", time.Second)
			s.StartTime = now.Add(-time.Hour)
			return s
		}()}, StateInProgress, ""},
		{"exactly at the timeout: still in progress", []Snapshot{snap(1, 3, "SUCCESS", timeout)}, StateInProgress, ""},
		{"just past the timeout", []Snapshot{snap(1, 3, "SUCCESS", timeout+time.Millisecond)}, StateIncomplete, ""},
		{"the last part decides, not the first", []Snapshot{snap(2, 3, "SUCCESS", time.Second), snap(1, 3, "SUCCESS", time.Hour)}, StateInProgress, ""},
		{"times unknown (verbose=false)", []Snapshot{{Name: "camunda_webapps_1_8.8.0_part_1_of_3", State: "SUCCESS", Metadata: Metadata{BackupID: 1, Version: "8.8.0", PartNo: 1, PartCount: 3}}}, StateIncomplete, ""},
		{"more snapshots than expected", []Snapshot{snap(1, 1, "SUCCESS", 1), snap(2, 2, "SUCCESS", 1)}, StateFailed, "More snapshots found than expected."},
		{"unknown state, all parts there", []Snapshot{snap(1, 1, "", 1)}, StateFailed, ""},
	}
	d := Derivation{Now: now, IncompleteAfter: timeout}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			b := d.Derive(1, tt.snaps)
			if b.State != tt.state || b.FailureReason != tt.reason {
				t.Fatalf("Derive() = %s %q, want %s %q", b.State, b.FailureReason, tt.state, tt.reason)
			}
			if !slices.IsSortedFunc(b.Snapshots, func(a, b Snapshot) int { return a.Metadata.PartNo - b.Metadata.PartNo }) {
				t.Fatalf("snapshots are not in part order: %v", b.SnapshotNames())
			}
		})
	}
}

func TestGroupOrdersNewestFirstAndIgnoresForeignSnapshots(t *testing.T) {
	part := func(id ID, i, n int, start time.Time) Snapshot {
		m := Metadata{BackupID: id, Version: "8.8.0", PartNo: i, PartCount: n}
		return Snapshot{Name: m.SnapshotName(), State: "SUCCESS", Metadata: m, StartTime: start, EndTime: start.Add(time.Second)}
	}
	snaps := []Snapshot{
		part(10, 1, 2, now.Add(-3*time.Hour)), part(10, 2, 2, now.Add(-time.Minute)), // newest by its last part
		part(20, 1, 1, now.Add(-2*time.Hour)),
		part(5, 1, 1, now.Add(-4*time.Hour)),
		{Name: "camunda_optimize_1_8.8.0_part_1_of_1", State: "SUCCESS"},
	}
	got := Derivation{Now: now, IncompleteAfter: time.Minute}.Group(snaps)
	var ids []ID
	for _, b := range got {
		ids = append(ids, b.ID)
	}
	if !slices.Equal(ids, []ID{10, 20, 5}) {
		t.Fatalf("order = %v, want [10 20 5]", ids)
	}
	if got[0].State != StateCompleted || len(got[0].Snapshots) != 2 {
		t.Fatalf("backup 10 = %+v", got[0])
	}
	// Without times (verbose=false) the order is by id, descending.
	for i := range snaps {
		snaps[i].StartTime, snaps[i].EndTime = time.Time{}, time.Time{}
	}
	got = Derivation{Now: now}.Group(snaps)
	ids = ids[:0]
	for _, b := range got {
		ids = append(ids, b.ID)
	}
	if !slices.Equal(ids, []ID{20, 10, 5}) {
		t.Fatalf("order without times = %v, want [20 10 5]", ids)
	}
}

func TestBackupJSON(t *testing.T) {
	start := time.Date(2023, 1, 1, 10, 10, 10, 100e6, time.UTC)
	b := Backup{ID: 123, State: StateCompleted, Snapshots: []Snapshot{
		{Name: "camunda_webapps_123_8.8.0_part_1_of_2", State: "SUCCESS", StartTime: start},
		{Name: "camunda_webapps_123_8.8.0_part_2_of_2", State: "IN_PROGRESS", Failures: []string{"disk full"}},
	}}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"backupId":123,"state":"COMPLETED","failureReason":null,"details":[` +
		`{"snapshotName":"camunda_webapps_123_8.8.0_part_1_of_2","state":"SUCCESS","startTime":"2023-01-01T10:10:10.100+0000","failures":[]},` +
		`{"snapshotName":"camunda_webapps_123_8.8.0_part_2_of_2","state":"IN_PROGRESS","startTime":null,"failures":["disk full"]}]}`
	if string(out) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", out, want)
	}
	var back Backup
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != 123 || !back.Snapshots[0].StartTime.Equal(start) || back.Snapshots[1].Metadata.PartNo != 2 || back.Snapshots[1].Failures[0] != "disk full" {
		t.Fatalf("round trip = %+v", back)
	}
	b.State, b.FailureReason = StateFailed, "Some of the snapshots are partial: x"
	out, _ = json.Marshal(b)
	if !strings.Contains(string(out), `"failureReason":"Some of the snapshots are partial: x"`) {
		t.Fatalf("failure reason not written: %s", out)
	}
	if err := json.Unmarshal([]byte(`{"backupId":1,"details":[{"snapshotName":"x","startTime":"yesterday"}]}`), &back); err == nil {
		t.Fatal("a start time in no known format was accepted")
	}
}

func FuzzBackupUnmarshal(f *testing.F) {
	f.Add([]byte(`{"backupId":123,"state":"COMPLETED","failureReason":null,"details":[{"snapshotName":"camunda_webapps_123_8.8.0_part_1_of_6","state":"SUCCESS","startTime":"2023-01-01T10:10:10.100+0000","failures":[]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Backup
		if json.Unmarshal(data, &b) != nil {
			return
		}
		if _, err := json.Marshal(b); err != nil {
			t.Fatalf("a decoded backup does not encode: %v", err)
		}
	})
}

// FuzzAppendJSONMatchesEncodingJSON checks the hand-written encoder against encoding/json
// marshalling the wire form: the same bytes for any names, states, reasons and times.
func FuzzAppendJSONMatchesEncodingJSON(f *testing.F) {
	f.Add(int64(123), "COMPLETED", "", "camunda_webapps_123_8.8.0_part_1_of_6", "SUCCESS", int64(1735689600123), "")
	f.Add(int64(1), "FAILED", "There were failures: <a> & \"b\"", "x\u2028y\x00\xff", "FAILED", int64(0), "shard [0] \\ failed\n")
	f.Fuzz(func(t *testing.T, id int64, state, reason, name, snapState string, startMillis int64, failure string) {
		s := Snapshot{Name: name, State: snapState, Failures: []string{failure, failure}}
		if startMillis != 0 && startMillis > -1e15 && startMillis < 1e15 {
			s.StartTime = time.UnixMilli(startMillis)
		}
		b := Backup{ID: ID(id), State: State(state), FailureReason: reason, Snapshots: []Snapshot{s, {Name: name}}}

		w := backupJSON{BackupID: id, State: b.State, Details: []snapshotJSON{}}
		if reason != "" {
			w.FailureReason = &reason
		}
		for _, s := range b.Snapshots {
			d := snapshotJSON{SnapshotName: s.Name, State: s.State, Failures: s.Failures}
			if d.Failures == nil {
				d.Failures = []string{}
			}
			if !s.StartTime.IsZero() {
				start := s.StartTime.UTC().Format(TimeLayout)
				d.StartTime = &start
			}
			w.Details = append(w.Details, d)
		}
		want, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
