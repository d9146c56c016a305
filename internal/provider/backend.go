package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

// backend is what the provider hands to its resources and data sources.
type backend struct {
	client backupapi.Client
	// repository is the snapshot repository's name, when known.
	repository string
	// partsInProvider is true when this process takes the parts itself (the Elasticsearch
	// backend): they stop when the Terraform run ends, so creating a backup always waits.
	partsInProvider bool
	poll            procedure.Poller
	// gate lets one backup at a time start through this provider process.
	gate procedure.Gate
	// set is the whole-backup procedure (camunda_backup); nil without the actuator backend.
	set *procedure.Set
	// restorer restores backups; nil with the actuator backend, which has no restore.
	restorer procedure.Restorer
	// snapshots finds snapshots in the repository; nil when the provider cannot reach
	// Elasticsearch (the actuator backend without an elasticsearch block).
	snapshots snapshotFinder
	// version is the web-application version the backend is configured for ("" unknown).
	version string
	// kept are the backups this process's destroys kept (delete_on_destroy false).
	kept keptBackups
}

// keptBackups remembers the backups that destroys kept during this Terraform run, by
// resource type and id. Terraform replaces a resource by a destroy and then a create (both in
// the run's one provider process), and under the same backup_id the create would find the
// kept backup in its way: it adopts it instead, so that the backup never leaves the state.
type keptBackups struct{ m sync.Map }

// keep records that a destroy of resource type kind kept backup id.
func (k *keptBackups) keep(kind string, id backupapi.ID) { k.m.Store(keptKey{kind, id}, struct{}{}) }

// claim reports whether a destroy of this run kept backup id of resource type kind, and
// forgets it: one create adopts it.
func (k *keptBackups) claim(kind string, id backupapi.ID) bool {
	_, ok := k.m.LoadAndDelete(keptKey{kind, id})
	return ok
}

type keptKey struct {
	kind string
	id   backupapi.ID
}

// webapp is the web-application backup procedure over this backend.
func (b *backend) webapp() procedure.Webapp {
	return procedure.Webapp{Client: b.client, Gate: b.gate, Poll: b.poll}
}

// newBackend builds the client of the configured backend. It does not contact the backend.
func newBackend(s settings) (*backend, error) {
	switch s.backend {
	case backendActuator:
		a := s.actuator
		c, err := actuator.New(actuator.Config{
			URL:          a.url,
			Endpoint:     a.endpoint,
			Username:     a.username,
			Password:     a.password,
			Token:        a.token,
			Timeout:      s.requestTimeout,
			Retries:      s.retries,
			RetryWait:    min(actuator.DefaultRetryWait, s.retryMaxWait),
			RetryMaxWait: s.retryMaxWait,
		})
		if err != nil {
			return nil, fmt.Errorf("actuator client: %w", err)
		}
		// Reads of a refresh may be answered by one list (see refreshCache).
		b := &backend{client: newRefreshCache(c), repository: a.repository, poll: procedure.DefaultPoller(), gate: procedure.NewGate()}
		if b.set, err = newSetProcedure(s, b); err != nil {
			return nil, err
		}
		if s.recordsES {
			// The elasticsearch block beside the actuator: the snapshots a backup's restore
			// needs can be checked in the repository.
			es, err := newElasticClient(s)
			if err != nil {
				return nil, err
			}
			b.snapshots = es
		}
		return b, nil
	case backendElasticsearch:
		c, err := newElasticClient(s)
		if err != nil {
			return nil, err
		}
		return &backend{
			client:          c,
			repository:      c.Repository(),
			snapshots:       c,
			restorer:        c,
			version:         c.Version(),
			partsInProvider: true,
			poll:            procedure.DefaultPoller(),
			gate:            procedure.NewGate(),
		}, nil
	}
	return nil, fmt.Errorf("unknown backend %q", s.backend)
}

// backendOf returns the backend the provider configured, from a resource's or data source's
// ProviderData; nil while the provider is not configured yet.
func backendOf(data any, diags *diag.Diagnostics) *backend {
	if data == nil {
		return nil
	}
	b, ok := data.(*backend)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *provider.backend, got %T. Please report this issue to the provider developers.", data))
	}
	return b
}

// snapshotFinder finds the successful snapshots of the repository that match patterns.
type snapshotFinder interface {
	FindSnapshots(ctx context.Context, patterns ...string) ([]string, error)
}

// newElasticClient is the Elasticsearch driver of the elasticsearch block.
func newElasticClient(s settings) (*elastic.Client, error) {
	e := s.elasticsearch
	retries := s.retries
	if retries == 0 {
		retries = -1 // the driver reads 0 as its default
	}
	c, err := elastic.New(elastic.Config{
		Addresses:       e.urls,
		Username:        e.username,
		Password:        e.password,
		APIKey:          e.apiKey,
		CACert:          e.caPEM,
		Insecure:        e.insecure,
		Repository:      e.repository,
		IndexPrefix:     e.indexPrefix,
		Version:         e.ver,
		IncompleteAfter: e.incompleteAfter,
		RequestTimeout:  s.requestTimeout,
		MaxRetries:      retries,
		RetryWait:       min(elastic.DefaultRetryWait, s.retryMaxWait),
		RetryMaxWait:    s.retryMaxWait,
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch client: %w", err)
	}
	return c, nil
}
