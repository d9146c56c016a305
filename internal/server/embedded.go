package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// embedded is the in-process Elasticsearch-compatible server, served on a loopback port so
// that users can inspect and restore snapshots with the standard Elasticsearch API.
type embedded struct {
	emu      *esemu.Server
	http     *http.Server
	url      string
	serveErr chan error
}

// The layout of the data directory.
const (
	elasticsearchDir = "elasticsearch" // the embedded server's indices and cluster state
	repositoriesDir  = "repositories"  // path.repo: the fs snapshot repositories
)

// startEmbedded starts the embedded Elasticsearch on cfg.DataDir, creates the snapshot
// repository when absent and, when the Camunda index set does not exist yet, creates it with
// sample documents.
func startEmbedded(ctx context.Context, cfg Config) (*embedded, error) {
	repoRoot := filepath.Join(cfg.DataDir, repositoriesDir)
	if err := os.MkdirAll(repoRoot, 0o750); err != nil {
		return nil, fmt.Errorf("create the data directory: %w", err)
	}
	emu, err := esemu.New(esemu.Config{
		DataDir: filepath.Join(cfg.DataDir, elasticsearchDir), PathRepo: []string{repoRoot},
		SnapshotDelay: cfg.SnapshotDelay, Logger: cfg.Logger.With("component", "embedded-elasticsearch"),
	})
	if err != nil {
		return nil, fmt.Errorf("start the embedded Elasticsearch: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.EmbeddedListen)
	if err != nil {
		_ = emu.Close()
		return nil, fmt.Errorf("listen for the embedded Elasticsearch on %s: %w", cfg.EmbeddedListen, err)
	}
	e := &embedded{
		emu:      emu,
		url:      "http://" + ln.Addr().String(),
		serveErr: make(chan error, 1),
		// No read or write timeout: a snapshot request that waits for completion may take longer.
		http: &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: cfg.timeouts.readHeader, IdleTimeout: cfg.timeouts.idle},
	}
	go func() { e.serveErr <- e.http.Serve(ln) }()
	if err := e.prepare(ctx, cfg); err != nil {
		_ = e.close(context.Background())
		return nil, err
	}
	return e, nil
}

// prepare creates the snapshot repository and seeds the index set as configured.
func (e *embedded) prepare(ctx context.Context, cfg Config) error {
	es, err := esclient.New(esclient.Config{Addresses: []string{e.url}})
	if err != nil {
		return fmt.Errorf("embedded Elasticsearch client: %w", err)
	}
	if err := ensureRepository(ctx, es, cfg.Repository); err != nil {
		return err
	}
	if cfg.NoSeed {
		return nil
	}
	created, err := seedIndices(ctx, es, cfg.IndexPrefix, cfg.SeedDocuments)
	if err != nil {
		return err
	}
	if created > 0 {
		cfg.Logger.Info("created the Camunda 8.8 index set with sample documents", "indices", created, "documents", cfg.SeedDocuments)
	}
	return nil
}

// ensureRepository registers the fs snapshot repository name (located under path.repo) when
// it does not exist.
func ensureRepository(ctx context.Context, es *esapi.API, name string) error {
	res, err := es.Snapshot.GetRepository(es.Snapshot.GetRepository.WithContext(ctx), es.Snapshot.GetRepository.WithRepository(name))
	if err := esFailure("read the snapshot repository", res, err, http.StatusNotFound); err != nil {
		return err
	}
	if res.StatusCode == http.StatusOK {
		return nil
	}
	body := fmt.Sprintf(`{"type":"fs","settings":{"location":%q}}`, name)
	res, err = es.Snapshot.CreateRepository(name, strings.NewReader(body), es.Snapshot.CreateRepository.WithContext(ctx))
	return esFailure("create the snapshot repository", res, err)
}

// esFailure turns a failed call to the embedded Elasticsearch into an error; the statuses in
// ok (besides 2xx) are not failures. It closes the response body.
func esFailure(call string, res *esapi.Response, err error, ok ...int) error {
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	defer res.Body.Close()
	if !res.IsError() {
		return nil
	}
	for _, s := range ok {
		if res.StatusCode == s {
			return nil
		}
	}
	return fmt.Errorf("%s: %s", call, res.String())
}

// close stops serving and closes the emulator, which persists its state.
func (e *embedded) close(ctx context.Context) error {
	err := e.http.Shutdown(ctx)
	if serr := <-e.serveErr; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, e.emu.Close())
}
