package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// listRounds is the number of rounds of the three lists in one run of the list figure.
const listRounds = 10

// listBackups compares the three ways of listing every backup, side by side in each run.
var listBackups = experiment{
	Title: "List of every backup",
	Intro: fmt.Sprintf("One list of every backup in a repository of the size in the settings below, verbose (with times): "+
		"GET /actuator/backupHistory on the reference server (its binary, a child process; the answer read whole, not "+
		"decoded), the Elasticsearch driver's List (in the bench process, on the child's embedded Elasticsearch: request, "+
		"decoding, states), and the raw GET _snapshot call the driver makes, replayed as the driver sent it (read whole, "+
		"not decoded). Every run makes %d rounds of the three, one after another, and reports their mean "+
		"time per list, so that one slow list does not make a run.", listRounds),
	Metrics: []metric{
		{Name: "server (HTTP)", Unit: "ms"},
		{Name: "driver (List)", Unit: "ms"},
		{Name: "raw GET _snapshot", Unit: "ms"},
		{Name: "server / driver", Unit: "×", Reference: "goal ≤ 1.3"},
		{Name: "driver / raw", Unit: "×", Reference: "goal ≤ 1.8"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		child, err := l.startListServer(ctx)
		if err != nil {
			return nil, nil, err
		}
		sent := &lastRequest{next: http.DefaultTransport}
		direct, err := elastic.New(elastic.Config{Addresses: []string{child.ESURL}, Repository: server.DefaultRepository, Transport: sent})
		if err != nil {
			child.stop()
			return nil, nil, err
		}
		want := l.Settings.ListBackups
		viaServer := func(ctx context.Context) error { return listOverHTTP(ctx, child.URL, want) }
		viaDriver := func(ctx context.Context) error { return listDirect(ctx, direct, want) }
		raw := func(ctx context.Context) error { return readWhole(ctx, sent.url()) }
		// One untimed round warms connections and caches.
		for _, f := range []func(context.Context) error{viaServer, viaDriver, raw} {
			if err := f(ctx); err != nil {
				child.stop()
				return nil, nil, err
			}
		}
		run := func(ctx context.Context, _ int) ([]float64, error) {
			var took [3]time.Duration
			for range listRounds {
				for i, f := range []func(context.Context) error{viaServer, viaDriver, raw} {
					start := time.Now()
					if err := f(ctx); err != nil {
						return nil, err
					}
					took[i] += time.Since(start)
				}
			}
			for i := range took {
				took[i] /= listRounds
			}
			return []float64{millis(took[0]), millis(took[1]), millis(took[2]),
				float64(took[0]) / float64(took[1]), float64(took[1]) / float64(took[2])}, nil
		}
		return run, func() { _ = direct.Close(); child.stop() }, nil
	},
}

// listOverHTTP lists every backup through the backup API, reads the answer whole and checks
// the number of backups in it.
func listOverHTTP(ctx context.Context, baseURL string, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/actuator/backupHistory", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET /actuator/backupHistory: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("GET /actuator/backupHistory: %w", err)
	}
	if n := bytes.Count(body, []byte(`"backupId":`)); res.StatusCode != http.StatusOK || n != want {
		return fmt.Errorf("GET /actuator/backupHistory: %d with %d backups, want 200 with %d", res.StatusCode, n, want)
	}
	return nil
}

// readWhole sends a GET and reads the answer whole.
func readWhole(ctx context.Context, url string) error {
	if url == "" {
		return errors.New("the driver sent no request to replay")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return nil
}

// lastRequest is an HTTP transport that remembers the URL of the last request it sent.
type lastRequest struct {
	next http.RoundTripper
	mu   sync.Mutex
	last string
}

func (t *lastRequest) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.last = req.URL.String()
	t.mu.Unlock()
	return t.next.RoundTrip(req)
}

func (t *lastRequest) url() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// listDirect lists every backup with the driver and checks their number.
func listDirect(ctx context.Context, c *elastic.Client, want int) error {
	list, err := c.List(ctx, backupapi.ListOptions{Verbose: true})
	if err != nil {
		return fmt.Errorf("driver list: %w", err)
	}
	if len(list) != want {
		return fmt.Errorf("driver list: %d backups, want %d", len(list), want)
	}
	return nil
}
