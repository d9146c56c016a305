package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestCamundaQuirks: with Camunda's quirks on, the web-application API answers as Camunda's
// code does where the contract differs; without them, as the contract says.
func TestCamundaQuirks(t *testing.T) {
	quirks := func(_ *elastic.Config, o *server.Options) { o.CamundaQuirks = true }
	missing := func(c *elastic.Config, o *server.Options) { c.Repository, o.CamundaQuirks = "nope", true }
	q, qMissing := newFixture(t, quirks), newFixture(t, missing)
	contractMissing := newFixture(t, func(c *elastic.Config, _ *server.Options) { c.Repository = "nope" })
	for _, tc := range []struct {
		name         string
		f            *fixture
		method, path string
		body         string
		status       int
		message      string
	}{
		{"take with 0", q, http.MethodPost, history, `{"backupId": 0}`, 400, "BackupId must be a non-negative Integer. Received value: 0"},
		{"take with -1", q, http.MethodPost, history, `{"backupId": -1}`, 400, "BackupId must be a non-negative Integer. Received value: -1"},
		{"delete of -1", q, http.MethodDelete, history + "/-1", "", 400, "BackupId must be a non-negative Integer. Received value: -1"},
		{"a non-numeric id stays the framework's refusal", q, http.MethodDelete, history + "/x", "", 400, "backupId must be a positive integer, got: x"},
		{"get with the repository missing: 500", qMissing, http.MethodGet, history + "/1", "", 500, "No repository with name [nope] could be found."},
		{"list with the repository missing stays 404", qMissing, http.MethodGet, history, "", 404, "No repository with name [nope] could be found."},
		{"contract: get with the repository missing: 404", contractMissing, http.MethodGet, history + "/1", "", 404, "No repository with name [nope] could be found."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, do(t, tc.method, tc.f.url+tc.path, tc.body), tc.status, tc.message)
		})
	}
	t.Run("details order", func(t *testing.T) {
		if a := do(t, http.MethodPost, q.url+history, `{"backupId": 3}`); a.status != 200 {
			t.Fatalf("create: %d %s", a.status, a.body)
		}
		conformance.WaitForState(t, apiClient(t, q.url, "backupHistory"), 3, backupapi.StateCompleted)
		var one backupapi.Backup
		if err := json.Unmarshal(do(t, http.MethodGet, q.url+history+"/3", "").body, &one); err != nil {
			t.Fatal(err)
		}
		var list []backupapi.Backup
		if err := json.Unmarshal(do(t, http.MethodGet, q.url+history, "").body, &list); err != nil || len(list) != 1 {
			t.Fatalf("list: %v %+v", err, list)
		}
		n := len(one.Snapshots)
		if n < 2 || one.Snapshots[0].Metadata.PartNo != 1 || list[0].Snapshots[0].Name != one.Snapshots[n-1].Name || list[0].Snapshots[n-1].Name != one.Snapshots[0].Name {
			t.Fatalf("get %v, list %v: want part order in get and newest part first in the list", one.SnapshotNames(), list[0].SnapshotNames())
		}
	})
}
