package elastic_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// partGate is a transport that stands between the driver and Elasticsearch and can hold or
// refuse the snapshot requests of parts.
type partGate struct {
	next    http.RoundTripper
	refuse  atomic.Int64 // refuse this many part requests with 503
	hold    chan struct{}
	mu      sync.Mutex
	arrived chan struct{} // closed when a held request has arrived
}

func (g *partGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "_part_") {
		if g.refuse.Add(-1) >= 0 {
			return &http.Response{
				StatusCode: http.StatusServiceUnavailable, Request: r,
				Header: http.Header{"Content-Type": {"application/json"}, "X-Elastic-Product": {"Elasticsearch"}},
				Body:   io.NopCloser(strings.NewReader(`{"error":{"type":"unavailable_shards_exception","reason":"busy"},"status":503}`)),
			}, nil
		}
		g.mu.Lock()
		hold, arrived := g.hold, g.arrived
		g.hold, g.arrived = nil, nil
		g.mu.Unlock()
		if hold != nil {
			close(arrived)
			<-hold
		}
	}
	return g.next.RoundTrip(r)
}

// holdNext holds the next part request until the returned function is called.
func (g *partGate) holdNext() (arrived <-chan struct{}, release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hold, g.arrived = make(chan struct{}), make(chan struct{})
	hold := g.hold
	return g.arrived, func() { close(hold) }
}

func gatedClient(t *testing.T, snapshotTimeout time.Duration) (*conformance.Backend, *partGate, backupapi.Client) {
	t.Helper()
	b := conformance.NewBackend(t)
	b.RequireEmulator(t)
	b.CreateRepository(t, "repo")
	b.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	gate := &partGate{next: http.DefaultTransport}
	cfg := b.Config("repo", "")
	cfg.Transport, cfg.SnapshotTimeout = gate, snapshotTimeout
	return b, gate, newClient(t, cfg)
}

// A backup whose first part has not reached Elasticsearch yet is IN_PROGRESS, not unknown.
func TestGetBeforeTheFirstPartIsRegistered(t *testing.T) {
	_, gate, c := gatedClient(t, 0)
	arrived, release := gate.holdNext()
	if _, err := c.Create(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	<-arrived
	b, err := c.Get(t.Context(), 1)
	if err != nil || b.State != backupapi.StateInProgress || len(b.Snapshots) != 0 {
		t.Fatalf("Get before part 1 is registered = %+v, %v; want IN_PROGRESS with no parts", b, err)
	}
	// List agrees with Get, for every pattern that selects the backup and none other.
	for pattern, want := range map[string]int{"": 1, "*": 1, "1": 1, "1*": 1, "2": 0, "10*": 0} {
		list, err := c.List(t.Context(), backupapi.ListOptions{Pattern: pattern, Verbose: true})
		if err != nil || len(list) != want || (want == 1 && (list[0].ID != 1 || list[0].State != backupapi.StateInProgress)) {
			t.Errorf("List(%q) before part 1 is registered = %+v, %v; want %d backup(s): 1 IN_PROGRESS", pattern, list, err, want)
		}
	}
	release()
	conformance.WaitForState(t, c, 1, backupapi.StateCompleted)
}

// Deleting a backup whose part is still on its way leaves no part behind.
func TestDeleteWhileThePartIsOnItsWay(t *testing.T) {
	b, gate, c := gatedClient(t, 0)
	arrived, release := gate.holdNext()
	if _, err := c.Create(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := c.Delete(t.Context(), 1); err != nil {
		t.Fatalf("delete of a backup just started: %v", err)
	}
	release() // the part reaches Elasticsearch after the delete
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.Get(t.Context(), 1)
		names := b.SnapshotNames(t, "repo")
		if errors.Is(err, backupapi.ErrNotFound) && len(names) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the delete: Get error %v, snapshots %v; want none", err, names)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A part refused with 503 (Elasticsearch did not process it) is sent again.
func TestPartRefusedWith503IsSentAgain(t *testing.T) {
	_, gate, c := gatedClient(t, 0)
	gate.refuse.Store(3)
	if _, err := c.Create(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	b := conformance.WaitForState(t, c, 1, backupapi.StateCompleted, backupapi.StateFailed, backupapi.StateIncomplete)
	if b.State != backupapi.StateCompleted || len(b.Snapshots) != 5 {
		t.Fatalf("backup after three refusals = %s with %v, want COMPLETED with 5 parts", b.State, b.SnapshotNames())
	}
}

// A backup none of whose parts Elasticsearch would take is FAILED with a reason, not gone.
func TestBackupWhoseFirstPartIsNeverTakenIsFailed(t *testing.T) {
	_, gate, c := gatedClient(t, 300*time.Millisecond)
	gate.refuse.Store(1 << 30)
	if _, err := c.Create(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	b := conformance.WaitForState(t, c, 1, backupapi.StateFailed)
	if !strings.Contains(b.FailureReason, "could not be taken") {
		t.Fatalf("failure reason %q", b.FailureReason)
	}
	if list, err := c.List(t.Context(), backupapi.ListOptions{}); err != nil || len(list) != 1 || list[0].State != backupapi.StateFailed {
		t.Fatalf("List = %+v, %v; want backup 1 FAILED, as Get reads it", list, err)
	}
	if err := c.Delete(t.Context(), 1); err != nil {
		t.Fatalf("delete of the failed backup: %v", err)
	}
	if _, err := c.Get(t.Context(), 1); !errors.Is(err, backupapi.ErrNotFound) {
		t.Fatalf("after delete: %v, want not found", err)
	}
}
