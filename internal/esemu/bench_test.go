package esemu

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
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

func listOnce(tb testing.TB, url string) {
	getOnce(tb, url+"/_snapshot/bench_repo/camunda_webapps_*")
}

// listFilter is the filter_path of the Elasticsearch backup driver's snapshot lists.
const listFilter = "snapshots.snapshot,snapshots.state,snapshots.metadata,snapshots.start_time_in_millis,snapshots.end_time_in_millis,snapshots.failures.reason"

func getOnce(tb testing.TB, url string) {
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != 200 {
		tb.Fatalf("status %d", res.StatusCode)
	}
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

// BenchmarkListSnapshots6000 lists 6,000 snapshots with one GET over HTTP, and reports the
// resident memory of the process (the emulator with its 6,000 snapshots, and the benchmark)
// idle before the first list and at its peak after the lists.
func BenchmarkListSnapshots6000(b *testing.B) {
	_, url := setupBench(b)
	runtime.GC()
	idle := procStatusMiB(b, "VmRSS")
	listOnce(b, url)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		listOnce(b, url)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(idle, "idle-RSS-MiB")
	b.ReportMetric(procStatusMiB(b, "VmHWM"), "peak-RSS-MiB")
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

// BenchmarkDecodeOrdered parses request bodies as the emulator reads them: a bulk line of a
// Camunda list-view document, and an array of 100,000 small numbers (the shape whose memory
// per element bounds what one request can cost).
func BenchmarkDecodeOrdered(b *testing.B) {
	doc := []byte(`{"id":"2251799813685249","key":2251799813685249,"partitionId":1,"processDefinitionKey":2251799813685248,"bpmnProcessId":"order-process","processName":"Order","processVersion":3,"state":"ACTIVE","startDate":"2025-01-01T00:00:00.000+0000","endDate":null,"incident":false,"tenantId":"<default>","joinRelation":{"name":"processInstance"},"variables":[{"name":"amount","value":"42.5"},{"name":"customer","value":"\"Zoë\""}]}`)
	numbers := make([]byte, 0, 200_001)
	numbers = append(numbers, '[')
	for i := range 100_000 {
		if i > 0 {
			numbers = append(numbers, ',')
		}
		numbers = append(numbers, byte('0'+i%10))
	}
	numbers = append(numbers, ']')
	for _, bc := range []struct {
		name string
		data []byte
	}{{"document", doc}, {"array100k", numbers}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeOrdered(bc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
