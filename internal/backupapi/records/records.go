// Package records takes the Elasticsearch snapshots of Zeebe's zeebe-record indices that
// Camunda 8.8's backup procedure asks for while Optimize reads the legacy exporter's indices:
// camunda_zeebe_records_backup_<id> of zeebe-record_* (the exporter's index prefix, then _*:
// its indices are <prefix>_<value type>_<version>_<day>), straight through Elasticsearch's
// snapshot API (Camunda has no API for this step; its docs write the expression zeebe-record*).
package records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// namePrefix starts every zeebe-record snapshot's name.
const namePrefix = "camunda_zeebe_records_backup_"

// Config configures a Client.
type Config struct {
	// ES is the Elasticsearch connection.
	ES esclient.Config
	// Repository is the snapshot repository.
	Repository string
	// OpenSearch leaves feature_states out of the request, which OpenSearch refuses.
	OpenSearch bool
	// IndexPrefix is the legacy exporter's index prefix; empty: backupapi.ZeebeRecordsIndexPrefix. The
	// snapshot holds the indices whose names start with it.
	IndexPrefix string
}

// Client takes, reads and deletes zeebe-record snapshots. It implements
// procedure.RecordsSnapshots.
type Client struct {
	api     *esapi.API
	repo    string
	os      bool
	indices string
}

// New returns the client of cfg; it does not contact Elasticsearch.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Repository) == "" {
		return nil, fmt.Errorf("zeebe-record snapshots: a snapshot repository is required")
	}
	api, err := esclient.New(cfg.ES)
	if err != nil {
		return nil, fmt.Errorf("zeebe-record snapshots: %w", err)
	}
	prefix := cfg.IndexPrefix
	if prefix == "" {
		prefix = backupapi.ZeebeRecordsIndexPrefix
	}
	if err := CheckIndexPrefix(prefix); err != nil {
		return nil, fmt.Errorf("zeebe-record snapshots: %w", err)
	}
	return &Client{api: api, repo: cfg.Repository, os: cfg.OpenSearch, indices: backupapi.ZeebeRecordsIndices(prefix)}, nil
}

// CheckIndexPrefix reports a prefix that cannot start an Elasticsearch index name or that the
// legacy exporter refuses, or that would make the snapshot's index expression select more
// than the exporter's indices.
func CheckIndexPrefix(prefix string) error {
	switch {
	case prefix == "":
		return errors.New("the index prefix is empty")
	case strings.ContainsAny(prefix, `*?,"<>|\/ #:`) || strings.ToLower(prefix) != prefix:
		return fmt.Errorf("index prefix %q: Elasticsearch index names are lowercase, without any of \\ / * ? \" < > | , # : or space", prefix)
	case strings.HasPrefix(prefix, "-") || strings.HasPrefix(prefix, "+"):
		return fmt.Errorf("index prefix %q: an Elasticsearch index name cannot start with - or +", prefix)
	case strings.Contains(prefix, "_"):
		// The exporter separates its prefix from the rest of an index name with _, and its
		// configuration check refuses a prefix holding one.
		return fmt.Errorf("index prefix %q: the legacy exporter's prefix cannot contain _", prefix)
	}
	return nil
}

// Repository is the snapshot repository.
func (c *Client) Repository() string { return c.repo }

// Indices is the index expression of the snapshot: the exporter's index prefix followed by _*.
func (c *Client) Indices() string { return c.indices }

// MatchingIndices returns the names of the indices the snapshot would hold now (open or
// closed), through GET _cat/indices.
func (c *Client) MatchingIndices(ctx context.Context) ([]string, error) {
	call := "list the indices of " + c.indices
	cat := c.api.Cat.Indices
	res, err := cat(cat.WithContext(ctx), cat.WithIndex(c.indices), cat.WithFormat("json"), cat.WithH("index"), cat.WithExpandWildcards("all"))
	if err != nil {
		return nil, c.failure(call, nil, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil)
	}
	var rows []struct {
		Index string `json:"index"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rows); err != nil {
		return nil, backupapi.Internal(err, "%s: cannot read Elasticsearch's answer: %v", call, err)
	}
	names := make([]string, 0, len(rows))
	for _, r := range rows {
		names = append(names, r.Index)
	}
	return names, nil
}

// failure is the typed error of a failed call; the address is never part of it.
func (c *Client) failure(call string, res *esapi.Response, err error) error {
	if err != nil {
		return backupapi.Unavailable(err, "%s: Elasticsearch could not be reached", call)
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	var body struct {
		Error struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	}
	_ = json.Unmarshal(data, &body)
	msg := fmt.Sprintf("%s: Elasticsearch answered %d", call, res.StatusCode)
	if body.Error.Reason != "" {
		msg += ": " + body.Error.Reason
	}
	switch {
	case body.Error.Type == "repository_missing_exception":
		return backupapi.RepositoryMissing(c.repo)
	case body.Error.Type == "snapshot_missing_exception" || res.StatusCode == http.StatusNotFound:
		return &backupapi.Error{Kind: backupapi.ErrNotFound, Message: msg}
	case body.Error.Type == "snapshot_name_already_in_use_exception" || body.Error.Type == "invalid_snapshot_name_exception":
		return &backupapi.Error{Kind: backupapi.ErrConflict, Message: msg}
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return backupapi.Unauthorized(nil, "%s (check the elasticsearch credentials)", msg)
	case res.StatusCode >= 502 && res.StatusCode <= 504:
		return backupapi.Unavailable(nil, "%s", msg)
	}
	return backupapi.Internal(nil, "%s", msg)
}

// Start starts the snapshot of id without waiting for it.
func (c *Client) Start(ctx context.Context, id backupapi.ID) error {
	name := backupapi.ZeebeRecordsSnapshotName(id)
	body := map[string]any{"indices": c.indices, "include_global_state": false}
	if !c.os {
		body["feature_states"] = []string{"none"}
	}
	data, _ := json.Marshal(body)
	create := c.api.Snapshot.Create
	res, err := create(c.repo, name, create.WithContext(ctx), create.WithBody(bytes.NewReader(data)), create.WithWaitForCompletion(false))
	if err != nil {
		return c.failure("start snapshot "+name, nil, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return c.failure("start snapshot "+name, res, nil)
	}
	return nil
}

type snapshotsAnswer struct {
	Snapshots []struct {
		Snapshot          string   `json:"snapshot"`
		State             string   `json:"state"`
		StartTimeInMillis int64    `json:"start_time_in_millis"`
		EndTimeInMillis   int64    `json:"end_time_in_millis"`
		Indices           []string `json:"indices"`
		Failures          []struct {
			Reason string `json:"reason"`
		} `json:"failures"`
	} `json:"snapshots"`
}

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// snapshots runs GET _snapshot/<repo>/<pattern> (missing snapshots are no error).
func (c *Client) snapshots(ctx context.Context, call, pattern string) ([]backupapi.Snapshot, error) {
	get := c.api.Snapshot.Get
	res, err := get(c.repo, []string{pattern}, get.WithContext(ctx), get.WithIgnoreUnavailable(true))
	if err != nil {
		return nil, c.failure(call, nil, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil)
	}
	var answer snapshotsAnswer
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		return nil, backupapi.Internal(err, "%s: cannot read Elasticsearch's answer: %v", call, err)
	}
	out := make([]backupapi.Snapshot, 0, len(answer.Snapshots))
	for _, s := range answer.Snapshots {
		if !strings.HasPrefix(s.Snapshot, namePrefix) {
			continue
		}
		snap := backupapi.Snapshot{Name: s.Snapshot, State: s.State, StartTime: millis(s.StartTimeInMillis), EndTime: millis(s.EndTimeInMillis),
			Indices: s.Indices}
		for _, f := range s.Failures {
			snap.Failures = append(snap.Failures, f.Reason)
		}
		out = append(out, snap)
	}
	return out, nil
}

// Get returns the snapshot of id; ErrNotFound when there is none.
func (c *Client) Get(ctx context.Context, id backupapi.ID) (backupapi.Snapshot, error) {
	name := backupapi.ZeebeRecordsSnapshotName(id)
	snaps, err := c.snapshots(ctx, "get snapshot "+name, name)
	if err != nil {
		return backupapi.Snapshot{}, err
	}
	for _, s := range snaps {
		if s.Name == name {
			return s, nil
		}
	}
	return backupapi.Snapshot{}, &backupapi.Error{Kind: backupapi.ErrNotFound, Message: "no snapshot " + name + " in repository " + c.repo}
}

// List returns every zeebe-record snapshot of the repository.
func (c *Client) List(ctx context.Context) ([]backupapi.Snapshot, error) {
	return c.snapshots(ctx, "list zeebe-record snapshots", namePrefix+"*")
}

// Delete deletes the snapshot of id (none is no error).
func (c *Client) Delete(ctx context.Context, id backupapi.ID) error {
	name := backupapi.ZeebeRecordsSnapshotName(id)
	del := c.api.Snapshot.Delete
	res, err := del(c.repo, []string{name}, del.WithContext(ctx))
	if err != nil {
		return c.failure("delete snapshot "+name, nil, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		ferr := c.failure("delete snapshot "+name, res, nil)
		if errors.Is(ferr, backupapi.ErrNotFound) {
			return nil
		}
		return ferr
	}
	return nil
}
