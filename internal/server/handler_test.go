package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

const history = "/actuator/backupHistory"

func TestCreateBodyValidation(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name, body, message string
	}{
		{"empty body", " ", "Request body is empty..."},
		{"array", `[1]`, "Request body is a JSON array, not an object..."},
		{"string", `"x"`, "Request body is a JSON string, not an object..."},
		{"number", `123`, "Request body is a JSON number, not an object..."},
		{"null", `null`, "Request body is a JSON null, not an object..."},
		{"invalid JSON", `{"backupId": 1`, "Request body is not valid JSON..."},
		{"garbage", `backupId=1`, "Request body is not valid JSON..."},
		{"trailing data", `{"backupId": 1} {}`, "Request body has data after the JSON object..."},
		{"missing backupId", `{"id": 1}`, `backupId is missing; expected a JSON object such as {"backupId": 123}`},
		{"string id", `{"backupId": "1"}`, `backupId must be an integer, got a string: "1"`},
		{"float id", `{"backupId": 1.5}`, "backupId must be an integer, got: 1.5"},
		{"exponent id", `{"backupId": 1e3}`, "backupId must be an integer, got: 1e3"},
		{"null id", `{"backupId": null}`, "backupId must be an integer, got null: null"},
		{"boolean id", `{"backupId": true}`, "backupId must be an integer, got a boolean: true"},
		{"object id", `{"backupId": {}}`, "backupId must be an integer, got an object: {}"},
		{"huge id", `{"backupId": 99999999999999999999}`, "backupId is out of range (a 64-bit integer), got: 99999999999999999999"},
		{"huge negative id", `{"backupId": -99999999999999999999}`, "backupId is out of range (a 64-bit integer), got: -99999999999999999999"},
		{"zero id", `{"backupId": 0}`, "backupId must be a positive integer, got: 0"},
		{"negative id", `{"backupId": -5}`, "backupId must be a positive integer, got: -5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, http.MethodPost, f.url+history, tc.body), http.StatusBadRequest, tc.message)
		})
	}
	if names := f.backend.SnapshotNames(t, testRepo); len(names) != 0 {
		t.Fatalf("invalid creates took snapshots: %v", names)
	}
}

// detailsShape checks the wire shape of a backup: every key of the contract, startTime in
// its format or null, failures an array, failureReason null unless FAILED.
func detailsShape(t *testing.T, raw json.RawMessage, wantStartTime bool) {
	t.Helper()
	var b struct {
		BackupID      *int64           `json:"backupId"`
		State         *string          `json:"state"`
		FailureReason *json.RawMessage `json:"failureReason"`
		Details       []map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &b); err != nil || b.BackupID == nil || b.State == nil || len(b.Details) == 0 {
		t.Fatalf("backup %s lacks backupId, state or details (%v)", raw, err)
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(raw, &keys)
	if fr, ok := keys["failureReason"]; !ok || (*b.State != "FAILED" && string(fr) != "null") {
		t.Fatalf("failureReason %s in state %s, want null", fr, *b.State)
	}
	timeRE := regexp.MustCompile(`^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}"$`)
	for _, d := range b.Details {
		for _, k := range []string{"snapshotName", "state", "startTime", "failures"} {
			if _, ok := d[k]; !ok {
				t.Fatalf("detail %v lacks %s", d, k)
			}
		}
		if st := string(d["startTime"]); wantStartTime && !timeRE.MatchString(st) || !wantStartTime && st != "null" {
			t.Fatalf("startTime %s (want time: %v)", st, wantStartTime)
		}
		if !strings.HasPrefix(string(d["failures"]), "[") {
			t.Fatalf("failures %s is not an array", d["failures"])
		}
	}
}

func TestBackupLifecycle(t *testing.T) {
	f := newFixture(t, nil)
	for _, endpoint := range []string{"/actuator/backupHistory", "/actuator/backups"} {
		t.Run(endpoint, func(t *testing.T) {
			id := map[string]string{"/actuator/backupHistory": "11", "/actuator/backups": "12"}[endpoint]
			a := do(t, http.MethodPost, f.url+endpoint, `{"backupId": `+id+`}`)
			var created backupapi.CreateResponse
			if a.status != http.StatusOK || json.Unmarshal(a.body, &created) != nil || len(created.ScheduledSnapshots) != 5 {
				t.Fatalf("create: %d %s, want 200 and 5 scheduled snapshots", a.status, a.body)
			}
			if want := "camunda_webapps_" + id + "_8.8.0_part_1_of_5"; created.ScheduledSnapshots[0] != want {
				t.Fatalf("first part %q, want %q", created.ScheduledSnapshots[0], want)
			}
			conformance.WaitForState(t, apiClient(t, f.url, strings.TrimPrefix(endpoint, "/actuator/")), mustID(t, id), backupapi.StateCompleted)
			a = do(t, http.MethodGet, f.url+endpoint+"/"+id, "")
			if a.status != http.StatusOK {
				t.Fatalf("get: %d %s", a.status, a.body)
			}
			detailsShape(t, a.body, true)

			a = do(t, http.MethodGet, f.url+endpoint+"?pattern="+id, "")
			var list []json.RawMessage
			if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil || len(list) != 1 {
				t.Fatalf("list: %d %s, want one backup", a.status, a.body)
			}
			detailsShape(t, list[0], true)
			a = do(t, http.MethodGet, f.url+endpoint+"?verbose=false&pattern="+id, "")
			if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil || len(list) != 1 {
				t.Fatalf("list verbose=false: %d %s", a.status, a.body)
			}
			detailsShape(t, list[0], false)

			a = do(t, http.MethodDelete, f.url+endpoint+"/"+id, "")
			if a.status != http.StatusNoContent || len(a.body) != 0 {
				t.Fatalf("delete: %d %q, want 204 without body", a.status, a.body)
			}
			wantError(t, do(t, http.MethodGet, f.url+endpoint+"/"+id, ""), http.StatusNotFound, "No backup with id ["+id+"] found.")
		})
	}
	a := do(t, http.MethodGet, f.url+history+"?pattern=999", "")
	if a.status != http.StatusOK || string(a.body) != "[]\n" {
		t.Fatalf("empty list: %d %q, want 200 []", a.status, a.body)
	}
}

func TestCreateConflicts(t *testing.T) {
	f := newFixture(t, nil)
	faults := f.backend.Emulator.Faults()
	faults.HoldSnapshots("camunda_webapps_1_*_part_1_*")
	if a := do(t, http.MethodPost, f.url+history, `{"backupId": 1}`); a.status != http.StatusOK {
		t.Fatalf("create 1: %d %s", a.status, a.body)
	}
	wantError(t, do(t, http.MethodPost, f.url+history, `{"backupId": 2}`), http.StatusBadRequest, "Another backup is running at the moment")
	faults.ReleaseSnapshots("camunda_webapps_1_*_part_1_*")
	conformance.WaitForState(t, apiClient(t, f.url, ""), 1, backupapi.StateCompleted)
	names := make([]string, 5)
	for i := range names {
		names[i] = backupapi.Metadata{BackupID: 1, Version: "8.8.0", PartNo: i + 1, PartCount: 5}.SnapshotName()
	}
	wantError(t, do(t, http.MethodPost, f.url+history, `{"backupId": 1}`), http.StatusBadRequest,
		"A backup with ID [1] already exists. Found snapshots: ["+strings.Join(names, ", ")+"]")
}

// apiClient is the actuator client of the fixture's API on endpoint ("" for the default).
func apiClient(t *testing.T, base, endpoint string) backupapi.Client {
	t.Helper()
	c, err := actuator.New(actuator.Config{URL: base, Endpoint: endpoint})
	if err != nil {
		t.Fatalf("actuator.New: %v", err)
	}
	return c
}

func mustID(t *testing.T, s string) backupapi.ID {
	t.Helper()
	id, err := backupapi.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestConfigurationErrors(t *testing.T) {
	notConfigured := newFixture(t, func(c *elastic.Config, _ *server.Options) { c.Repository = "" })
	missingRepo := newFixture(t, func(c *elastic.Config, _ *server.Options) { c.Repository = "nope" })
	noIndices := newFixture(t, func(c *elastic.Config, _ *server.Options) { c.IndexPrefix = "absent" })
	const nc, mr = "No backup repository configured.", "No repository with name [nope] could be found."
	tests := []struct {
		name         string
		f            *fixture
		method, path string
		body         string
		status       int
		message      string
	}{
		{"create, not configured", notConfigured, http.MethodPost, history, `{"backupId": 1}`, 400, nc},
		{"get, not configured", notConfigured, http.MethodGet, history + "/1", "", 400, nc},
		{"list, not configured", notConfigured, http.MethodGet, history, "", 400, nc},
		{"delete, not configured", notConfigured, http.MethodDelete, history + "/1", "", 400, nc},
		{"create, repository missing", missingRepo, http.MethodPost, history, `{"backupId": 1}`, 404, mr},
		{"get, repository missing", missingRepo, http.MethodGet, history + "/1", "", 404, mr},
		{"list, repository missing", missingRepo, http.MethodGet, history, "", 404, mr},
		{"delete, repository missing", missingRepo, http.MethodDelete, history + "/1", "", 404, mr},
		{"create, indices missing", noIndices, http.MethodPost, history, `{"backupId": 1}`, 500, "Missing indices: [absent-operate-import-position-8.3.0_, ..."},
		{"get, not found", noIndices, http.MethodGet, history + "/4", "", 404, "No backup with id [4] found."},
		{"delete, not found", noIndices, http.MethodDelete, history + "/4", "", 404, "No backup with id [4] found."},
		{"invalid id in the body beats configuration", notConfigured, http.MethodPost, history, `{"backupId": 0}`, 400, "backupId must be a positive integer, got: 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, tc.method, tc.f.url+tc.path, tc.body), tc.status, tc.message)
		})
	}
}

func TestElasticsearchFailures(t *testing.T) {
	f := newFixture(t, func(c *elastic.Config, _ *server.Options) { c.MaxRetries = -1 })
	faults := f.backend.Emulator.Faults()
	requests := []struct{ method, path, body string }{
		{http.MethodPost, history, `{"backupId": 1}`},
		{http.MethodGet, history + "/1", ""},
		{http.MethodGet, history, ""},
		{http.MethodDelete, history + "/1", ""},
	}
	for _, r := range requests {
		t.Run("unreachable "+r.method+" "+r.path, func(t *testing.T) {
			faults.SetDown(true)
			defer faults.Reset()
			a := do(t, r.method, f.url+r.path, r.body)
			wantError(t, a, http.StatusBadGateway, "...")
			if msg := a.message(t); strings.Contains(msg, f.backend.URL) || strings.Contains(msg, "127.0.0.1") {
				t.Fatalf("message %q reveals the Elasticsearch address", msg)
			}
		})
		t.Run("error "+r.method+" "+r.path, func(t *testing.T) {
			faults.FailNextRequests(1, http.StatusInternalServerError)
			defer faults.Reset()
			wantError(t, do(t, r.method, f.url+r.path, r.body), http.StatusInternalServerError, "...")
		})
	}
}

func TestPathIDs(t *testing.T) {
	f := newFixture(t, nil)
	for _, id := range []string{"abc", "1.5", "-1", "0", "99999999999999999999", "1e3", "%20", "0x10", "1_000"} {
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			t.Run(method+" "+id, func(t *testing.T) {
				wantError(t, do(t, method, f.url+history+"/"+id, ""), http.StatusBadRequest, "backupId must be a positive integer, got: ...")
			})
		}
	}
}

func TestListQuery(t *testing.T) {
	f := newFixture(t, nil)
	valid := []string{"", "23", "*", "12390*", "1230891283*", "20250401*", "20250401"}
	for _, p := range valid {
		t.Run("pattern "+p, func(t *testing.T) {
			if a := do(t, http.MethodGet, f.url+history+"?pattern="+url.QueryEscape(p), ""); a.status != http.StatusOK {
				t.Fatalf("status %d %s, want 200", a.status, a.body)
			}
		})
	}
	invalid := []string{"23a", "backup24*", "**", "12345678901234567890123456", "  ", "\n", "\t", "abcd123*", "123*?query=all"}
	for _, p := range invalid {
		t.Run("pattern "+p, func(t *testing.T) {
			wantError(t, do(t, http.MethodGet, f.url+history+"?pattern="+url.QueryEscape(p), ""), http.StatusBadRequest, "Invalid pattern: "+p)
		})
	}
	for _, v := range []string{"true", "false", "TRUE", "False", ""} {
		t.Run("verbose "+v, func(t *testing.T) {
			if a := do(t, http.MethodGet, f.url+history+"?verbose="+v, ""); a.status != http.StatusOK {
				t.Fatalf("status %d %s, want 200", a.status, a.body)
			}
		})
	}
	for _, v := range []string{"yes", "1", "0", "no", "truee"} {
		t.Run("verbose "+v, func(t *testing.T) {
			wantError(t, do(t, http.MethodGet, f.url+history+"?verbose="+v, ""), http.StatusBadRequest, "Invalid verbose: "+v+"; expected true or false")
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	f := newFixture(t, nil)
	plain := newFixture(t, func(_ *elastic.Config, o *server.Options) { o.Standalone = false })
	tests := []struct {
		name, method, url string
		status            int
		allow             string
	}{
		{"PUT on the collection", http.MethodPut, f.url + history, 405, "GET, POST"},
		{"DELETE on the collection", http.MethodDelete, f.url + history, 405, "GET, POST"},
		{"POST on a backup", http.MethodPost, f.url + history + "/1", 405, "DELETE, GET"},
		{"PATCH on a standalone backup", http.MethodPatch, f.url + "/actuator/backups/1", 405, "DELETE, GET"},
		{"POST on health", http.MethodPost, f.url + "/actuator/health", 405, "GET"},
		{"unknown path", http.MethodGet, f.url + "/actuator/nothing", 404, ""},
		{"root", http.MethodGet, f.url + "/", 404, ""},
		{"below a backup", http.MethodGet, f.url + history + "/1/parts", 404, ""},
		{"trailing slash", http.MethodGet, f.url + history + "/", 404, ""},
		{"standalone off", http.MethodGet, plain.url + "/actuator/backups", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, tc.method, tc.url, "")
			wantError(t, a, tc.status, "...")
			if a.message(t) == "" {
				t.Fatal("empty message")
			}
			if got := a.header.Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t, nil)
	big := `{"backupId": 1, "padding": "` + strings.Repeat("x", 1<<20) + `"}`
	wantError(t, do(t, http.MethodPost, f.url+history, big), http.StatusRequestEntityTooLarge, "Request body is larger than 1 MiB.")
	// Without a declared length the limit applies while reading.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+history, struct{ *strings.Reader }{strings.NewReader(big)})
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("chunked post: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 {
		t.Fatalf("chunked post: status %d, want 413", res.StatusCode)
	}
	// Just under the limit is read (and refused for what it says, not for its size).
	ok := `{"backupId": 0, "p": "` + strings.Repeat("x", 1<<20-40) + `"}`
	wantError(t, do(t, http.MethodPost, f.url+history, ok), http.StatusBadRequest, "backupId must be a positive integer, got: 0")
}
