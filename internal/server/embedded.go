package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	// password is the basic-auth password of the user elastic; empty when the embedded
	// Elasticsearch is open (the backup API is not protected and none was given).
	password string
}

// EmbeddedUsername is the user the embedded Elasticsearch requires when it is protected,
// Elasticsearch 8's built-in superuser.
const EmbeddedUsername = "elastic"

// elasticPasswordFile, under the data directory, keeps the password generated on first start.
const elasticPasswordFile = "elastic-password"

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
	password, err := embeddedPassword(cfg)
	if err != nil {
		return nil, err
	}
	var username string
	if password != "" {
		username = EmbeddedUsername
	}
	emu, err := esemu.New(esemu.Config{
		DataDir: filepath.Join(cfg.DataDir, elasticsearchDir), PathRepo: []string{repoRoot},
		SnapshotDelay: cfg.SnapshotDelay, Logger: cfg.Logger.With("component", "embedded-elasticsearch"),
		Username: username, Password: password,
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
		password: password,
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

// username is the user the embedded Elasticsearch requires, or "" when it is open.
func (e *embedded) username() string {
	if e.password == "" {
		return ""
	}
	return EmbeddedUsername
}

// embeddedPassword is the password the embedded Elasticsearch requires of the user elastic:
// cfg.ElasticPassword when given; else, when the backup API is protected, the one kept in the
// data directory, generated (and logged, once) on first start, as Elasticsearch 8 does. It is
// "" when neither applies: the embedded Elasticsearch is then as open as the backup API.
func embeddedPassword(cfg Config) (string, error) {
	if cfg.ElasticPassword != "" {
		return cfg.ElasticPassword, nil
	}
	if cfg.APIToken == "" && cfg.APIUsername == "" {
		return "", nil
	}
	path := filepath.Join(cfg.DataDir, elasticPasswordFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		pw := strings.TrimSpace(string(data))
		if pw == "" {
			return "", fmt.Errorf("the embedded Elasticsearch's password file %s is empty; delete it to generate a new password", elasticPasswordFile)
		}
		if info, serr := os.Stat(path); serr == nil && info.Mode().Perm()&0o077 != 0 {
			if cerr := os.Chmod(path, 0o600); cerr != nil {
				return "", fmt.Errorf("restrict the embedded Elasticsearch's password file: %w", cerr)
			}
		}
		return pw, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("read the embedded Elasticsearch's password file: %w", err)
	}
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("generate the embedded Elasticsearch's password: %w", err)
	}
	pw := base64.RawURLEncoding.EncodeToString(raw[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create the embedded Elasticsearch's password file: %w", err)
	}
	_, werr := f.WriteString(pw + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("write the embedded Elasticsearch's password file: %w", werr)
	}
	// Printed once, as Elasticsearch 8 prints the elastic user's generated password.
	cfg.Logger.Warn("generated the password of the embedded Elasticsearch's user "+EmbeddedUsername+
		"; it is shown only this once and kept in the data directory (mode 0600)",
		"user", EmbeddedUsername, "password", pw, "file", path)
	return pw, nil
}

// prepare creates the snapshot repository and seeds the index set as configured.
func (e *embedded) prepare(ctx context.Context, cfg Config) error {
	es, err := esclient.New(esclient.Config{Addresses: []string{e.url}, Username: e.username(), Password: e.password})
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
	if cfg.OptimizeListen == "" {
		return nil
	}
	// Optimize reads the records of the legacy Elasticsearch exporter: a deployment with
	// Optimize has its zeebe-record indices, which the whole backup snapshots.
	created, err = seedRecordIndices(ctx, es, time.Now())
	if err != nil {
		return err
	}
	if created > 0 {
		cfg.Logger.Info("created the legacy exporter's zeebe-record indices, which Optimize reads", "indices", created)
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
