package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// components are the emulated Zeebe and Optimize of a Server, and their faults.
type components struct {
	faults   *Faults
	zeebe    *Zeebe
	optimize *Optimize

	optimizeHTTP     *http.Server
	optimizeURL      string
	optimizeServeErr chan error
}

// startComponents starts the emulated Zeebe and, when configured, Optimize's listener, whose
// snapshots are taken in the Elasticsearch at addresses.
func (s *Server) startComponents(addresses []string) error {
	cfg := s.cfg
	s.faults = &Faults{}
	stateDir := cfg.ZeebeDataDir
	var err error
	s.zeebe, err = NewZeebe(ZeebeConfig{
		Partitions: cfg.Partitions, BackupDuration: cfg.ZeebeBackupDuration, StateDir: stateDir,
		StorePath: cfg.ZeebeBackupPath, Faults: s.faults, Logger: cfg.Logger.With("component", "zeebe"),
	})
	if err != nil {
		return fmt.Errorf("emulated Zeebe: %w", err)
	}
	if cfg.OptimizeListen == "" {
		return nil
	}
	es, err := esclient.New(esclient.Config{Addresses: addresses, Username: cfg.Username, Password: cfg.Password, APIKey: cfg.APIKey, Transport: caTransport(cfg.CACert)})
	if err != nil {
		return errors.Join(fmt.Errorf("emulated Optimize: %w", err), s.zeebe.Close())
	}
	s.optimize, err = NewOptimize(OptimizeConfig{ES: es, Repository: cfg.Repository, Version: cfg.OptimizeVersion,
		Faults: s.faults, Logger: cfg.Logger.With("component", "optimize")})
	if err != nil {
		return errors.Join(fmt.Errorf("emulated Optimize: %w", err), s.zeebe.Close())
	}
	ln, err := net.Listen("tcp", cfg.OptimizeListen)
	if err != nil {
		return errors.Join(fmt.Errorf("listen on %s: %w", cfg.OptimizeListen, err), s.optimize.Close(), s.zeebe.Close())
	}
	s.optimizeURL = "http://" + ln.Addr().String()
	s.optimizeServeErr = make(chan error, 1)
	s.optimizeHTTP = cfg.timeouts.apply(&http.Server{Handler: NewOptimizeHandler(s.optimize, Options{
		BearerToken: cfg.APIToken, Username: cfg.APIUsername, Password: cfg.APIPassword, Logger: cfg.Logger,
	})})
	go func() { s.optimizeServeErr <- s.optimizeHTTP.Serve(ln) }()
	cfg.Logger.Info("Optimize backup API listening", "url", s.optimizeURL)
	return nil
}

// caTransport trusts the PEM bundle (nil: the default transport).
func caTransport(pem []byte) http.RoundTripper {
	if len(pem) == 0 {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 10,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

// adminFaults are the faults the admin path serves, or nil when it is off.
func (s *Server) adminFaults() *Faults {
	if !s.cfg.EnableAdminAPI {
		return nil
	}
	return s.faults
}

// closeComponents stops Optimize's listener and workers and the emulated Zeebe.
func (s *Server) closeComponents(ctx context.Context) error {
	var err error
	if s.optimizeHTTP != nil {
		err = s.optimizeHTTP.Shutdown(ctx)
		if serr := <-s.optimizeServeErr; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		s.optimizeHTTP = nil
	}
	if s.optimize != nil {
		err = errors.Join(err, s.optimize.Close())
	}
	if s.zeebe != nil {
		err = errors.Join(err, s.zeebe.Close())
	}
	return err
}

// Zeebe is the emulated Zeebe (to inject faults or read its state in tests).
func (s *Server) Zeebe() *Zeebe { return s.zeebe }

// Faults are the faults injected into the emulated Zeebe and Optimize.
func (s *Server) Faults() *Faults { return s.faults }

// OptimizeURL is the base URL of the emulated Optimize's management port, or "" when it is
// not served.
func (s *Server) OptimizeURL() string { return s.optimizeURL }

// ZeebeBackupPath is the base path of the emulated Zeebe's filesystem backup store ("": no
// store).
func (s *Server) ZeebeBackupPath() string {
	if s.cfg.ZeebeBackupPath == "" {
		return ""
	}
	return filepath.Clean(s.cfg.ZeebeBackupPath)
}
