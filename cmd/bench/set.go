package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// wholeSet measures the whole Camunda backup against the time its components need.
var wholeSet = experiment{
	Title: "Whole Camunda backup",
	Intro: "The whole-backup procedure (the one camunda_backup runs) on the reference server: soft-pause exporting, web " +
		"applications and Optimize side by side, the zeebe-record snapshot, Zeebe with 3 partitions, resume. Components " +
		"are slowed to realistic steps (200 ms per snapshot, 500 ms per Zeebe partition) so that the figures are about " +
		"the procedure. Own durations are what each component reports: snapshots' start and end in Elasticsearch, " +
		"partitions' creation and last update in Zeebe. In the order the procedure must follow they add up to " +
		"max(web apps, Optimize) + zeebe-record + Zeebe.",
	Metrics: []metric{
		{Name: "set wall time", Unit: "ms"},
		{Name: "components back to back, own durations", Unit: "ms"},
		{Name: "wall / own", Unit: "×", Reference: "goal ≤ 1.10"},
		{Name: "exporting paused", Unit: "ms"},
		{Name: "paused / ordered steps", Unit: "×", Reference: "goal ≤ 1.05"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		srv, stop, err := l.startServer(ctx, server.Config{
			SnapshotDelay: 200 * time.Millisecond, ZeebeBackupDuration: 500 * time.Millisecond, SeedDocuments: 1000,
			OptimizeListen: "127.0.0.1:0", Partitions: 3,
		})
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) (trial, func(), error) { stop(); return nil, nil, err }
		set, err := newSet(ctx, srv)
		if err != nil {
			return fail(err)
		}
		id := backupapi.ID(time.Now().Unix())
		run := func(ctx context.Context, _ int) ([]float64, error) {
			id++
			start := time.Now()
			taken, err := set.Take(ctx, procedure.SetOptions{ID: id, ZeebeRecords: true})
			wall := time.Since(start)
			if err != nil {
				return nil, err
			}
			own, err := ownSetDuration(ctx, srv, set, id)
			if err != nil {
				return nil, err
			}
			steps := map[backupapi.Component]time.Duration{}
			for _, s := range taken.Steps {
				steps[s.Component] = s.Duration()
			}
			ordered := max(steps[backupapi.ComponentWebapps], steps[backupapi.ComponentOptimize]) +
				steps[backupapi.ComponentZeebeRecords] + steps[backupapi.ComponentZeebe]
			return []float64{millis(wall), millis(own), float64(wall) / float64(own), millis(taken.Paused),
				float64(taken.Paused) / float64(ordered)}, nil
		}
		return run, stop, nil
	},
}

// newSet builds the whole-backup procedure over the reference server's APIs, with the poller
// the provider gives it.
func newSet(ctx context.Context, srv *server.Server) (procedure.Set, error) {
	esURL := srv.ElasticsearchURL()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, esURL+"/zeebe-record_job_8.8.0_2026-01-01", nil)
	if err != nil {
		return procedure.Set{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return procedure.Set{}, fmt.Errorf("create a zeebe-record index: %w", err)
	}
	res.Body.Close()
	cfg := actuator.Config{URL: srv.URL()}
	web, err := actuator.New(cfg)
	if err != nil {
		return procedure.Set{}, err
	}
	zeebe, err := actuator.NewZeebe(cfg)
	if err != nil {
		return procedure.Set{}, err
	}
	exporting, err := actuator.NewExporting(cfg)
	if err != nil {
		return procedure.Set{}, err
	}
	optimize, err := actuator.NewOptimize(actuator.Config{URL: srv.OptimizeURL()})
	if err != nil {
		return procedure.Set{}, err
	}
	rec, err := records.New(records.Config{ES: esclient.Config{Addresses: []string{esURL}}, Repository: server.DefaultRepository})
	if err != nil {
		return procedure.Set{}, err
	}
	poll := procedure.SetPoller()
	return procedure.Set{
		Webapp: procedure.Webapp{Client: web, Gate: procedure.NewGate(), Poll: poll},
		Zeebe:  zeebe, Exporting: exporting, Optimize: optimize, Records: rec, Poll: poll,
		Repository: server.DefaultRepository, ResumeRequest: "curl -X POST " + srv.URL() + "/actuator/exporting/resume",
	}, nil
}

// ownSetDuration is the time the set's components need back to back in the procedure's order,
// each by its own report.
func ownSetDuration(ctx context.Context, srv *server.Server, set procedure.Set, id backupapi.ID) (time.Duration, error) {
	var spans [3]timeSpan
	for i, pattern := range []string{"camunda_webapps_" + id.String() + "_*", "camunda_optimize_" + id.String() + "_*", backupapi.ZeebeRecordsSnapshotName(id)} {
		s, err := snapshotTimes(ctx, srv.ElasticsearchURL(), pattern)
		if err != nil {
			return 0, err
		}
		spans[i] = s
	}
	zb, err := set.Zeebe.Get(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("zeebe backup %s: %w", id, err)
	}
	var zeebe timeSpan
	for _, p := range zb.Details {
		zeebe.add(p.CreatedAt, p.LastUpdatedAt)
	}
	return max(spans[0].duration(), spans[1].duration()) + spans[2].duration() + zeebe.duration(), nil
}

// timeSpan is from a component's first start to its last end.
type timeSpan struct{ start, end time.Time }

func (s *timeSpan) add(start, end time.Time) {
	if !start.IsZero() && (s.start.IsZero() || start.Before(s.start)) {
		s.start = start
	}
	if end.After(s.end) {
		s.end = end
	}
}

func (s timeSpan) duration() time.Duration { return s.end.Sub(s.start) }

// snapshotTimes reads the start and end of the snapshots matching pattern.
func snapshotTimes(ctx context.Context, esURL, pattern string) (timeSpan, error) {
	var s timeSpan
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, esURL+"/_snapshot/"+server.DefaultRepository+"/"+pattern, nil)
	if err != nil {
		return s, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	var answer struct {
		Snapshots []struct {
			Start int64 `json:"start_time_in_millis"`
			End   int64 `json:"end_time_in_millis"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		return s, fmt.Errorf("snapshots %s: %w", pattern, err)
	}
	for _, snap := range answer.Snapshots {
		s.add(time.UnixMilli(snap.Start), time.UnixMilli(snap.End))
	}
	return s, nil
}
