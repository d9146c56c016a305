package elastic

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// The calls a restore makes, one request each. They act on the names they are given and on
// nothing else: indices of other products in the same cluster are never touched.

// SnapshotIndices returns the indices that a snapshot of the repository holds, with their
// shard counts.
func (c *Client) SnapshotIndices(ctx context.Context, snapshot string) ([]backupapi.SnapshotIndex, error) {
	call := "read snapshot " + snapshot
	get := c.reads.Snapshot.Get
	res, err := get(c.cfg.Repository, []string{snapshot}, get.WithContext(ctx), get.WithIndexDetails(true))
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil, backupapi.Invalidf("snapshot %s does not exist in repository %s", snapshot, c.cfg.Repository))
	}
	var body struct {
		Snapshots []struct {
			Indices      []string `json:"indices"`
			IndexDetails map[string]struct {
				ShardCount int `json:"shard_count"`
			} `json:"index_details"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Snapshots) != 1 {
		return nil, backupapi.Internal(err, "%s: Elasticsearch's answer could not be read", call)
	}
	s := body.Snapshots[0]
	out := make([]backupapi.SnapshotIndex, len(s.Indices))
	for i, name := range s.Indices {
		out[i] = backupapi.SnapshotIndex{Name: name, Shards: s.IndexDetails[name].ShardCount}
	}
	return out, nil
}

// DeleteIndices deletes the named indices, those that exist: a name that is already gone is
// no error (ignore_unavailable), and no wildcard is expanded.
func (c *Client) DeleteIndices(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	call := "delete indices " + strings.Join(names, ",")
	del := c.writes.Indices.Delete
	res, err := del(names, del.WithContext(ctx), del.WithIgnoreUnavailable(true), del.WithExpandWildcards("none"))
	if err != nil {
		return c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return c.failure(call, res, nil, nil)
	}
	return nil
}

// RestoreSnapshot restores every index of a snapshot with its aliases, without the cluster's
// global state, and waits until the restore has finished: with wait_for_completion,
// Elasticsearch answers once it has tried to recover every primary shard of the restored
// indices, and reports the shards that failed. A restore with failed shards is an error.
func (c *Client) RestoreSnapshot(ctx context.Context, snapshot string) error {
	call := "restore snapshot " + snapshot
	restore := c.writes.Snapshot.Restore
	// The request waits for the whole restore by design: the request timeout does not apply,
	// the caller's context bounds it.
	res, err := restore(c.cfg.Repository, snapshot, restore.WithContext(esclient.WithoutRequestTimeout(ctx)), restore.WithWaitForCompletion(true),
		restore.WithBody(strings.NewReader(`{"include_aliases":true,"include_global_state":false}`)))
	if err != nil {
		return c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		e := decodeError(res)
		if e.Type != "" && e.Reason != "" && res.StatusCode < 500 {
			return backupapi.Invalidf("%s: %s: %s", call, e.Type, e.Reason)
		}
		return c.failure(call, res, nil, nil)
	}
	var body struct {
		Snapshot struct {
			Shards struct {
				Total, Failed int
			} `json:"shards"`
		} `json:"snapshot"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return backupapi.Internal(err, "%s: Elasticsearch's answer could not be read", call)
	}
	if sh := body.Snapshot.Shards; sh.Failed > 0 {
		return backupapi.Internal(nil, "%s: %d of %d shards failed to restore", call, sh.Failed, sh.Total)
	}
	return nil
}

// IndexStatuses reports the named indices as they stand: open or closed, primary shards and
// documents, from one _cat/indices request. A name that does not exist is missing from the
// result.
func (c *Client) IndexStatuses(ctx context.Context, names []string) (map[string]backupapi.IndexStatus, error) {
	out := map[string]backupapi.IndexStatus{}
	if len(names) == 0 {
		return out, nil
	}
	call := "read indices " + strings.Join(names, ",")
	cat := c.reads.Cat.Indices
	res, err := cat(cat.WithContext(ctx), cat.WithIndex(names...), cat.WithFormat("json"), cat.WithH("index", "status", "pri", "docs.count"),
		cat.WithExpandWildcards("all"))
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() && decodeError(res).Type != "index_not_found_exception" {
		return nil, c.failure(call, res, nil, nil)
	}
	if res.IsError() {
		if len(names) == 1 {
			return out, nil // the one index asked for does not exist
		}
		return c.eachIndexStatus(ctx, names)
	}
	var rows []struct {
		Index  string `json:"index"`
		Status string `json:"status"`
		Pri    string `json:"pri"`
		Docs   string `json:"docs.count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rows); err != nil {
		return nil, backupapi.Internal(err, "%s: Elasticsearch's answer could not be read", call)
	}
	for _, r := range rows {
		pri, _ := strconv.Atoi(r.Pri)
		docs, err := strconv.ParseInt(r.Docs, 10, 64)
		if err != nil {
			docs = -1
		}
		out[r.Index] = backupapi.IndexStatus{Name: r.Index, Open: r.Status == "open", Shards: pri, Documents: docs}
	}
	return out, nil
}

// eachIndexStatus asks index by index, when one request for all names failed because one of
// them is missing.
func (c *Client) eachIndexStatus(ctx context.Context, names []string) (map[string]backupapi.IndexStatus, error) {
	out := map[string]backupapi.IndexStatus{}
	for _, name := range names {
		one, err := c.IndexStatuses(ctx, []string{name})
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", name, err)
		}
		for k, v := range one {
			out[k] = v
		}
	}
	return out, nil
}

// Version is the web-application version the client writes into snapshot names and expects of
// the backups it restores.
func (c *Client) Version() string { return c.cfg.Version }

// FindSnapshots returns the names of the repository's successful snapshots that match the
// patterns (names or wildcards), sorted by name; a pattern that matches nothing is no error.
func (c *Client) FindSnapshots(ctx context.Context, patterns ...string) ([]string, error) {
	call := "find snapshots " + strings.Join(patterns, ",")
	get := c.reads.Snapshot.Get
	res, err := get(c.cfg.Repository, patterns, get.WithContext(ctx), get.WithVerbose(false), get.WithIgnoreUnavailable(true))
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil, nil)
	}
	var body struct {
		Snapshots []struct {
			Snapshot string `json:"snapshot"`
			State    string `json:"state"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, backupapi.Internal(err, "%s: Elasticsearch's answer could not be read", call)
	}
	var names []string
	for _, s := range body.Snapshots {
		if s.State == "" || s.State == backupapi.SnapshotSuccess {
			names = append(names, s.Snapshot)
		}
	}
	slices.Sort(names)
	return names, nil
}
