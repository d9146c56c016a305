package reliability

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestElasticsearchDown takes Elasticsearch down under each operation: the server answers 502
// with a message, writes nothing, and answers normally once Elasticsearch is back.
func TestElasticsearchDown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method, path, body string
		after                    int
	}{
		{"create", http.MethodPost, "/actuator/backupHistory", `{"backupId": 2}`, http.StatusOK},
		{"get", http.MethodGet, "/actuator/backupHistory/1", "", http.StatusOK},
		{"list", http.MethodGet, "/actuator/backupHistory", "", http.StatusOK},
		{"delete", http.MethodDelete, "/actuator/backupHistory/1", "", http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			if _, err := s.driver.Create(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
			conformance.WaitForState(t, s.driver, 1, backupapi.StateCompleted)
			before := s.be.SnapshotNames(t, repo)

			s.be.Emulator.Faults().SetDown(true)
			a := call(t, s.api.URL, tc.method, tc.path, tc.body)
			if a.Status != http.StatusBadGateway || a.Message == "" {
				t.Errorf("while down: %d %q, want 502 with a message", a.Status, a.Body)
			}
			if strings.Contains(a.Message, s.be.URL) || strings.Contains(a.Message, "127.0.0.1") {
				t.Errorf("the message shows an internal address: %q", a.Message)
			}
			s.be.Emulator.Faults().SetDown(false)

			if after := s.be.SnapshotNames(t, repo); !slices.Equal(after, before) {
				t.Errorf("snapshots changed while Elasticsearch was down:\nbefore %v\nafter  %v", before, after)
			}
			if a := call(t, s.api.URL, tc.method, tc.path, tc.body); a.Status != tc.after {
				t.Errorf("after recovery: %d %s, want %d", a.Status, a.Body, tc.after)
			}
			if tc.name == "create" {
				conformance.WaitForState(t, s.driver, 2, backupapi.StateCompleted)
			}
		})
	}
}

// TestElasticsearchDownMidBackup takes Elasticsearch down while a part is running: the backup
// is COMPLETED once Elasticsearch is back, with every part.
func TestElasticsearchDownMidBackup(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	f := s.be.Emulator.Faults()
	const held = "camunda_webapps_1_*_part_3_*"
	f.HoldSnapshots(held)
	names, err := s.driver.Create(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "part 3 running", func() bool {
		b, err := s.driver.Get(t.Context(), 1)
		return err == nil && len(b.Snapshots) == 3 && b.Snapshots[2].State == backupapi.SnapshotInProgress
	})
	f.SetDown(true)
	if a := call(t, s.api.URL, http.MethodGet, "/actuator/backupHistory/1", ""); a.Status != http.StatusBadGateway {
		t.Errorf("get while down: %d %s, want 502", a.Status, a.Body)
	}
	f.SetDown(false)
	f.ReleaseSnapshots(held)
	b := conformance.WaitForState(t, s.driver, 1, backupapi.StateCompleted, backupapi.StateFailed, backupapi.StateIncomplete)
	if b.State != backupapi.StateCompleted || !slices.Equal(b.SnapshotNames(), names) {
		t.Errorf("backup %s %q with %v after an outage during a part, want COMPLETED with %v", b.State, b.FailureReason, b.SnapshotNames(), names)
	}
}

// TestAccProviderWhileElasticsearchDown takes Elasticsearch down under terraform, with each
// backend: the refresh retries as configured (the requests are counted), then fails with a
// diagnostic that says the backend is unreachable and what went wrong, and keeps the backup in
// the state; once Elasticsearch is back, the plan is empty.
func TestAccProviderWhileElasticsearchDown(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{"actuator", "elasticsearch"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			faults := s.be.Emulator.Faults()
			var requests atomic.Int64
			counted := func(h http.Handler) string {
				hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					requests.Add(1)
					h.ServeHTTP(w, r)
				}))
				t.Cleanup(hs.Close)
				return hs.URL
			}
			const retries = "  retries        = 2\n  retry_max_wait = \"50ms\"\n"
			config := backupHCL(counted(server.NewHandler(server.Options{Backups: s.driver})), retries, "  backup_id = 1\n")
			unreachable := `(?s)Backup Backend Unreachable.*reading backup 1.*Elasticsearch could not be reached`
			if backend == "elasticsearch" {
				config = fmt.Sprintf("provider \"camunda\" {\n%s  elasticsearch {\n    urls       = [%q]\n    repository = %q\n  }\n}\n\n"+
					"resource \"camunda_webapp_backup\" \"test\" {\n  backup_id = 1\n}\n", retries, counted(s.be.Emulator.Handler()), repo)
				unreachable = `(?s)Backup Backend Unreachable.*get backup 1: Elasticsearch could not be reached`
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories,
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(backupAddr, tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED")),
						},
					},
					{
						PreConfig: func() {
							faults.SetDown(true)
							requests.Store(0)
						},
						Config:      config,
						ExpectError: regexp.MustCompile(unreachable),
					},
					{
						PreConfig: func() {
							faults.SetDown(false)
							if n := requests.Load(); n != 3 {
								t.Errorf("the refresh sent %d requests while Elasticsearch was down, want 1 + 2 retries", n)
							}
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(backupAddr, tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED")),
						},
					},
				},
			})
		})
	}
}
