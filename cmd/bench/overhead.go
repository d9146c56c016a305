package main

import (
	"context"
	"fmt"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// backupOverhead compares the time from create to COMPLETED with the sum of the parts' own
// snapshot durations, on a realistic data set.
var backupOverhead = experiment{
	Title: "Backup overhead",
	Intro: "Time from POST /actuator/backupHistory on the reference server to the answer of the last part's snapshot, " +
		"over the sum of the parts' own durations (each snapshot's end minus start, as Elasticsearch reports them). " +
		"Data: the Camunda 8.8 index set with one archived index (6 parts) and the documents of the settings below, " +
		"on the embedded Elasticsearch with its default per-snapshot delay.",
	Metrics: []metric{
		{Name: "create to COMPLETED", Unit: "ms"},
		{Name: "sum of the parts' durations", Unit: "ms"},
		{Name: "overhead (ratio)", Unit: "×", Reference: "goal ≤ 1.10"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		srv, stop, err := l.startServer(ctx, server.Config{SeedDocuments: l.Settings.Documents})
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) (trial, func(), error) { stop(); return nil, nil, err }
		if err := addArchive(ctx, srv.ElasticsearchURL()); err != nil {
			return fail(err)
		}
		api, err := actuator.New(actuator.Config{URL: srv.URL()})
		if err != nil {
			return fail(err)
		}
		reads, err := driver(srv.ElasticsearchURL())
		if err != nil {
			return fail(err)
		}
		emu := srv.Emulator()
		run := func(ctx context.Context, run int) ([]float64, error) {
			id := backupapi.ID(run + 1)
			start := time.Now()
			names, err := api.Create(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("create: %w", err)
			}
			done, err := waitForSnapshot(ctx, emu, names[len(names)-1])
			if err != nil {
				return nil, err
			}
			wall := done.Sub(start)
			b, err := reads.Get(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("get: %w", err)
			}
			if b.State != backupapi.StateCompleted {
				return nil, fmt.Errorf("backup %d is %s, want COMPLETED", id, b.State)
			}
			_, parts, err := ownDuration(b)
			if err != nil {
				return nil, err
			}
			return []float64{millis(wall), millis(parts), float64(wall) / float64(parts)}, nil
		}
		return run, func() { _ = reads.Close(); stop() }, nil
	},
}
