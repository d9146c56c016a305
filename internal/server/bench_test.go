package server_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// loadDuration is how long BenchmarkGetBackupConcurrent loads the server; the figure of
// record uses -args -load-duration=10s.
var loadDuration = flag.Duration("load-duration", time.Second, "duration of BenchmarkGetBackupConcurrent's load")

// BenchmarkGetBackupConcurrent loads GET /actuator/backupHistory/{id} from 16 concurrent
// clients on the embedded default and reports requests/s, p99 latency and errors. Run it
// once: go test -run '^$' -bench GetBackupConcurrent -benchtime 1x ./internal/server -args -load-duration=10s
func BenchmarkGetBackupConcurrent(b *testing.B) {
	const clients = 16
	ctx := context.Background()
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: b.TempDir(), SnapshotDelay: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = srv.Shutdown(ctx) }()
	api, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := api.Create(ctx, 1); err != nil {
		b.Fatal(err)
	}
	conformance.WaitForState(b, api, 1, backupapi.StateCompleted)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	url := srv.URL() + "/actuator/backupHistory/1"

	for b.Loop() {
		latencies := make([][]time.Duration, clients)
		errs := make([]int, clients)
		deadline := time.Now().Add(*loadDuration)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					start := time.Now()
					res, err := hc.Get(url)
					if err != nil {
						errs[c]++
						continue
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						errs[c]++
					}
					latencies[c] = append(latencies[c], time.Since(start))
				}
			})
		}
		wg.Wait()
		all := slices.Concat(latencies...)
		slices.Sort(all)
		var errors int
		for _, n := range errs {
			errors += n
		}
		if len(all) == 0 {
			b.Fatal("no request completed")
		}
		b.ReportMetric(float64(len(all))/loadDuration.Seconds(), "req/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(errors), "errors")
		if errors > 0 {
			b.Errorf("%d requests failed", errors)
		}
	}
}

// BenchmarkList1000 compares GET /actuator/backupHistory with 1,000 backups of 6 parts against
// the direct driver List call it serves.
func BenchmarkList1000(b *testing.B) {
	be := conformance.NewBackend(b)
	be.CreateRepository(b, "bench")
	be.CreateIndices(b, "data")
	be.SnapshotBackups(b, "bench", "data", 1000, 6)
	driver, err := elastic.New(be.Config("bench", ""))
	if err != nil {
		b.Fatal(err)
	}
	defer driver.Close()
	hs := httptest.NewServer(server.NewHandler(server.Options{Backups: driver}))
	defer hs.Close()
	ctx := context.Background()
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			list, err := driver.List(ctx, backupapi.ListOptions{Verbose: true})
			if err != nil || len(list) != 1000 {
				b.Fatalf("list: %d backups, %v", len(list), err)
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		for b.Loop() {
			res, err := http.Get(hs.URL + "/actuator/backupHistory")
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if n := bytes.Count(body, []byte(`"backupId"`)); err != nil || res.StatusCode != http.StatusOK || n != 1000 {
				b.Fatalf("list: %d, %d backups, %v", res.StatusCode, n, err)
			}
		}
	})
}
