package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// concurrencies are the numbers of concurrent clients of the load figure.
var concurrencies = []int{1, 16, 64}

// loadResult is what one load of GET requests measured.
type loadResult struct {
	Requests  int
	Errors    int
	Latencies []float64 // milliseconds, sorted
	Took      time.Duration
}

// load sends GET url from clients concurrent clients, each one request after another, for d.
// A request that fails or is not answered 200 is an error.
func load(ctx context.Context, url string, clients int, d time.Duration) loadResult {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	latencies := make([][]float64, clients)
	errs := make([]int, clients)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if !getOK(ctx, hc, url) {
					errs[c]++
					continue
				}
				latencies[c] = append(latencies[c], millis(time.Since(t)))
			}
		})
	}
	wg.Wait()
	r := loadResult{Latencies: slices.Concat(latencies...), Took: time.Since(start)}
	slices.Sort(r.Latencies)
	for _, n := range errs {
		r.Errors += n
	}
	r.Requests = len(r.Latencies) + r.Errors
	return r
}

// getOK sends one GET and reports whether it was answered 200; the body is read.
func getOK(ctx context.Context, hc *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	res, err := hc.Do(req)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return err == nil && res.StatusCode == http.StatusOK
}

// serverLoad measures GET /actuator/backupHistory/{id} of the server binary under 1, 16 and
// 64 concurrent clients.
var serverLoad = experiment{
	Title: "Server throughput and latency",
	Intro: "GET /actuator/backupHistory/1 (a completed 5-part backup, in the repository of the list figure) on the " +
		"server binary as a child process, from concurrent clients in the bench process, each sending one request after " +
		"another (keep-alive) for the load duration in the settings below. Clients and server share the machine's cores.",
	Metrics: loadMetrics(),
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		child, err := l.startListServer(ctx)
		if err != nil {
			return nil, nil, err
		}
		url := child.URL + "/actuator/backupHistory/1"
		if r := load(ctx, url, 1, 100*time.Millisecond); r.Errors > 0 || r.Requests == 0 {
			child.stop()
			return nil, nil, fmt.Errorf("warm-up: %d of %d requests failed", r.Errors, r.Requests)
		}
		run := func(ctx context.Context, _ int) ([]float64, error) {
			var out []float64
			for _, c := range concurrencies {
				r := load(ctx, url, c, l.Settings.LoadDuration)
				if len(r.Latencies) == 0 {
					return nil, fmt.Errorf("%d clients: no request succeeded", c)
				}
				out = append(out, float64(len(r.Latencies))/r.Took.Seconds(), percentile(r.Latencies, 50),
					percentile(r.Latencies, 99), float64(r.Errors))
			}
			return out, nil
		}
		return run, child.stop, nil
	},
}

func loadMetrics() []metric {
	var m []metric
	for _, c := range concurrencies {
		clients := fmt.Sprintf("%d clients", c)
		if c == 1 {
			clients = "1 client"
		}
		// The server issue sets its goals at 16 clients.
		var throughputGoal, p99Goal string
		if c == 16 {
			throughputGoal, p99Goal = "goal ≥ 2000", "goal < 50"
		}
		m = append(m,
			metric{Name: clients + ": throughput", Unit: "req/s", Reference: throughputGoal},
			metric{Name: clients + ": p50 latency", Unit: "ms"},
			metric{Name: clients + ": p99 latency", Unit: "ms", Reference: p99Goal},
			metric{Name: clients + ": errors", Unit: "requests", Reference: "0"},
		)
	}
	return m
}
