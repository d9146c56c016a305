package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// optimizeFixture is the emulated Optimize over the emulator, on loopback.
type optimizeFixture struct {
	o       *server.Optimize
	faults  *server.Faults
	backend *conformance.Backend
	url     string
}

func newOptimize(t *testing.T, repository string) *optimizeFixture {
	t.Helper()
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "optimize-repo")
	b.CreateIndices(t, "optimize-position-based-import-index_v3", "optimize-process-instance-a_v8", "optimize-settings_v2")
	faults := &server.Faults{}
	o, err := server.NewOptimize(server.OptimizeConfig{ES: b.ES, Repository: repository, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.NewOptimizeHandler(o, server.Options{}))
	t.Cleanup(func() {
		hs.Close()
		_ = o.Close()
	})
	return &optimizeFixture{o: o, faults: faults, backend: b, url: hs.URL}
}

// optimizeError checks Optimize's error body.
func optimizeError(t *testing.T, a answer, status int, code, detail string) {
	t.Helper()
	var e backupapi.OptimizeErrorResponse
	if a.status != status || json.Unmarshal(a.body, &e) != nil || e.ErrorCode != code || e.ErrorMessage == "" {
		t.Fatalf("%d %s, want %d %s", a.status, a.body, status, code)
	}
	if !strings.Contains(string(a.body), `"reportDefinition":null`) {
		t.Fatalf("body %s lacks reportDefinition", a.body)
	}
	if detail != "" && e.DetailedMessage != detail {
		t.Fatalf("detailedMessage %q, want %q", e.DetailedMessage, detail)
	}
}

// waitOptimize polls GET /actuator/backups/{id} until the backup is in state.
func (f *optimizeFixture) wait(t *testing.T, id string, state backupapi.State) (backupapi.OptimizeBackup, answer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := do(t, http.MethodGet, f.url+"/actuator/backups/"+id, "")
		var b backupapi.OptimizeBackup
		if a.status == 200 && json.Unmarshal(a.body, &b) == nil && b.State == state {
			return b, a
		}
		if time.Now().After(deadline) {
			t.Fatalf("optimize backup %s: %d %s, want %s", id, a.status, a.body, state)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestOptimizeBackups covers Optimize's rows: take, duplicate, get, list, delete.
func TestOptimizeBackups(t *testing.T) {
	f := newOptimize(t, "optimize-repo")
	a := do(t, http.MethodPost, f.url+"/actuator/backups", `{"backupId": 123}`)
	if a.status != 202 || string(a.body) != `{"message" : "Backup creation for ID 123 has been scheduled. Use the GET API to monitor completion of backup process"}` {
		t.Fatalf("take: %d %s", a.status, a.body)
	}
	optimizeError(t, do(t, http.MethodPost, f.url+"/actuator/backups", `{"backupId": 123}`), 409, "conflict", "")
	b, raw := f.wait(t, "123", backupapi.StateCompleted)
	if len(b.Details) != 2 || b.Details[0].Name != "camunda_optimize_123_8.8.0_part_1_of_2" || b.Details[1].Name != "camunda_optimize_123_8.8.0_part_2_of_2" || b.Details[0].StartTime.IsZero() {
		t.Fatalf("backup %+v", b)
	}
	if !strings.HasPrefix(string(raw.body), `{"backupId":123,"failureReason":null,"state":"COMPLETED","details":[{"snapshotName":"camunda_optimize_123_8.8.0_part_1_of_2","state":"SUCCESS","startTime":"`) {
		t.Fatalf("body %s", raw.body)
	}
	// Part 1 holds the import indices, part 2 the others.
	snaps := f.backend.SnapshotNames(t, "optimize-repo")
	if len(snaps) != 2 {
		t.Fatalf("snapshots %v", snaps)
	}
	// 0 is a valid Optimize id; the list is newest first.
	if a := do(t, http.MethodPost, f.url+"/actuator/backups", `{"backupId": 0}`); a.status != 202 {
		t.Fatalf("take 0: %d %s", a.status, a.body)
	}
	f.wait(t, "0", backupapi.StateCompleted)
	var list []backupapi.OptimizeBackup
	a = do(t, http.MethodGet, f.url+"/actuator/backups", "")
	if json.Unmarshal(a.body, &list) != nil || len(list) != 2 || list[0].ID != 123 || list[1].ID != 0 {
		t.Fatalf("list: %s", a.body)
	}
	optimizeError(t, do(t, http.MethodGet, f.url+"/actuator/backups/77", ""), 404, "notFoundError", "No Optimize backup with ID [77] could be found.")
	if a := do(t, http.MethodDelete, f.url+"/actuator/backups/123", ""); a.status != 204 {
		t.Fatalf("delete: %d", a.status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for do(t, http.MethodGet, f.url+"/actuator/backups/123", "").status != 404 {
		if time.Now().After(deadline) {
			t.Fatal("the deleted backup is still there")
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
	if a := do(t, http.MethodDelete, f.url+"/actuator/backups/999", ""); a.status != 204 {
		t.Fatalf("delete of an unknown id: %d", a.status)
	}
}

// TestOptimizeErrors is Optimize's error table.
func TestOptimizeErrors(t *testing.T) {
	f := newOptimize(t, "optimize-repo")
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, detail             string // code "": Spring's error body
	}{
		{"missing id", "POST", "/actuator/backups", `{}`, 400, "badRequestError", "must not be null"},
		{"null id", "POST", "/actuator/backups", `{"backupId": null}`, 400, "badRequestError", "must not be null"},
		{"negative id", "POST", "/actuator/backups", `{"backupId": -1}`, 400, "badRequestError", "must be greater than or equal to 0"},
		{"not JSON", "POST", "/actuator/backups", `x`, 400, "", ""},
		{"non-numeric path id", "GET", "/actuator/backups/x", "", 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, tc.method, f.url+tc.path, tc.body)
			if tc.code == "" {
				if a.status != tc.status || !strings.Contains(string(a.body), `"status":400`) {
					t.Fatalf("%d %s", a.status, a.body)
				}
				return
			}
			optimizeError(t, a, tc.status, tc.code, tc.detail)
		})
	}
	t.Run("no repository configured", func(t *testing.T) {
		f := newOptimize(t, "")
		optimizeError(t, do(t, "POST", f.url+"/actuator/backups", `{"backupId": 1}`), 400, "serverError", backupapi.OptimizeNotConfigured().Error())
	})
	t.Run("repository missing", func(t *testing.T) {
		f := newOptimize(t, "nowhere")
		optimizeError(t, do(t, "POST", f.url+"/actuator/backups", `{"backupId": 1}`), 500, "serverError", "No repository with name [nowhere] could be found.")
	})
	t.Run("Elasticsearch unreachable", func(t *testing.T) {
		f := newOptimize(t, "optimize-repo")
		f.faults.Set(server.FaultSettings{OptimizeUnreachable: true})
		for _, a := range []answer{
			do(t, "POST", f.url+"/actuator/backups", `{"backupId": 1}`),
			do(t, "GET", f.url+"/actuator/backups/1", ""),
			do(t, "GET", f.url+"/actuator/backups", ""),
			do(t, "DELETE", f.url+"/actuator/backups/1", ""),
		} {
			optimizeError(t, a, 502, "elasticsearchConnectionError", "")
		}
	})
	t.Run("slow", func(t *testing.T) {
		f := newOptimize(t, "optimize-repo")
		f.faults.Set(server.FaultSettings{OptimizeDelay: server.Duration(150 * time.Millisecond)})
		start := time.Now()
		if a := do(t, "GET", f.url+"/actuator/backups", ""); a.status != 200 || time.Since(start) < 150*time.Millisecond {
			t.Fatalf("%d after %v", a.status, time.Since(start))
		}
	})
}
