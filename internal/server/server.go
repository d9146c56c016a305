package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// httpTimeouts bound how long a client may hold a connection of the backup API or the
// embedded Elasticsearch: sending its request headers, its whole request, receiving the answer,
// and idling between keep-alive requests.
type httpTimeouts struct {
	readHeader, read, write, idle time.Duration
}

// defaultHTTPTimeouts are the servers' timeouts. A create returns once the first part has
// started, so writes are bounded generously.
var defaultHTTPTimeouts = httpTimeouts{readHeader: 10 * time.Second, read: 30 * time.Second, write: 2 * time.Minute, idle: 2 * time.Minute}

// apply sets the timeouts of hs.
func (t httpTimeouts) apply(hs *http.Server) *http.Server {
	hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout = t.readHeader, t.read, t.write, t.idle
	return hs
}

// Server is a running reference actuator server: the backup API over the Elasticsearch
// driver, on a real Elasticsearch or on the embedded one.
type Server struct {
	cfg      Config
	driver   *elastic.Client
	http     *http.Server
	url      string
	serveErr chan error
	embedded *embedded // nil with a real Elasticsearch

	// The emulated components of a whole backup (components.go).
	components

	shutdown    sync.Once
	shutdownErr error
}

// Start starts the server described by cfg and returns once it accepts requests: with no
// Elasticsearch URL it first starts the embedded Elasticsearch on cfg.DataDir, creates the
// snapshot repository if absent and, on first start, the Camunda 8.8 index set with sample
// documents.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, serveErr: make(chan error, 1)}
	addresses := cfg.ElasticsearchURLs
	if len(addresses) == 0 {
		if s.embedded, err = startEmbedded(ctx, cfg); err != nil {
			return nil, err
		}
		addresses = []string{s.embedded.url}
		if s.embedded.password != "" {
			// The driver (and everything started with cfg) logs in to the embedded Elasticsearch.
			cfg.Username, cfg.Password, cfg.APIKey = EmbeddedUsername, s.embedded.password, ""
			s.cfg = cfg
		}
	}
	s.driver, err = elastic.New(elastic.Config{
		Addresses: addresses, Username: cfg.Username, Password: cfg.Password, APIKey: cfg.APIKey, CACert: cfg.CACert,
		Repository: cfg.Repository, IndexPrefix: cfg.IndexPrefix, Version: cfg.Version,
		IncompleteAfter: cfg.IncompleteCheckTimeout, SnapshotTimeout: cfg.SnapshotTimeout, Logger: cfg.Logger,
	})
	if err != nil {
		s.closeEmbedded()
		return nil, err
	}
	if err := s.startComponents(addresses); err != nil {
		_ = s.driver.Close()
		s.closeEmbedded()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = s.closeComponents(ctx)
		_ = s.driver.Close()
		s.closeEmbedded()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	s.url = "http://" + ln.Addr().String()
	s.http = cfg.timeouts.apply(&http.Server{
		Handler: NewHandler(Options{
			Backups: s.driver, Health: s.driver.Ping, Standalone: cfg.Standalone,
			BearerToken: cfg.APIToken, Username: cfg.APIUsername, Password: cfg.APIPassword, Logger: cfg.Logger,
			Zeebe: s.zeebe, StandaloneAlias: cfg.StandaloneAlias, AdminFaults: s.adminFaults(), CamundaQuirks: cfg.CamundaQuirks,
		}),
	})
	go func() { s.serveErr <- s.http.Serve(ln) }()
	cfg.Logger.Info("backup API listening", "url", s.url, "repository", cfg.Repository, "standalone", cfg.Standalone,
		"embedded_elasticsearch", s.ElasticsearchURL())
	return s, nil
}

// URL is the base URL of the backup API, e.g. http://127.0.0.1:9600.
func (s *Server) URL() string { return s.url }

// ElasticsearchURL is the URL of the embedded Elasticsearch, or "" with a real one.
func (s *Server) ElasticsearchURL() string {
	if s.embedded == nil {
		return ""
	}
	return s.embedded.url
}

// Emulator is the embedded Elasticsearch-compatible server (for fault injection in tests),
// or nil with a real Elasticsearch.
func (s *Server) Emulator() *esemu.Server {
	if s.embedded == nil {
		return nil
	}
	return s.embedded.emu
}

// Shutdown stops the server gracefully: it stops accepting requests and waits for those in
// flight (until ctx is done), stops the driver (no new part starts; a running part is left
// to Elasticsearch), and closes the embedded Elasticsearch, which persists its data. Later
// calls return the first call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdown.Do(func() { s.shutdownErr = s.stop(ctx) })
	return s.shutdownErr
}

func (s *Server) stop(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if serr := <-s.serveErr; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	err = errors.Join(err, s.closeComponents(ctx))
	err = errors.Join(err, s.driver.Close())
	if s.embedded != nil {
		err = errors.Join(err, s.embedded.close(ctx))
	}
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	s.cfg.Logger.Info("backup API stopped")
	return nil
}

func (s *Server) closeEmbedded() {
	if s.embedded != nil {
		_ = s.embedded.close(context.Background())
	}
}
