package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// pollInterval is how often the experiments look for the state they wait for.
const pollInterval = time.Millisecond

// waitTimeout bounds every wait of an experiment.
const waitTimeout = 2 * time.Minute

// archiveIndex is a dated (archived) list-view index: with it a Camunda 8.8 backup has 6
// parts, the figure of Camunda's design.
var archiveIndex = backupapi.Camunda88.Groups[1][0].FullName("") + "2025-01-15"

// esClient returns a go-elasticsearch client of the URL.
func esClient(url string) (*esapi.API, error) {
	es, err := esclient.New(esclient.Config{Addresses: []string{url}})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch client of %s: %w", url, err)
	}
	return es, nil
}

// driver returns the Elasticsearch driver on the server's embedded Elasticsearch.
func driver(esURL string) (*elastic.Client, error) {
	return elastic.New(elastic.Config{Addresses: []string{esURL}, Repository: server.DefaultRepository})
}

// check turns an esapi answer into an error when the call failed; it closes the body.
func check(call string, res *esapi.Response, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return fmt.Errorf("%s: %s", call, res.String())
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return nil
}

// addArchive creates the archived list-view index with one document.
func addArchive(ctx context.Context, esURL string) error {
	es, err := esClient(esURL)
	if err != nil {
		return err
	}
	res, err := es.Index(archiveIndex, strings.NewReader(`{"key":1}`), es.Index.WithContext(ctx), es.Index.WithRefresh("true"))
	return check("index a document into "+archiveIndex, res, err)
}

// seededParts is the number of parts of each backup seedBackups creates: the Camunda 8.8
// layout with archived indices has 6 or 7.
const seededParts = 6

// seedBackups creates n backups of seededParts parts (ids from "from") directly in
// Elasticsearch, each part a snapshot of one small index: the cheapest way to a repository of
// n backups of realistic size.
func seedBackups(ctx context.Context, esURL string, from, n int) error {
	es, err := esClient(esURL)
	if err != nil {
		return err
	}
	res, err := es.Index("bench-data", strings.NewReader(`{"key":1}`), es.Index.WithContext(ctx), es.Index.WithRefresh("true"))
	if err := check("index a document", res, err); err != nil {
		return err
	}
	// Eight at a time: the emulator takes snapshots concurrently, as Elasticsearch does.
	parts := make(chan backupapi.Metadata)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range 8 {
		wg.Go(func() {
			for m := range parts {
				body, _ := json.Marshal(map[string]any{"indices": []string{"bench-data"}, "metadata": m.Map()})
				create := es.Snapshot.Create
				res, err := create(server.DefaultRepository, m.SnapshotName(), create.WithContext(ctx),
					create.WithBody(bytes.NewReader(body)), create.WithWaitForCompletion(true))
				if err := check("snapshot "+m.SnapshotName(), res, err); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
send:
	for id := from; id < from+n; id++ {
		for p := 1; p <= seededParts; p++ {
			select {
			case parts <- backupapi.Metadata{BackupID: backupapi.ID(id), Version: backupapi.Camunda88.Version, PartNo: p, PartCount: seededParts}:
			case <-ctx.Done():
				break send
			}
		}
	}
	close(parts)
	wg.Wait()
	return cmp.Or(first, ctx.Err())
}

// waitForSnapshot polls the emulator's request log until the blocking create request of the
// snapshot has been answered, and returns when that was seen.
func waitForSnapshot(ctx context.Context, emu *esemu.Server, name string) (time.Time, error) {
	deadline := time.Now().Add(waitTimeout)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		for _, r := range emu.Requests() {
			if r.Method == "PUT" && strings.HasSuffix(r.Path, "/"+name) && r.Status != 0 {
				return time.Now(), nil
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("snapshot %s not taken within %v", name, waitTimeout)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-t.C:
		}
	}
}

// waitTerminal polls Get until the backup is in a terminal state and returns it.
func waitTerminal(ctx context.Context, c backupapi.Client, id backupapi.ID) (backupapi.Backup, error) {
	deadline := time.Now().Add(waitTimeout)
	t := time.NewTicker(10 * pollInterval)
	defer t.Stop()
	for {
		b, err := c.Get(ctx, id)
		if err == nil && b.State.Terminal() {
			return b, nil
		}
		if time.Now().After(deadline) {
			return b, fmt.Errorf("backup %d not finished within %v (state %s, %v)", id, waitTimeout, b.State, err)
		}
		select {
		case <-ctx.Done():
			return b, ctx.Err()
		case <-t.C:
		}
	}
}

// ownDuration is the backup's own duration: from its first part's start to its last part's
// end; parts is the sum of the parts' durations.
func ownDuration(b backupapi.Backup) (own, parts time.Duration, err error) {
	if len(b.Snapshots) == 0 {
		return 0, 0, fmt.Errorf("backup %d has no snapshots", b.ID)
	}
	for _, s := range b.Snapshots {
		if s.StartTime.IsZero() || s.EndTime.IsZero() {
			return 0, 0, fmt.Errorf("snapshot %s has no start or end time", s.Name)
		}
		parts += s.EndTime.Sub(s.StartTime)
	}
	own = b.Snapshots[len(b.Snapshots)-1].EndTime.Sub(b.Snapshots[0].StartTime)
	return own, parts, nil
}

// millis returns d in milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
