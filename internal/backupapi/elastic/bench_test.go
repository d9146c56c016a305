package elastic_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// partsFinished is a log handler that signals every "backup part finished" line of the
// driver: the moment the runner learns a part's outcome.
type partsFinished chan struct{}

func (p partsFinished) Enabled(context.Context, slog.Level) bool { return true }
func (p partsFinished) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p partsFinished) WithGroup(string) slog.Handler            { return p }
func (p partsFinished) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "backup part finished" {
		p <- struct{}{}
	}
	return nil
}

// BenchmarkBackupOverhead measures a 6-part backup: the wall time from Create to the last
// part finished, divided by the sum of the parts' own snapshot durations (their start and
// end times). 1.0 would be no time lost between parts.
func BenchmarkBackupOverhead(b *testing.B) {
	be := conformance.NewBackend(b)
	srv := be.RequireEmulator(b)
	srv.Faults().SetSnapshotDelay(40 * time.Millisecond)
	be.CreateRepository(b, "repo")
	be.SeedCamunda(b, backupapi.Camunda88, "", 10, false)
	be.CreateIndices(b, backupapi.Camunda88.Groups[1][0].FullName("")+conformance.ArchiveDate) // one dated part: 6 parts
	finished := make(partsFinished, 16)
	cfg := be.Config("repo", "")
	cfg.Logger = slog.New(finished)
	c := benchClient(b, cfg)
	var wall, parts time.Duration
	b.ResetTimer()
	for i := range b.N {
		id := backupapi.ID(i + 1)
		start := time.Now()
		names, err := c.Create(b.Context(), id)
		if err != nil {
			b.Fatal(err)
		}
		for range names {
			<-finished
		}
		wall += time.Since(start)
		b.StopTimer()
		got, err := c.Get(b.Context(), id)
		if err != nil || got.State != backupapi.StateCompleted || len(names) != 6 {
			b.Fatalf("backup %d: %v %s with %d parts, want COMPLETED with 6", id, err, got.State, len(names))
		}
		for _, s := range got.Snapshots {
			parts += s.EndTime.Sub(s.StartTime)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(wall)/float64(parts), "overhead-ratio")
}

// BenchmarkList1000Backups lists 1,000 backups of 6 parts (6,000 snapshots) through the
// driver, and the same single GET _snapshot call raw; list-ratio is driver over raw.
func BenchmarkList1000Backups(b *testing.B) {
	be := conformance.NewBackend(b)
	srv := be.RequireEmulator(b)
	srv.Faults().SetSnapshotDelay(-1)
	be.CreateRepository(b, "repo")
	be.CreateIndices(b, "tiny")
	be.SnapshotBackups(b, "repo", "tiny", 1000, 6)
	c := benchClient(b, be.Config("repo", ""))
	rawURL := be.URL + driverListRequest(b, srv, c)
	var driver, raw time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		got, err := c.List(b.Context(), backupapi.ListOptions{Verbose: true})
		driver += time.Since(start)
		if err != nil || len(got) != 1000 {
			b.Fatalf("list: %d backups, %v", len(got), err)
		}
		start = time.Now()
		res, err := http.Get(rawURL)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		raw += time.Since(start)
	}
	b.ReportMetric(float64(driver.Milliseconds())/float64(b.N), "driver-ms/op")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(driver)/float64(raw), "list-ratio")
}

// driverListRequest lists once through the driver and returns the path and query of the
// request it sent, for the raw measurement to send the very same.
func driverListRequest(b *testing.B, srv *esemu.Server, c *elastic.Client) string {
	b.Helper()
	srv.ResetRequests()
	if _, err := c.List(b.Context(), backupapi.ListOptions{Verbose: true}); err != nil {
		b.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodGet {
		b.Fatalf("the driver's list sent %+v, want one GET", reqs)
	}
	return reqs[0].Path + "?" + reqs[0].RawQuery
}

// benchClient is newClient for benchmarks.
func benchClient(b *testing.B, cfg elastic.Config) *elastic.Client {
	b.Helper()
	c, err := elastic.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}
