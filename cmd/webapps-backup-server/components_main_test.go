package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// waitFor polls url until its JSON answer's state is state.
func waitFor(t *testing.T, url, state string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		var b struct{ State string }
		if call(t, http.MethodGet, url, "", &b) == http.StatusOK && b.State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %q after 60s, want %s", url, b.State, state)
		}
		time.Sleep(wait) // polling interval, not synchronisation
	}
}

// wantExporting checks the answer of an exporting call: HTTP 200 with the inner status 204.
func wantExporting(t *testing.T, url string) {
	t.Helper()
	var r backupapi.ExportingResponse
	if status := call(t, http.MethodPost, url, "", &r); status != http.StatusOK || r.Status != 204 {
		t.Fatalf("POST %s: %d %+v", url, status, r)
	}
}

// wantPhases checks every partition's exporterPhase in /actuator/partitions.
func wantPhases(t *testing.T, base string, n int, phase backupapi.ExporterPhase) {
	t.Helper()
	var parts map[string]backupapi.PartitionStatus
	if status := call(t, http.MethodGet, base+"/actuator/partitions", "", &parts); status != http.StatusOK || len(parts) != n {
		t.Fatalf("partitions: %d %+v", status, parts)
	}
	for id, p := range parts {
		if p.ExporterPhase != phase {
			t.Fatalf("partition %s: %s, want %s", id, p.ExporterPhase, phase)
		}
	}
}

// TestDocumentedProcedure runs the curl commands of Camunda 8.8's backup procedure, in its
// order, against the binary with the embedded default: soft-pause exporting, the web apps,
// Optimize, the zeebe-record snapshot, Zeebe, resume; then lists and cleans up.
func TestDocumentedProcedure(t *testing.T) {
	p := start(t, "--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--seed-documents", "100", "--partitions", "2", "--zeebe-backup-duration", "50ms")
	if p.optURL == "" {
		t.Fatal("the Optimize address was not printed")
	}
	const id = "1764600000"
	// curl -X POST "http://localhost:9600/actuator/exporting/pause?soft=true"
	wantExporting(t, p.url+"/actuator/exporting/pause?soft=true")
	wantPhases(t, p.url, 2, backupapi.PhaseSoftPaused)
	// curl -X POST "http://localhost:9600/actuator/backupHistory" -H 'Content-Type: application/json' -d '{"backupId": X}'
	if status := call(t, http.MethodPost, p.url+"/actuator/backupHistory", `{"backupId": `+id+`}`, nil); status != http.StatusOK {
		t.Fatalf("web apps backup: %d", status)
	}
	// curl -X POST "http://localhost:8092/actuator/backups" -H 'Content-Type: application/json' -d '{"backupId": X}'
	var scheduled backupapi.ErrorResponse
	if status := call(t, http.MethodPost, p.optURL+"/actuator/backups", `{"backupId": `+id+`}`, &scheduled); status != http.StatusAccepted || !strings.HasPrefix(scheduled.Message, "Backup creation for ID "+id) {
		t.Fatalf("Optimize backup: %d %+v", status, scheduled)
	}
	// curl "http://localhost:9600/actuator/backupHistory/X"; curl "http://localhost:8092/actuator/backups/X"
	waitFor(t, p.url+"/actuator/backupHistory/"+id, "COMPLETED")
	waitFor(t, p.optURL+"/actuator/backups/"+id, "COMPLETED")
	// curl -X PUT "<es>/_snapshot/<repo>/camunda_zeebe_records_backup_X?wait_for_completion=true" -d '{"indices": "zeebe-record*", "feature_states": ["none"]}'
	records := p.esURL + "/_snapshot/camunda-backup/" + backupapi.ZeebeRecordsSnapshotName(1764600000)
	if status := call(t, http.MethodPut, records+"?wait_for_completion=true", `{"indices": "zeebe-record*", "feature_states": ["none"]}`, nil); status != http.StatusOK {
		t.Fatalf("zeebe-record snapshot: %d", status)
	}
	var st struct {
		Snapshots []struct{ State string } `json:"snapshots"`
	}
	if status := call(t, http.MethodGet, records+"/_status", "", &st); status != http.StatusOK || len(st.Snapshots) != 1 || st.Snapshots[0].State != "SUCCESS" {
		t.Fatalf("zeebe-record snapshot status: %d %+v", status, st)
	}
	// curl -X POST "http://localhost:9600/actuator/backupRuntime" -H 'Content-Type: application/json' -d '{"backupId": X}'
	var taken backupapi.ErrorResponse
	if status := call(t, http.MethodPost, p.url+"/actuator/backupRuntime", `{"backupId": `+id+`}`, &taken); status != http.StatusAccepted ||
		taken.Message != "A backup with id "+id+" has been scheduled. Use GET actuator/backups/"+id+" to monitor the status." {
		t.Fatalf("Zeebe backup: %d %+v", status, taken)
	}
	// curl "http://localhost:9600/actuator/backupRuntime/X"
	waitFor(t, p.url+"/actuator/backupRuntime/"+id, "COMPLETED")
	// curl -X POST "http://localhost:9600/actuator/exporting/resume"
	wantExporting(t, p.url+"/actuator/exporting/resume")
	wantPhases(t, p.url, 2, backupapi.PhaseExporting)

	// The list APIs find the id in every component.
	for _, u := range []string{p.url + "/actuator/backupHistory", p.url + "/actuator/backupRuntime", p.url + "/actuator/backupRuntime/176*", p.optURL + "/actuator/backups"} {
		var list []struct{ BackupID int64 }
		if status := call(t, http.MethodGet, u, "", &list); status != http.StatusOK || len(list) != 1 || list[0].BackupID != 1764600000 {
			t.Fatalf("GET %s: %d %+v", u, status, list)
		}
	}
	// Cleaning up: each component's DELETE with the same id.
	for _, u := range []string{p.url + "/actuator/backupHistory/" + id, p.url + "/actuator/backupRuntime/" + id, p.optURL + "/actuator/backups/" + id} {
		if status := call(t, http.MethodDelete, u, "", nil); status != http.StatusNoContent {
			t.Fatalf("DELETE %s: %d", u, status)
		}
	}
	var e backupapi.ErrorResponse
	if status := call(t, http.MethodGet, p.url+"/actuator/backupRuntime/"+id, "", &e); status != http.StatusNotFound || e.Message != "Backup with id "+id+" does not exist" {
		t.Fatalf("Zeebe backup after delete: %d %+v", status, e)
	}
	// The deleted id stays used.
	if status := call(t, http.MethodPost, p.url+"/actuator/backupRuntime", `{"backupId": `+id+`}`, nil); status != http.StatusConflict {
		t.Fatalf("Zeebe backup of a deleted id: %d, want 409", status)
	}
}

// TestKilledServerKeepsState kills the binary (SIGKILL) and starts it again on the same data
// directory: paused exporting stays paused, every finished backup stays readable, used ids
// stay used, and a backup that was running is failed as after a leader change.
func TestKilledServerKeepsState(t *testing.T) {
	dataDir := t.TempDir()
	args := []string{"--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--data-dir", dataDir,
		"--no-seed", "--partitions", "3"}
	p := start(t, append(args, "--zeebe-backup-duration", "20ms")...)
	wantExporting(t, p.url+"/actuator/exporting/pause?soft=true")
	if status := call(t, http.MethodPost, p.url+"/actuator/backupRuntime", `{"backupId": 10}`, nil); status != http.StatusAccepted {
		t.Fatalf("Zeebe backup: %d", status)
	}
	if status := call(t, http.MethodPost, p.optURL+"/actuator/backups", `{"backupId": 10}`, nil); status != http.StatusAccepted {
		t.Fatalf("Optimize backup: %d", status)
	}
	waitFor(t, p.url+"/actuator/backupRuntime/10", "COMPLETED")
	waitFor(t, p.optURL+"/actuator/backups/10", "COMPLETED")
	kill(t, p)

	// A long backup is running when the second process is killed.
	p = start(t, append(args, "--zeebe-backup-duration", "1h")...)
	wantPhases(t, p.url, 3, backupapi.PhaseSoftPaused)
	waitFor(t, p.url+"/actuator/backupRuntime/10", "COMPLETED")
	waitFor(t, p.optURL+"/actuator/backups/10", "COMPLETED")
	if status := call(t, http.MethodPost, p.url+"/actuator/backupRuntime", `{"backupId": 10}`, nil); status != http.StatusConflict {
		t.Fatalf("Zeebe backup 10 again after the restart: %d, want 409", status)
	}
	if status := call(t, http.MethodPost, p.url+"/actuator/backupRuntime", `{"backupId": 11}`, nil); status != http.StatusAccepted {
		t.Fatalf("Zeebe backup 11: %d", status)
	}
	waitFor(t, p.url+"/actuator/backupRuntime/11", "IN_PROGRESS")
	kill(t, p)

	p = start(t, append(args, "--zeebe-backup-duration", "20ms")...)
	wantPhases(t, p.url, 3, backupapi.PhaseSoftPaused)
	waitFor(t, p.url+"/actuator/backupRuntime/11", "FAILED")
	var b backupapi.RuntimeBackup
	call(t, http.MethodGet, p.url+"/actuator/backupRuntime/11", "", &b)
	if !strings.Contains(b.FailureReason, backupapi.MsgZeebeCancelledReason) {
		t.Fatalf("the interrupted backup: %+v", b)
	}
	wantExporting(t, p.url+"/actuator/exporting/resume")
	wantPhases(t, p.url, 3, backupapi.PhaseExporting)
}

// kill stops the binary with SIGKILL: no graceful shutdown.
func kill(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}
