package backupapi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func optSnaps(states ...string) []Snapshot {
	s := make([]Snapshot, len(states))
	for i, st := range states {
		s[i] = Snapshot{Name: OptimizeSnapshotName(7, "8.8.0", i+1), State: st}
	}
	return s
}

// TestOptimizeState is Optimize's determineBackupState (facts §3), in its order.
func TestOptimizeState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		snaps  []Snapshot
		want   State
		reason string
	}{
		{"two successes", optSnaps("SUCCESS", "SUCCESS"), StateCompleted, ""},
		{"one failed", optSnaps("SUCCESS", "FAILED"), StateFailed, "The following snapshots failed: [camunda_optimize_7_8.8.0_part_2_of_2]"},
		{"partial counts as failed, names only FAILED ones", optSnaps("PARTIAL", "SUCCESS"), StateFailed, "The following snapshots failed: []"},
		{"failed before incompatible", optSnaps("INCOMPATIBLE", "FAILED"), StateFailed, "The following snapshots failed: [camunda_optimize_7_8.8.0_part_2_of_2]"},
		{"incompatible", optSnaps("INCOMPATIBLE", "IN_PROGRESS"), StateIncompatible, ""},
		{"in progress", optSnaps("SUCCESS", "IN_PROGRESS"), StateInProgress, ""},
		{"part 2 not started", optSnaps("SUCCESS"), StateIncomplete, ""},
		{"more than two", optSnaps("SUCCESS", "SUCCESS", "SUCCESS"), StateFailed, "The following snapshots failed: []"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := OptimizeState(tc.snaps)
			if got != tc.want || reason != tc.reason {
				t.Fatalf("got %s %q, want %s %q", got, reason, tc.want, tc.reason)
			}
		})
	}
}

func TestOptimizeNames(t *testing.T) {
	if n := OptimizeSnapshotName(123, "8.8.0", 1); n != "camunda_optimize_123_8.8.0_part_1_of_2" {
		t.Fatal(n)
	}
	for _, tc := range []struct {
		name string
		id   ID
		ok   bool
	}{
		{"camunda_optimize_123_8.8.0_part_2_of_2", 123, true},
		{"camunda_optimize_0_8.8.0_part_1_of_2", 0, true},
		{"camunda_webapps_123_8.8.0_part_1_of_5", 0, false},
		{"camunda_optimize_x_8.8.0_part_1_of_2", 0, false},
	} {
		id, ok := ParseOptimizeSnapshotID(tc.name)
		if id != tc.id || ok != tc.ok {
			t.Errorf("%s: %d %v", tc.name, id, ok)
		}
	}
	if OptimizeSnapshotPattern(5) != "camunda_optimize_5_*" {
		t.Fatal(OptimizeSnapshotPattern(5))
	}
}

func TestOptimizeBackupJSON(t *testing.T) {
	start := time.Date(2025, 6, 3, 7, 53, 54, 389e6, time.UTC)
	s := optSnaps("SUCCESS", "SUCCESS")
	s[0].StartTime = start
	b := NewOptimizeBackup(7, s)
	got, _ := json.Marshal(b)
	want := `{"backupId":7,"failureReason":null,"state":"COMPLETED","details":[{"snapshotName":"camunda_optimize_7_8.8.0_part_1_of_2","state":"SUCCESS","startTime":"2025-06-03T07:53:54.389+0000","failures":[]},{"snapshotName":"camunda_optimize_7_8.8.0_part_2_of_2","state":"SUCCESS","startTime":null,"failures":[]}]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if names := b.SnapshotNames(); len(names) != 2 || names[1] != "camunda_optimize_7_8.8.0_part_2_of_2" {
		t.Fatalf("SnapshotNames %v", names)
	}
	var back OptimizeBackup
	if err := json.Unmarshal(got, &back); err != nil || back.ID != 7 || back.State != StateCompleted || !back.Details[0].StartTime.Equal(start) {
		t.Fatalf("round trip %+v %v", back, err)
	}
}

func TestOptimizeErrors(t *testing.T) {
	for _, tc := range []struct {
		err    error
		kind   error
		status int
		msg    string
	}{
		{OptimizeAlreadyExists(5, []string{"a", "b"}), ErrConflict, 409, "A backup with ID [5] already exists. Found snapshots: [a, b]"},
		{OptimizeNotFound(5), ErrNotFound, 404, "No Optimize backup with ID [5] could be found."},
		{OptimizeNotConfigured(), ErrNotConfigured, 400, "Cannot trigger backup because no Elasticsearch snapshot repository name found in Optimize configuration."},
		{ValidateOptimizeID(-1), ErrInvalid, 400, "must be greater than or equal to 0"},
	} {
		if !errors.Is(tc.err, tc.kind) || HTTPStatus(tc.err) != tc.status || tc.err.Error() != tc.msg {
			t.Errorf("%v", tc.err)
		}
	}
	if ValidateOptimizeID(0) != nil {
		t.Error("0 is a valid Optimize id")
	}
	if OptimizeScheduledMessage(123) != `{"message" : "Backup creation for ID 123 has been scheduled. Use the GET API to monitor completion of backup process"}` {
		t.Error(OptimizeScheduledMessage(123))
	}
}
