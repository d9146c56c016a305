package main

import (
	"context"
	"fmt"
)

// serverMemory measures the resident memory of the server binary, started afresh in each run.
var serverMemory = experiment{
	Title: "Resident memory of the server",
	Intro: "VmRSS of the server binary (a child process with its embedded Elasticsearch, on the repository of the " +
		"list figure), started afresh in every run: idle once it serves, the peak while it lists every backup once, " +
		"and the peak under 64 concurrent GET /actuator/backupHistory/1 clients for the load duration. Sampled from " +
		"/proc/<pid>/status every 5 ms. The provider's memory is in the Terraform section.",
	Metrics: []metric{
		{Name: "idle", Unit: "MiB", Reference: "goal < 60"},
		{Name: "listing every backup (peak)", Unit: "MiB"},
		{Name: "under load, 64 clients (peak)", Unit: "MiB"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		if _, err := l.listData(ctx); err != nil {
			return nil, nil, err
		}
		run := func(ctx context.Context, _ int) ([]float64, error) {
			child, err := l.startListServer(ctx)
			if err != nil {
				return nil, err
			}
			defer child.stop()
			pids := func() []int { return []int{child.pid()} }
			idle, err := procStatusKB(child.pid(), "VmRSS")
			if err != nil {
				return nil, err
			}
			s := sampleRSS(pids)
			err = listOverHTTP(ctx, child.URL, l.Settings.ListBackups)
			listing := s.Peak()
			if err != nil {
				return nil, err
			}
			s = sampleRSS(pids)
			r := load(ctx, child.URL+"/actuator/backupHistory/1", 64, l.Settings.LoadDuration)
			loaded := s.Peak()
			if r.Errors > 0 {
				return nil, fmt.Errorf("under load: %d of %d requests failed", r.Errors, r.Requests)
			}
			return []float64{mib(idle), mib(listing), mib(loaded)}, nil
		}
		return run, func() {}, nil
	},
}
