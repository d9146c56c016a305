package procedure_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// span is a component's own duration: from its first start to its last end, as the
// component itself reports them.
type span struct{ start, end time.Time }

func (s *span) add(start, end time.Time) {
	if !start.IsZero() && (s.start.IsZero() || start.Before(s.start)) {
		s.start = start
	}
	if end.After(s.end) {
		s.end = end
	}
}

func (s span) duration() time.Duration { return s.end.Sub(s.start) }

// snapshotSpan reads the start and end of the snapshots matching pattern from Elasticsearch.
func snapshotSpan(b *testing.B, esURL, pattern string) span {
	b.Helper()
	res, err := http.Get(esURL + "/_snapshot/" + server.DefaultRepository + "/" + pattern)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		Snapshots []struct {
			Start int64 `json:"start_time_in_millis"`
			End   int64 `json:"end_time_in_millis"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		b.Fatal(err)
	}
	var s span
	for _, snap := range answer.Snapshots {
		s.add(time.UnixMilli(snap.Start), time.UnixMilli(snap.End))
	}
	return s
}

// BenchmarkSetOverhead takes whole sets (web apps, Optimize, zeebe-record, Zeebe with 3
// partitions) on the reference server with the provider's poller, and reports:
//
//   - wall/own: the set's wall time over the time its components need back to back in the
//     procedure's order, each by its own report (max(web apps, Optimize), which run side by
//     side, + zeebe-record + Zeebe); goal ≤ 1.10;
//   - paused/steps: how long exporting stays paused over the time the ordered steps took as
//     the procedure ran them (max(web apps, Optimize) + zeebe-record + Zeebe); goal ≤ 1.05.
func BenchmarkSetOverhead(b *testing.B) {
	// Slower components than the tests': the figures are about the procedure, not the
	// emulator's minimal delays.
	c := startCamunda(b, func(cfg *server.Config) {
		cfg.SnapshotDelay, cfg.ZeebeBackupDuration, cfg.SeedDocuments = 200*time.Millisecond, 500*time.Millisecond, 1000
	})
	c.set.Poll = procedure.SetPoller()
	c.set.Webapp.Poll = c.set.Poll
	ctx := context.Background()
	id := backupapi.ID(time.Now().Unix())
	var wallOwn, pausedSteps []float64
	for b.Loop() {
		id++
		start := time.Now()
		taken, err := c.set.Take(ctx, procedure.SetOptions{ID: id, ZeebeRecords: true})
		wall := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		web := snapshotSpan(b, c.srv.ElasticsearchURL(), "camunda_webapps_"+id.String()+"_*")
		opt := snapshotSpan(b, c.srv.ElasticsearchURL(), "camunda_optimize_"+id.String()+"_*")
		rec := snapshotSpan(b, c.srv.ElasticsearchURL(), backupapi.ZeebeRecordsSnapshotName(id))
		zb, err := c.set.Zeebe.Get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		var zeebe span
		for _, p := range zb.Details {
			zeebe.add(p.CreatedAt, p.LastUpdatedAt)
		}
		own := max(web.duration(), opt.duration()) + rec.duration() + zeebe.duration()
		steps := map[backupapi.Component]time.Duration{}
		for _, s := range taken.Steps {
			steps[s.Component] = s.Duration()
		}
		ordered := max(steps[backupapi.ComponentWebapps], steps[backupapi.ComponentOptimize]) +
			steps[backupapi.ComponentZeebeRecords] + steps[backupapi.ComponentZeebe]
		wallOwn = append(wallOwn, float64(wall)/float64(own))
		pausedSteps = append(pausedSteps, float64(taken.Paused)/float64(ordered))
		b.Logf("set %s: wall %s, own %s (web %s, optimize %s, zeebe-record %s, zeebe %s); paused %s, steps %s",
			id, wall.Round(time.Millisecond), own.Round(time.Millisecond), web.duration(), opt.duration(), rec.duration(),
			zeebe.duration().Round(time.Millisecond), taken.Paused.Round(time.Millisecond), ordered.Round(time.Millisecond))
	}
	b.ReportMetric(median(wallOwn), "wall/own")
	b.ReportMetric(median(pausedSteps), "paused/steps")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
