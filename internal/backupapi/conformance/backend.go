// Package conformance is the one table of behaviour of backupapi.Client, run against every
// driver: the Elasticsearch driver directly, and the actuator driver through the reference
// server. Each case sets up its own repository and indices in a Backend (the in-process
// Elasticsearch-compatible server, or a real Elasticsearch when ELASTICSEARCH_URL is set)
// and drives only the Client interface.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// Environment of a run against a real Elasticsearch.
const (
	// EnvURL is the address of a real Elasticsearch 8; unset, the emulator is used.
	EnvURL = "ELASTICSEARCH_URL"
	// EnvUsername and EnvPassword are its basic-authentication credentials, if any.
	EnvUsername = "ELASTICSEARCH_USERNAME"
	EnvPassword = "ELASTICSEARCH_PASSWORD"
	// EnvRepositoryPath is a directory listed in the real node's path.repo, under which
	// the cases create their fs repositories.
	EnvRepositoryPath = "ELASTICSEARCH_REPOSITORY_PATH"
)

// RealHowTo says how to run the suite against a real Elasticsearch.
const RealHowTo = "set " + EnvURL + " (and " + EnvUsername + "/" + EnvPassword + ", " + EnvRepositoryPath +
	" = a path.repo directory of the node) to run against a real Elasticsearch 8"

// Backend is the Elasticsearch the cases run on: the in-process emulator, or a real one when
// ELASTICSEARCH_URL is set.
type Backend struct {
	URL      string
	Emulator *esemu.Server // nil on a real Elasticsearch
	ES       *esapi.API
	// PathRepo is the directory under which repositories are created.
	PathRepo string

	username, password string
}

// NewBackend returns the Backend of one test: a fresh emulator with a small snapshot delay
// (closed at the end of the test), or the real Elasticsearch of ELASTICSEARCH_URL.
func NewBackend(t testing.TB) *Backend {
	t.Helper()
	b := &Backend{}
	if u := os.Getenv(EnvURL); u != "" {
		b.URL = strings.TrimSuffix(u, "/")
		b.username, b.password = os.Getenv(EnvUsername), os.Getenv(EnvPassword)
		b.PathRepo = os.Getenv(EnvRepositoryPath)
	} else {
		b.PathRepo = t.TempDir()
		srv, err := esemu.New(esemu.Config{DataDir: t.TempDir(), PathRepo: []string{b.PathRepo}, SnapshotDelay: 5 * time.Millisecond})
		if err != nil {
			t.Fatalf("start the Elasticsearch emulator: %v", err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() {
			srv.Faults().Reset()
			hs.Close()
			if err := srv.Close(); err != nil {
				t.Errorf("close the Elasticsearch emulator: %v", err)
			}
		})
		b.URL, b.Emulator = hs.URL, srv
	}
	es, err := esclient.New(esclient.Config{Addresses: []string{b.URL}, Username: b.username, Password: b.password})
	if err != nil {
		t.Fatalf("Elasticsearch client: %v", err)
	}
	b.ES = es
	return b
}

// Config returns the Elasticsearch driver configuration of a case: this backend, the
// repository and the index prefix.
func (b *Backend) Config(repository, prefix string) elastic.Config {
	return elastic.Config{
		Addresses:   []string{b.URL},
		Username:    b.username,
		Password:    b.password,
		Repository:  repository,
		IndexPrefix: prefix,
	}
}

// RequireEmulator returns the emulator, skipping the test on a real Elasticsearch.
func (b *Backend) RequireEmulator(t testing.TB) *esemu.Server {
	t.Helper()
	if b.Emulator == nil {
		t.Skip("needs the emulator's fault injection; skipped on a real Elasticsearch")
	}
	return b.Emulator
}

// check fails the test when a call to Elasticsearch failed.
func check(t testing.TB, what string, res *esapi.Response, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.IsError() {
		t.Fatalf("%s: %s: %s", what, res.Status(), body)
	}
	return body
}

// CreateRepository creates an fs snapshot repository of that name (under PathRepo) and
// deletes it, with its snapshots, at the end of the test.
func (b *Backend) CreateRepository(t testing.TB, name string) {
	t.Helper()
	settings, _ := json.Marshal(map[string]any{"type": "fs", "settings": map[string]any{"location": path.Join(b.PathRepo, name)}})
	res, err := b.ES.Snapshot.CreateRepository(name, bytes.NewReader(settings))
	check(t, "create repository "+name, res, err)
	t.Cleanup(func() {
		if b.Emulator != nil {
			return // the emulator and its directories go with the test
		}
		if res, err := b.ES.Snapshot.Delete(name, []string{"*"}); err == nil {
			res.Body.Close()
		}
		if res, err := b.ES.Snapshot.DeleteRepository([]string{name}); err == nil {
			res.Body.Close()
		}
	})
}

// CreateIndices creates the indices, each with one empty document so that it has data, in
// one bulk request, and deletes them at the end of the test.
func (b *Backend) CreateIndices(t testing.TB, names ...string) {
	t.Helper()
	b.index(t, names, 1)
}

// index creates the indices with docs documents each, in one bulk request.
func (b *Backend) index(t testing.TB, names []string, docs int) {
	t.Helper()
	if len(names) == 0 {
		return
	}
	var body bytes.Buffer
	for _, name := range names {
		for i := range docs {
			fmt.Fprintf(&body, `{"index":{"_index":%q,"_id":"%d"}}`+"\n", name, i)
			fmt.Fprintf(&body, `{"key":%d,"index":%q}`+"\n", i, name)
		}
	}
	res, err := b.ES.Bulk(bytes.NewReader(body.Bytes()), b.ES.Bulk.WithRefresh("true"))
	out := check(t, "bulk index", res, err)
	var r struct{ Errors bool }
	if json.Unmarshal(out, &r) != nil || r.Errors {
		t.Fatalf("bulk index reported errors: %.500s", out)
	}
	t.Cleanup(func() { b.DeleteIndices(t, names...) })
}

// DeleteIndices deletes the indices (absent ones are ignored).
func (b *Backend) DeleteIndices(t testing.TB, names ...string) {
	t.Helper()
	if len(names) == 0 {
		return
	}
	res, err := b.ES.Indices.Delete(names, b.ES.Indices.Delete.WithIgnoreUnavailable(true))
	check(t, "delete indices", res, err)
}

// ArchiveDate is the date of the archived indices SeedCamunda creates.
const ArchiveDate = "2025-01-15"

// CamundaIndices returns the index set of a Camunda installation of the layout: every main
// index, and when archived is set one dated archive index per template of the dated parts
// (e.g. operate-list-view-8.3.0_2025-01-15).
func CamundaIndices(layout backupapi.Layout, prefix string, archived bool) []string {
	names := layout.Indices(prefix)
	if !archived {
		return names
	}
	for _, p := range layout.Parts(prefix) {
		if !p.Dated {
			continue
		}
		for _, e := range p.Indices {
			if main, ok := strings.CutSuffix(e, "*"); ok {
				names = append(names, main+ArchiveDate)
			}
		}
	}
	return names
}

// SeedCamunda creates the index set of CamundaIndices with docsPerIndex documents in each.
func (b *Backend) SeedCamunda(t testing.TB, layout backupapi.Layout, prefix string, docsPerIndex int, archived bool) []string {
	t.Helper()
	names := CamundaIndices(layout, prefix, archived)
	b.index(t, names, max(docsPerIndex, 1))
	b.aliasCamunda(t, names)
	return names
}

// aliasCamunda gives each index the alias Camunda 8.8 reads it through: the main index's full
// name followed by "alias" (archived indices share their main index's alias), in one request.
func (b *Backend) aliasCamunda(t testing.TB, names []string) {
	t.Helper()
	actions := make([]any, 0, len(names))
	for _, name := range names {
		main := strings.TrimSuffix(name, ArchiveDate)
		actions = append(actions, map[string]any{"add": map[string]any{"index": name, "alias": main + "alias"}})
	}
	body, _ := json.Marshal(map[string]any{"actions": actions})
	res, err := b.ES.Indices.UpdateAliases(bytes.NewReader(body))
	check(t, "add Camunda's aliases", res, err)
}

// WaitForState polls Get until the backup is in one of the states, and returns it; the test
// fails after a deadline.
func WaitForState(t testing.TB, client backupapi.Client, id backupapi.ID, states ...backupapi.State) backupapi.Backup {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last backupapi.Backup
	var lastErr error
	for wait := 2 * time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		last, lastErr = client.Get(context.Background(), id)
		if lastErr == nil {
			for _, s := range states {
				if last.State == s {
					return last
				}
			}
		}
		time.Sleep(wait) // polling interval, not synchronisation
	}
	t.Fatalf("backup %s not in %v after 30s: last state %s, error %v", id, states, last.State, lastErr)
	return last
}

// Snapshot takes a snapshot of the indices directly, as another product sharing the
// repository would, and waits for it.
func (b *Backend) Snapshot(t testing.TB, repository, name string, indices ...string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"indices": indices, "include_global_state": false})
	res, err := b.ES.Snapshot.Create(repository, name, b.ES.Snapshot.Create.WithBody(bytes.NewReader(body)),
		b.ES.Snapshot.Create.WithWaitForCompletion(true))
	check(t, "snapshot "+name, res, err)
}

// SnapshotPart takes a snapshot of the indices directly, named and with the metadata of the
// backup part m, as a web application would, and waits for it.
func (b *Backend) SnapshotPart(t testing.TB, repository string, m backupapi.Metadata, indices ...string) {
	t.Helper()
	if err := b.snapshotPart(repository, m, indices); err != nil {
		t.Fatal(err)
	}
}

func (b *Backend) snapshotPart(repository string, m backupapi.Metadata, indices []string) error {
	body, _ := json.Marshal(map[string]any{"indices": indices, "include_global_state": false, "metadata": m.Map()})
	res, err := b.ES.Snapshot.Create(repository, m.SnapshotName(), b.ES.Snapshot.Create.WithBody(bytes.NewReader(body)),
		b.ES.Snapshot.Create.WithWaitForCompletion(true))
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.SnapshotName(), err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.IsError() {
		return fmt.Errorf("snapshot %s in %s: %s", m.SnapshotName(), repository, res.Status())
	}
	return nil
}

// SnapshotBackups takes backups 1 to n of the given number of parts directly, every part a
// finished snapshot of the index, eight snapshots at a time: a repository of n backups for
// benchmarks, in seconds.
func (b *Backend) SnapshotBackups(t testing.TB, repository, index string, n, parts int) {
	t.Helper()
	work := make(chan backupapi.Metadata)
	failures := make(chan error, n*parts)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for m := range work {
				if err := b.snapshotPart(repository, m, []string{index}); err != nil {
					failures <- err
				}
			}
		})
	}
	for id := 1; id <= n; id++ {
		for p := 1; p <= parts; p++ {
			work <- backupapi.Metadata{BackupID: backupapi.ID(id), Version: backupapi.Camunda88.Version, PartNo: p, PartCount: parts}
		}
	}
	close(work)
	wg.Wait()
	close(failures)
	if err := <-failures; err != nil {
		t.Fatal(err)
	}
}

// DeleteSnapshots deletes snapshots directly.
func (b *Backend) DeleteSnapshots(t testing.TB, repository string, names ...string) {
	t.Helper()
	res, err := b.ES.Snapshot.Delete(repository, names)
	check(t, "delete snapshots", res, err)
}

// SnapshotNames returns the names of every snapshot in the repository, sorted.
func (b *Backend) SnapshotNames(t testing.TB, repository string) []string {
	t.Helper()
	res, err := b.ES.Snapshot.Get(repository, []string{"*"}, b.ES.Snapshot.Get.WithVerbose(false))
	out := check(t, "list snapshots", res, err)
	var body struct {
		Snapshots []struct {
			Snapshot string `json:"snapshot"`
		} `json:"snapshots"`
	}
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatalf("list snapshots: %v", err)
	}
	names := make([]string, 0, len(body.Snapshots))
	for _, s := range body.Snapshots {
		names = append(names, s.Snapshot)
	}
	slices.Sort(names)
	return names
}
