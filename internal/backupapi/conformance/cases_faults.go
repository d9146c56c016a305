package conformance

import (
	"net/http"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// The cases below need the emulator's fault injection and are skipped on a real
// Elasticsearch.

func anotherRunning(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	faults.HoldSnapshots("camunda_webapps_1_*_part_1_*")
	mustCreate(t, e, c, 1)
	WaitForState(t, c, 1, backupapi.StateInProgress)
	_, err := c.Create(e.Ctx, 2)
	wantErr(t, "create while backup 1 has parts waiting", err, backupapi.ErrBackupRunning, "Another backup is running at the moment")
	faults.ReleaseSnapshots("camunda_webapps_1_*_part_1_*")
	WaitForState(t, c, 1, backupapi.StateCompleted)
	mustCreate(t, e, c, 2)
	WaitForState(t, c, 2, backupapi.StateCompleted)
}

func failedPart(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	names := partNames(6, 5)
	faults.FailSnapshots(names[1], "FAILED", "disk full")
	mustCreate(t, e, c, 6)
	b := WaitForState(t, c, 6, backupapi.StateFailed)
	if want := "There were failures with the following snapshots: " + names[1]; b.FailureReason != want {
		t.Fatalf("failure reason %q, want %q", b.FailureReason, want)
	}
	if len(b.Snapshots) != 2 || b.Snapshots[1].State != backupapi.SnapshotFailed || len(b.Snapshots[1].Failures) == 0 {
		t.Fatalf("parts %+v, want part 1 SUCCESS and part 2 FAILED with its failures, and no later part", b.Snapshots)
	}
	// The failed backup no longer holds the way: another one can start at once.
	mustCreate(t, e, c, 7)
	if got := WaitForState(t, c, 6, backupapi.StateFailed); len(got.Snapshots) != 2 {
		t.Fatalf("parts after the failure %v: later parts were started", got.SnapshotNames())
	}
}

func partialPart(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	names := partNames(2, 5)
	faults.FailSnapshots(names[2], "PARTIAL", "shard lost")
	mustCreate(t, e, c, 2)
	b := WaitForState(t, c, 2, backupapi.StateFailed)
	if want := "Some of the snapshots are partial: " + names[2]; b.FailureReason != want {
		t.Fatalf("failure reason %q, want %q", b.FailureReason, want)
	}
	if len(b.Snapshots) != 3 || b.Snapshots[2].State != backupapi.SnapshotPartial || len(b.Snapshots[2].Failures) != 1 {
		t.Fatalf("parts %+v, want 3 parts, the last PARTIAL with one failure", b.Snapshots)
	}
}

func deleteRunning(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	faults.HoldSnapshots("camunda_webapps_3_*_part_2_*")
	mustCreate(t, e, c, 3)
	WaitForState(t, c, 3, backupapi.StateInProgress)
	waitParts(t, e, 2)
	if err := c.Delete(e.Ctx, 3); err != nil {
		t.Fatalf("delete a running backup: %v", err)
	}
	faults.ReleaseSnapshots("camunda_webapps_3_*_part_2_*")
	// Another backup starting proves the deleted one no longer has parts waiting.
	mustCreate(t, e, c, 4)
	WaitForState(t, c, 4, backupapi.StateCompleted)
	if got := e.Backend.SnapshotNames(t, e.Repository); len(got) != 5 {
		t.Fatalf("snapshots %v, want only backup 4's: the deleted backup's parts stay gone", got)
	}
}

// waitParts waits until the case's repository holds n snapshots.
func waitParts(t *testing.T, e *Env, n int) {
	t.Helper()
	poll(t, "snapshots in the repository", func() bool { return len(e.Backend.SnapshotNames(t, e.Repository)) == n })
}

func elasticsearchDown(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	faults.SetDown(true)
	defer faults.SetDown(false)
	checkUnavailable(t, e, c)
}

func elasticsearch503(t *testing.T, e *Env) {
	faults := e.Backend.RequireEmulator(t).Faults()
	c := e.Ready(false)
	faults.FailNextRequests(1000, http.StatusServiceUnavailable)
	defer faults.Reset()
	checkUnavailable(t, e, c)
}

func checkUnavailable(t *testing.T, e *Env, c backupapi.Client) {
	t.Helper()
	_, err := c.Create(e.Ctx, 1)
	wantErr(t, "create", err, backupapi.ErrUnavailable, "")
	_, err = c.Get(e.Ctx, 1)
	wantErr(t, "get", err, backupapi.ErrUnavailable, "")
	_, err = c.List(e.Ctx, backupapi.ListOptions{Verbose: true})
	wantErr(t, "list", err, backupapi.ErrUnavailable, "")
	wantErr(t, "delete", c.Delete(e.Ctx, 1), backupapi.ErrUnavailable, "")
	if msg := err.Error(); containsAny(msg, e.Backend.URL, "127.0.0.1") {
		t.Errorf("message %q reveals the Elasticsearch address", msg)
	}
}
