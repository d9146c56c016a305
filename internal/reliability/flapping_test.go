package reliability

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// flapping answers every other request with 503, as a node that keeps dropping out of its
// cluster does, and passes the others to next.
func flapping(next http.Handler) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"type":"master_not_discovered_exception","reason":"flapping"},"status":503}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestElasticsearchFlapping takes 6-part backups while every other Elasticsearch request
// fails: each ends COMPLETED with every part SUCCESS in Elasticsearch, or FAILED with a
// reason, or INCOMPLETE; never a false COMPLETED.
func TestElasticsearchFlapping(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.be.CreateIndices(t, backupapi.Camunda88.Groups[1][0].FullName("")+"2025-01-15") // 6 parts
	es := httptest.NewServer(flapping(s.be.Emulator.Handler()))
	t.Cleanup(es.Close)
	clock := &clock{}
	d, err := elastic.New(elastic.Config{Addresses: []string{es.URL}, Repository: repo, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	api := httptest.NewServer(server.NewHandler(server.Options{Backups: d}))
	t.Cleanup(api.Close)

	for id := backupapi.ID(1); id <= 5; id++ {
		var a answer
		waitFor(t, "the previous backup's runner to let go", func() bool {
			a = call(t, api.URL, http.MethodPost, "/actuator/backupHistory", `{"backupId":`+id.String()+`}`)
			return a.Status != http.StatusBadRequest || a.Message != "Another backup is running at the moment"
		})
		if a.Status != http.StatusOK {
			if a.Status != http.StatusBadGateway && a.Status != http.StatusInternalServerError {
				t.Fatalf("create %d: %d %s, want 200, or 502/500 for a failed call", id, a.Status, a.Body)
			}
			if names := s.be.SnapshotNames(t, repo); slices.ContainsFunc(names, func(n string) bool { return backupOf(n) == id }) {
				t.Fatalf("create %d failed (%d) yet left snapshots: %v", id, a.Status, names)
			}
			continue
		}
		var b backupapi.Backup
		lost := false
		waitFor(t, "backup "+id.String()+" to finish", func() bool {
			got, err := d.Get(t.Context(), id)
			if errors.Is(err, backupapi.ErrNotFound) {
				lost = true
				return true
			}
			if err != nil {
				return false
			}
			b = got
			if b.State == backupapi.StateInProgress {
				clock.Advance(time.Second) // parts left unstarted become INCOMPLETE after the timeout
			}
			return b.State.Terminal()
		})
		if lost {
			t.Errorf("create of backup %d answered 200 with %s, then the backup is not found: its first part was never "+
				"taken, and nothing reports it FAILED or INCOMPLETE", id, a.Body)
			continue
		}
		truth, err := s.driver.Get(t.Context(), id) // straight to Elasticsearch, no faults
		if err != nil {
			t.Fatal(err)
		}
		switch b.State {
		case backupapi.StateCompleted:
			if truth.State != backupapi.StateCompleted || len(truth.Snapshots) != 6 {
				t.Errorf("backup %d reported COMPLETED; Elasticsearch holds %v (%s)", id, truth.SnapshotNames(), truth.State)
			}
		case backupapi.StateFailed:
			if b.FailureReason == "" {
				t.Errorf("backup %d FAILED without a reason", id)
			}
		case backupapi.StateIncomplete:
			if len(b.Snapshots) >= 6 {
				t.Errorf("backup %d INCOMPLETE with all its parts: %v", id, b.SnapshotNames())
			}
		default:
			t.Errorf("backup %d ended %s", id, b.State)
		}
		t.Logf("backup %d: %s with %d parts", id, b.State, len(b.Snapshots))
	}
}

// backupOf returns the backup id a snapshot belongs to, 0 for none.
func backupOf(name string) backupapi.ID {
	m, err := backupapi.ParseSnapshotName(name)
	if err != nil {
		return 0
	}
	return m.BackupID
}

// clock runs with real time, shifted by an offset the test moves.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
