// Package elastic is the backupapi.Client that takes Camunda web-application backups as
// Elasticsearch snapshots directly, following the backup API contract: checks before a
// backup starts, parts taken one after another in the background, state derived from the
// snapshots, one request per read and two per delete.
package elastic

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// Client drives the backups of one Camunda installation in one snapshot repository. It is
// safe for concurrent use.
type Client struct {
	cfg   Config
	parts []backupapi.Part // the candidate parts of the layout for the index prefix

	// reads retries idempotent calls; writes (snapshot create and delete) never retries,
	// so that a lost answer is not turned into a second request.
	reads, writes *esapi.API

	// mu makes the checks of Create and the registration of its runner one critical
	// section, and guards runs and closed.
	mu        sync.Mutex
	runs      map[backupapi.ID]*run
	abandoned map[backupapi.ID]bool // accepted backups none of whose parts could be taken
	closed    bool

	stop    context.Context // cancelled by Close
	cancel  context.CancelFunc
	runners sync.WaitGroup
}

var _ backupapi.Client = (*Client)(nil)

// New validates cfg and returns a Client. It does not contact Elasticsearch.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	transport, err := cfg.transport()
	if err != nil {
		return nil, err
	}
	esConfig := esclient.Config{
		Addresses: cfg.Addresses,
		Username:  cfg.Username,
		Password:  cfg.Password,
		APIKey:    cfg.APIKey,
		Transport: transport,
		// Retries (connection errors and 502/503/504) are for reads only.
		MaxRetries:     cfg.MaxRetries,
		RetryBackoff:   esclient.Backoff(cfg.RetryWait, cfg.RetryMaxWait),
		RequestTimeout: cfg.RequestTimeout,
	}
	reads, err := esclient.New(esConfig)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch backup: client: %w", err)
	}
	esConfig.MaxRetries = 0
	writes, err := esclient.New(esConfig)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch backup: client: %w", err)
	}
	stop, cancel := context.WithCancel(context.Background())
	return &Client{
		cfg:       cfg,
		parts:     cfg.Layout.Parts(cfg.IndexPrefix),
		reads:     reads,
		writes:    writes,
		runs:      map[backupapi.ID]*run{},
		abandoned: map[backupapi.ID]bool{},
		stop:      stop,
		cancel:    cancel,
	}, nil
}

// Repository returns the name of the snapshot repository.
func (c *Client) Repository() string { return c.cfg.Repository }

// Ping reports whether Elasticsearch answers: nil, an ErrUnauthorized error when it refuses
// the credentials, or an ErrUnavailable error.
func (c *Client) Ping(ctx context.Context) error {
	res, err := c.reads.Ping(c.reads.Ping.WithContext(ctx))
	if err != nil {
		return backupapi.Unavailable(err, "ping Elasticsearch: %s", transportProblem(err))
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		return c.unauthorized("ping Elasticsearch", res.StatusCode, esError{})
	}
	if res.IsError() {
		return backupapi.Unavailable(nil, "ping Elasticsearch: it answered %d", res.StatusCode)
	}
	return nil
}

// Close stops the background part runners: no new part starts, the wait for a running part
// is abandoned (the snapshot itself goes on in Elasticsearch). It waits for the runners to
// return. Close is idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.runners.Wait()
	return nil
}

// derivation returns the state derivation at the current time of the configured clock.
func (c *Client) derivation() backupapi.Derivation {
	return backupapi.Derivation{Now: c.cfg.Now(), IncompleteAfter: c.cfg.IncompleteAfter}
}

// repository returns the repository name, or ErrNotConfigured when there is none.
func (c *Client) repository() (string, error) {
	if c.cfg.Repository == "" {
		return "", backupapi.NotConfigured()
	}
	return c.cfg.Repository, nil
}
