package esemu

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"testing"
	"time"
)

// seedSnapshots registers n finished snapshots of six parts each, as 1,000
// Camunda backups make, without running the snapshot engine.
func seedSnapshots(tb testing.TB, srv *Server, repo string, backups int) {
	tb.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	r := srv.repoByName(repo)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for b := 0; b < backups; b++ {
		for p := 1; p <= 6; p++ {
			sn := &snapshot{snapshotRecord: snapshotRecord{
				Name: fmt.Sprintf("camunda_webapps_%d_8.8.0_part_%d_of_6", 1000000+b, p), UUID: newUUID(),
				VersionID: srv.versionID(), Version: srv.cfg.Version,
				Indices:     []indexDetail{{Name: fmt.Sprintf("operate-list-view-8.3.0_%d", p), UUID: newUUID(), Shards: 1, SizeBytes: 4096}},
				DataStreams: []string{}, IncludeGlobalState: false, FeatureStates: []featureState{},
				Metadata: []byte(fmt.Sprintf(`{"version":"8.8.0","partNo":%d,"partCount":6}`, p)),
				State:    stateSuccess, Start: start + int64(b*6+p)*1000, End: start + int64(b*6+p)*1000 + 120,
				Failures: []shardFailure{}, TotalShards: 1,
			}}
			r.data.add(sn)
		}
	}
}

func newBenchServer(tb testing.TB) (*Server, string) {
	srv, err := New(Config{DataDir: tb.TempDir(), PathRepo: []string{tb.TempDir()}, SnapshotDelay: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return srv, hs.URL
}

func listOnce(tb testing.TB, url string) int {
	return getOnce(tb, url+"/_snapshot/bench_repo/camunda_webapps_*")
}

// listFilter is the filter_path of the Elasticsearch backup driver's snapshot lists.
const listFilter = "snapshots.snapshot,snapshots.state,snapshots.metadata,snapshots.start_time_in_millis,snapshots.end_time_in_millis,snapshots.failures.reason"

func getOnce(tb testing.TB, url string) int {
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		tb.Fatalf("status %d", res.StatusCode)
	}
	return int(n)
}

func setupBench(tb testing.TB) (*Server, string) {
	srv, url := newBenchServer(tb)
	req, _ := http.NewRequest("PUT", url+"/_snapshot/bench_repo", stringsReader(`{"type":"fs","settings":{"location":"bench"}}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		tb.Fatalf("create repo: %v %v", err, res)
	}
	res.Body.Close()
	seedSnapshots(tb, srv, "bench_repo", 1000)
	return srv, url
}

// BenchmarkListSnapshots6000 lists 6,000 snapshots with one GET over HTTP.
func BenchmarkListSnapshots6000(b *testing.B) {
	_, url := setupBench(b)
	listOnce(b, url)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		listOnce(b, url)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkListSnapshots6000Filtered lists 6,000 snapshots with one GET over HTTP, keeping
// only the fields the backup driver reads.
func BenchmarkListSnapshots6000Filtered(b *testing.B) {
	_, url := setupBench(b)
	url += "/_snapshot/bench_repo/camunda_webapps_*?verbose=true&index_names=false&filter_path=" + listFilter
	getOnce(b, url)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		getOnce(b, url)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
}

// TestListSnapshots6000Figures reports the median list time and the heap and
// resident memory, idle and while listing 6,000 snapshots.
func TestListSnapshots6000Figures(t *testing.T) {
	if testing.Short() {
		t.Skip("performance figures")
	}
	_, url := setupBench(t)
	runtime.GC()
	idle := memFigures()
	var times []time.Duration
	size := 0
	for i := 0; i < 21; i++ {
		start := time.Now()
		size = listOnce(t, url)
		times = append(times, time.Since(start))
	}
	listing := memFigures()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	t.Logf("list 6000 snapshots: median %v (min %v, max %v), %d bytes", times[len(times)/2], times[0], times[len(times)-1], size)
	t.Logf("idle with 6000 snapshots: %s", idle)
	t.Logf("after listing: %s", listing)
	if !raceEnabled && times[len(times)/2] > 200*time.Millisecond {
		t.Errorf("median list time %v is far over budget", times[len(times)/2])
	}
}

func memFigures() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("heap in use %.1f MiB, sys %.1f MiB, RSS %s", float64(ms.HeapInuse)/(1<<20), float64(ms.Sys)/(1<<20), rss())
}
