package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// zeebeFixture is the emulated Zeebe behind the handler, on loopback.
type zeebeFixture struct {
	z     *server.Zeebe
	url   string
	store string
	state string
}

// newZeebe serves an emulated Zeebe with three partitions and a filesystem store; edit can
// change its configuration.
func newZeebe(t *testing.T, edit func(*server.ZeebeConfig)) *zeebeFixture {
	t.Helper()
	dir := t.TempDir()
	cfg := server.ZeebeConfig{Partitions: 3, BackupDuration: 20 * time.Millisecond, StateDir: filepath.Join(dir, "state"), StorePath: filepath.Join(dir, "store")}
	if edit != nil {
		edit(&cfg)
	}
	z, err := server.NewZeebe(cfg)
	if err != nil {
		t.Fatalf("NewZeebe: %v", err)
	}
	hs := httptest.NewServer(server.NewHandler(server.Options{Zeebe: z, Standalone: true, StandaloneAlias: server.AliasZeebe}))
	t.Cleanup(func() {
		hs.Close()
		_ = z.Close()
	})
	return &zeebeFixture{z: z, url: hs.URL, store: cfg.StorePath, state: cfg.StateDir}
}

func (f *zeebeFixture) take(t *testing.T, body string) answer {
	t.Helper()
	return do(t, http.MethodPost, f.url+"/actuator/backupRuntime", body)
}

// waitRuntime polls GET /actuator/backupRuntime/{id} until the backup is in state.
func (f *zeebeFixture) waitRuntime(t *testing.T, id string, state backupapi.State) backupapi.RuntimeBackup {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := do(t, http.MethodGet, f.url+"/actuator/backupRuntime/"+id, "")
		var b backupapi.RuntimeBackup
		if a.status == http.StatusOK {
			if err := json.Unmarshal(a.body, &b); err != nil {
				t.Fatalf("body %s: %v", a.body, err)
			}
			if b.State == state {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("backup %s: %d %s, want %s", id, a.status, a.body, state)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestZeebeTake covers the take rows of the facts: the 202 body, the id forms, validation,
// the checkpoint rule and Spring's own refusals.
func TestZeebeTake(t *testing.T) {
	f := newZeebe(t, nil)
	for _, tc := range []struct {
		name, body string
		headers    []string
		status     int
		message    string // "" with a Spring error body
	}{
		{"scheduled", `{"backupId": 100}`, nil, 202, "A backup with id 100 has been scheduled. Use GET actuator/backups/100 to monitor the status."},
		{"the same id again", `{"backupId": 100}`, nil, 409, "Requested backup has id 100. The latest backup has id 100. Id of new backups must be higher than the previous one. "},
		{"a lower id", `{"backupId": 50}`, nil, 409, "Requested backup has id 50. The latest backup has id 100. Id of new backups must be higher than the previous one. "},
		{"the id as a string, unknown fields ignored", `{"backupId": "101", "other": true}`, nil, 202, "A backup with id 101 has been scheduled. Use GET actuator/backups/101 to monitor the status."},
		{"zero", `{"backupId": 0}`, nil, 400, backupapi.MsgZeebeInvalidID},
		{"negative", `{"backupId": -5}`, nil, 400, backupapi.MsgZeebeInvalidID},
		{"no backupId", `{"id": 5}`, nil, 400, ""},
		{"not JSON", `backupId=5`, nil, 400, ""},
		{"not a number", `{"backupId": "x"}`, nil, 400, ""},
		{"not a JSON request", `{"backupId": 102}`, []string{"Content-Type", "text/plain"}, 415, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, http.MethodPost, f.url+"/actuator/backupRuntime", tc.body, tc.headers...)
			if tc.message == "" {
				var spring struct {
					Status int    `json:"status"`
					Path   string `json:"path"`
				}
				if a.status != tc.status || json.Unmarshal(a.body, &spring) != nil || spring.Status != tc.status || spring.Path != "/actuator/backupRuntime" {
					t.Fatalf("%d %s, want %d with Spring's error body", a.status, a.body, tc.status)
				}
				return
			}
			wantError(t, a, tc.status, tc.message)
		})
	}
	if got := f.z.LatestCheckpoint(); got != 101 {
		t.Fatalf("latest checkpoint %d, want 101", got)
	}
}

// TestZeebeErrorMapping is the error-mapping table of the facts, one fault per row.
func TestZeebeErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  server.FaultSettings
		status  int
		message string
	}{
		{"incomplete topology", server.FaultSettings{ZeebeMissingPartitions: 1}, 502, "Expected to send request to all 3 partitions, but found only 2 partitions in topology."},
		{"gateway cannot reach the broker", server.FaultSettings{ZeebeUnreachable: true}, 502, "Failed to send request from gateway to broker...."},
		{"timeout", server.FaultSettings{ZeebeTimeout: true}, 504, "Request from gateway to broker timed out. ..."},
		{"out of disk space", server.FaultSettings{ZeebeDiskFull: true}, 503, "...out of disk space"},
		{"scaling", server.FaultSettings{ZeebeScaling: true}, 409, backupapi.MsgZeebeScaling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newZeebe(t, nil)
			f.z.Faults().Set(tc.faults)
			a := f.take(t, `{"backupId": 7}`)
			if a.status != tc.status {
				t.Fatalf("status %d %s, want %d", a.status, a.body, tc.status)
			}
			msg := a.message(t)
			switch {
			case strings.HasPrefix(tc.message, "..."):
				if !strings.HasSuffix(msg, strings.TrimPrefix(tc.message, "...")) {
					t.Fatalf("message %q, want suffix %q", msg, tc.message)
				}
			default:
				wantError(t, a, tc.status, tc.message)
			}
		})
	}
	t.Run("scaling uses up the id and records a failed backup", func(t *testing.T) {
		f := newZeebe(t, nil)
		f.z.Faults().Set(server.FaultSettings{ZeebeScaling: true})
		f.take(t, `{"backupId": 7}`)
		f.z.Faults().Reset()
		wantError(t, f.take(t, `{"backupId": 7}`), 409, "Requested backup has id 7. The latest backup has id 7. Id of new backups must be higher than the previous one. ")
		b := f.waitRuntime(t, "7", backupapi.StateFailed)
		if !strings.Contains(b.FailureReason, backupapi.MsgZeebeScalingReason) {
			t.Fatalf("failure reason %q", b.FailureReason)
		}
	})
	t.Run("any other error is 500", func(t *testing.T) {
		f := newZeebe(t, nil)
		if a := f.take(t, `{"backupId": 8}`); a.status != 202 {
			t.Fatalf("take: %d", a.status)
		}
		f.waitRuntime(t, "8", backupapi.StateCompleted)
		if err := os.WriteFile(filepath.Join(f.store, "manifests", "2", "8", "0", "manifest.json"), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		if a := do(t, http.MethodGet, f.url+"/actuator/backupRuntime/8", ""); a.status != 500 {
			t.Fatalf("corrupt manifest: %d %s, want 500", a.status, a.body)
		}
	})
}

// TestZeebeNoStore: without a backup store every operation answers 400.
func TestZeebeNoStore(t *testing.T) {
	f := newZeebe(t, func(c *server.ZeebeConfig) { c.StorePath = "" })
	for _, a := range []answer{
		f.take(t, `{"backupId": 1}`),
		do(t, http.MethodGet, f.url+"/actuator/backupRuntime/1", ""),
		do(t, http.MethodGet, f.url+"/actuator/backupRuntime", ""),
		do(t, http.MethodGet, f.url+"/actuator/backupRuntime/1*", ""),
		do(t, http.MethodDelete, f.url+"/actuator/backupRuntime/1", ""),
	} {
		wantError(t, a, 400, backupapi.MsgZeebeNoStore)
	}
}

// TestZeebeGet covers the status rows: the fields per state, the overall rule, 404, the
// path argument.
func TestZeebeGet(t *testing.T) {
	f := newZeebe(t, func(c *server.ZeebeConfig) { c.BackupDuration = 200 * time.Millisecond })
	wantError(t, do(t, http.MethodGet, f.url+"/actuator/backupRuntime/5", ""), 404, "Backup with id 5 does not exist")
	wantError(t, do(t, http.MethodGet, f.url+"/actuator/backupRuntime/abc", ""), 400, "Expected a backup ID or prefix ending with '*', but got 'abc'.")
	// GET /backupRuntime/state is 8.9's; 8.8 reads it as a malformed id.
	wantError(t, do(t, http.MethodGet, f.url+"/actuator/backupRuntime/state", ""), 400, "Expected a backup ID or prefix ending with '*', but got 'state'.")

	f.take(t, `{"backupId": 5}`)
	running := f.waitRuntime(t, "5", backupapi.StateInProgress)
	done := f.waitRuntime(t, "5", backupapi.StateCompleted)
	for _, b := range []backupapi.RuntimeBackup{running, done} {
		if len(b.Details) != 3 {
			t.Fatalf("details %+v", b.Details)
		}
		for i, d := range b.Details {
			if d.PartitionID != i+1 || d.SnapshotID == "" || d.CheckpointPosition == 0 || d.BrokerVersion != "8.8.0" || d.CreatedAt.IsZero() || d.LastUpdatedAt.IsZero() {
				t.Fatalf("detail %d: %+v", i, d)
			}
		}
	}
	raw := do(t, http.MethodGet, f.url+"/actuator/backupRuntime/5", "")
	for _, key := range []string{`"backupId":5,"state":"COMPLETED","details":[{"partitionId":1,"state":"COMPLETED","createdAt":"`, `"snapshotId":"`, `"checkpointPosition":`} {
		if !strings.Contains(string(raw.body), key) {
			t.Fatalf("body %s lacks %s", raw.body, key)
		}
	}
	if strings.Contains(string(raw.body), "brokerId") || strings.Contains(string(raw.body), "failureReason") {
		t.Fatalf("body %s has brokerId or failureReason", raw.body)
	}

	// A failed partition: the backup is FAILED, the partition has a reason and neither
	// checkpointPosition nor brokerVersion.
	f.z.Faults().Set(server.FaultSettings{FailPartitions: map[int]string{2: "disk broke"}})
	f.take(t, `{"backupId": 6}`)
	b := f.waitRuntime(t, "6", backupapi.StateFailed)
	if b.FailureReason != "Backup on partition 2 failed due to disk broke. " {
		t.Fatalf("failure reason %q", b.FailureReason)
	}
	raw = do(t, http.MethodGet, f.url+"/actuator/backupRuntime/6", "")
	if !strings.Contains(string(raw.body), `{"partitionId":2,"state":"FAILED","failureReason":"disk broke","createdAt":`) || strings.Count(string(raw.body), "brokerVersion") != 2 {
		t.Fatalf("failed partition: %s", raw.body)
	}
	f.z.Faults().Reset()

	// A partition without an entry: INCOMPLETE, its detail only partitionId and state.
	f.take(t, `{"backupId": 7}`)
	f.waitRuntime(t, "7", backupapi.StateCompleted)
	if err := os.RemoveAll(filepath.Join(f.store, "manifests", "3", "7")); err != nil {
		t.Fatal(err)
	}
	b = f.waitRuntime(t, "7", backupapi.StateIncomplete)
	raw = do(t, http.MethodGet, f.url+"/actuator/backupRuntime/7", "")
	if !strings.HasSuffix(strings.TrimSpace(string(raw.body)), `{"partitionId":3,"state":"DOES_NOT_EXIST"}]}`) || b.Details[2].State != backupapi.StateDoesNotExist {
		t.Fatalf("incomplete: %s", raw.body)
	}
}

// TestZeebeListAndDelete covers the list and delete rows.
func TestZeebeListAndDelete(t *testing.T) {
	f := newZeebe(t, nil)
	if a := do(t, http.MethodGet, f.url+"/actuator/backupRuntime", ""); a.status != 200 || strings.TrimSpace(string(a.body)) != "[]" {
		t.Fatalf("empty list: %d %s", a.status, a.body)
	}
	for _, id := range []string{"9", "10", "105"} {
		if a := f.take(t, `{"backupId": `+id+`}`); a.status != 202 {
			t.Fatalf("take %s: %d %s", id, a.status, a.body)
		}
		f.waitRuntime(t, id, backupapi.StateCompleted)
	}
	var list []backupapi.RuntimeBackup
	a := do(t, http.MethodGet, f.url+"/actuator/backupRuntime", "")
	if err := json.Unmarshal(a.body, &list); err != nil || len(list) != 3 || list[0].ID != 105 || list[2].ID != 9 {
		t.Fatalf("list: %s", a.body)
	}
	if strings.Contains(string(a.body), "lastUpdatedAt") || strings.Contains(string(a.body), "snapshotId") || strings.Contains(string(a.body), "checkpointPosition") {
		t.Fatalf("list entries carry status-only fields: %s", a.body)
	}
	a = do(t, http.MethodGet, f.url+"/actuator/backupRuntime/10*", "")
	if err := json.Unmarshal(a.body, &list); err != nil || len(list) != 2 || list[0].ID != 105 || list[1].ID != 10 {
		t.Fatalf("prefix list: %s", a.body)
	}
	// The standalone alias serves the same API.
	if a := do(t, http.MethodGet, f.url+"/actuator/backups/10", ""); a.status != 200 {
		t.Fatalf("standalone alias: %d", a.status)
	}

	if a := do(t, http.MethodDelete, f.url+"/actuator/backupRuntime/105", ""); a.status != 204 || len(a.body) != 0 {
		t.Fatalf("delete: %d %s", a.status, a.body)
	}
	wantError(t, do(t, http.MethodGet, f.url+"/actuator/backupRuntime/105", ""), 404, "Backup with id 105 does not exist")
	if _, err := os.Stat(filepath.Join(f.store, "contents", "1", "105")); !os.IsNotExist(err) {
		t.Fatalf("contents of a deleted backup remain: %v", err)
	}
	if a := do(t, http.MethodDelete, f.url+"/actuator/backupRuntime/999", ""); a.status != 204 {
		t.Fatalf("delete of an unknown id: %d", a.status)
	}
	if a := do(t, http.MethodDelete, f.url+"/actuator/backupRuntime/x", ""); a.status != 400 {
		t.Fatalf("delete of a non-numeric id: %d", a.status)
	}
	// A deleted id stays used, and so does every id below the latest.
	wantError(t, f.take(t, `{"backupId": 105}`), 409, "Requested backup has id 105. The latest backup has id 105. Id of new backups must be higher than the previous one. ")
}

// TestZeebeDeleteRunning: a running backup that is deleted is gone for good.
func TestZeebeDeleteRunning(t *testing.T) {
	f := newZeebe(t, func(c *server.ZeebeConfig) { c.BackupDuration = time.Hour })
	f.take(t, `{"backupId": 3}`)
	f.waitRuntime(t, "3", backupapi.StateInProgress)
	if a := do(t, http.MethodDelete, f.url+"/actuator/backupRuntime/3", ""); a.status != 204 {
		t.Fatalf("delete: %d", a.status)
	}
	wantError(t, do(t, http.MethodGet, f.url+"/actuator/backupRuntime/3", ""), 404, "Backup with id 3 does not exist")
}

// TestZeebeStoreLayout: the store is laid out as Zeebe's filesystem store.
func TestZeebeStoreLayout(t *testing.T) {
	f := newZeebe(t, func(c *server.ZeebeConfig) { c.Partitions = 2 })
	f.take(t, `{"backupId": 42}`)
	f.waitRuntime(t, "42", backupapi.StateCompleted)
	for p := 1; p <= 2; p++ {
		dir := filepath.Join(f.store, "manifests", strconv.Itoa(p), "42", "0")
		data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			ID struct {
				NodeID, PartitionID int
				CheckpointID        int64
			} `json:"id"`
			Descriptor struct {
				SnapshotID         string `json:"snapshotId"`
				NumberOfPartitions int    `json:"numberOfPartitions"`
			} `json:"descriptor"`
			StatusCode string `json:"statusCode"`
			Snapshot   struct {
				Files []struct{ Name string } `json:"files"`
			} `json:"snapshot"`
			Segments struct {
				Files []struct{ Name string } `json:"files"`
			} `json:"segments"`
			FailureReason *string `json:"failureReason"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.ID.PartitionID != p || m.ID.CheckpointID != 42 || m.ID.NodeID != 0 || m.StatusCode != "COMPLETED" || m.Descriptor.NumberOfPartitions != 2 || m.FailureReason != nil {
			t.Fatalf("manifest %s", data)
		}
		for _, set := range []struct {
			kind  string
			files []struct{ Name string }
		}{{"snapshot", m.Snapshot.Files}, {"segments", m.Segments.Files}} {
			if len(set.files) == 0 {
				t.Fatalf("no %s files in %s", set.kind, data)
			}
			for _, file := range set.files {
				if _, err := os.Stat(filepath.Join(f.store, "contents", strconv.Itoa(p), "42", "0", set.kind, file.Name)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestZeebeSeveralNodes: entries of one partition written by several nodes (an earlier
// leader's failed one, this node's completed one) merge to the best, as the gateway does.
func TestZeebeSeveralNodes(t *testing.T) {
	f := newZeebe(t, nil)
	f.take(t, `{"backupId": 4}`)
	f.waitRuntime(t, "4", backupapi.StateCompleted)
	earlier := `{"id":{"nodeId":1,"partitionId":2,"checkpointId":4},"statusCode":"FAILED","createdAt":"2025-06-03T08:06:06Z","modifiedAt":"2025-06-03T08:06:07Z","failureReason":"Backup is cancelled due to leader change."}`
	dir := filepath.Join(f.store, "manifests", "2", "4", "1")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(earlier), 0o600); err != nil {
		t.Fatal(err)
	}
	if b := f.waitRuntime(t, "4", backupapi.StateCompleted); b.Details[1].State != backupapi.StateCompleted {
		t.Fatalf("partition 2: %+v", b.Details[1])
	}
	// Without this node's entry, the earlier leader's failed one shows.
	if err := os.RemoveAll(filepath.Join(f.store, "manifests", "2", "4", "0")); err != nil {
		t.Fatal(err)
	}
	b := f.waitRuntime(t, "4", backupapi.StateFailed)
	if b.FailureReason != "Backup on partition 2 failed due to Backup is cancelled due to leader change.. " {
		t.Fatalf("failure reason %q", b.FailureReason)
	}
}
