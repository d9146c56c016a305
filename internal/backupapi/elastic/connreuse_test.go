package elastic_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// TestConcurrentCallsReuseConnections sends rounds of concurrent calls, all in flight at
// once: after the first round, the later ones are served on the connections it opened.
func TestConcurrentCallsReuseConnections(t *testing.T) {
	const concurrent = 16
	var opened atomic.Int64
	var mu sync.Mutex
	arrived, release := 0, make(chan struct{})
	es := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Hold each answer until the whole round is in flight, so that the round needs as
		// many connections as it has calls.
		mu.Lock()
		arrived++
		if arrived%concurrent == 0 {
			close(release)
		}
		wait := release
		mu.Unlock()
		select {
		case <-wait:
		case <-time.After(10 * time.Second):
		}
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"snapshots":[]}`))
	}))
	es.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	es.Start()
	defer es.Close()
	c, err := elastic.New(elastic.Config{Addresses: []string{es.URL}, Repository: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	round := func() {
		t.Helper()
		mu.Lock()
		release = make(chan struct{})
		mu.Unlock()
		var wg sync.WaitGroup
		for range concurrent {
			wg.Go(func() {
				if _, err := c.Get(t.Context(), 1); err == nil {
					t.Error("Get of a backup without snapshots: no error, want not found")
				}
			})
		}
		wg.Wait()
	}
	round()
	first := opened.Load()
	if first < concurrent {
		t.Fatalf("the first round of %d calls at once opened %d connections, want %d", concurrent, first, concurrent)
	}
	for range 3 {
		round()
	}
	if more := opened.Load() - first; more != 0 {
		t.Errorf("three later rounds of %d calls at once opened %d more connections, want 0 (the first round's are reused)", concurrent, more)
	}
}
