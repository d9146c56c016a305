package reliability

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
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
