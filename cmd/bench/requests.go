package main

import (
	"context"
	"fmt"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// designParts is N of Camunda's design figures: a backup of 6 parts.
const designParts = 6

// requestsPerOperation counts the Elasticsearch requests behind each operation of the backup
// API, served by the reference server, from the embedded Elasticsearch's request log.
var requestsPerOperation = experiment{
	Title: "Elasticsearch requests per operation",
	Intro: fmt.Sprintf("Requests the embedded Elasticsearch logged for one call of the backup API on the reference server, "+
		"for a backup of N = %d parts (the Camunda 8.8 index set with one archived index). Create counts every request "+
		"until the last part's snapshot is answered. The reference is Camunda's own implementation.", designParts),
	Metrics: []metric{
		{Name: "create", Unit: "requests", Reference: fmt.Sprintf("2 + 2N = %d", 2+2*designParts)},
		{Name: "get", Unit: "requests", Reference: "1"},
		{Name: "list", Unit: "requests", Reference: "1"},
		{Name: "delete", Unit: "requests", Reference: fmt.Sprintf("2 + N = %d", 2+designParts)},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		srv, stop, err := l.startServer(ctx, server.Config{SnapshotDelay: -1, SeedDocuments: 1000})
		if err != nil {
			return nil, nil, err
		}
		if err := addArchive(ctx, srv.ElasticsearchURL()); err != nil {
			stop()
			return nil, nil, err
		}
		api, err := actuator.New(actuator.Config{URL: srv.URL()})
		if err != nil {
			stop()
			return nil, nil, err
		}
		emu := srv.Emulator()
		run := func(ctx context.Context, run int) ([]float64, error) {
			id := backupapi.ID(run + 1)
			emu.ResetRequests()
			names, err := api.Create(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("create: %w", err)
			}
			if len(names) != designParts {
				return nil, fmt.Errorf("create scheduled %d parts, want %d", len(names), designParts)
			}
			if _, err := waitForSnapshot(ctx, emu, names[len(names)-1]); err != nil {
				return nil, err
			}
			create := len(emu.Requests())
			counted := func(op func() error) (float64, error) {
				emu.ResetRequests()
				err := op()
				return float64(len(emu.Requests())), err
			}
			get, err := counted(func() error { _, err := api.Get(ctx, id); return err })
			if err != nil {
				return nil, fmt.Errorf("get: %w", err)
			}
			list, err := counted(func() error { _, err := api.List(ctx, backupapi.ListOptions{Verbose: true}); return err })
			if err != nil {
				return nil, fmt.Errorf("list: %w", err)
			}
			del, err := counted(func() error { return api.Delete(ctx, id) })
			if err != nil {
				return nil, fmt.Errorf("delete: %w", err)
			}
			return []float64{float64(create), get, list, del}, nil
		}
		return run, stop, nil
	},
}
