package elastic

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Create runs the contract's checks in order (repository, duplicate, another backup
// running, missing indices), then starts backup id and returns the names of its parts.
// The checks and the start are one critical section within the Client, so that concurrent
// creates of one id give exactly one success. The parts are taken in the background.
func (c *Client) Create(ctx context.Context, id backupapi.ID) ([]string, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if _, err := c.repository(); err != nil {
		return nil, err
	}
	call := callName("create", id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, backupapi.Unavailable(nil, "%s: the backup client is closed", call)
	}
	if err := c.checkRepository(ctx, call); err != nil {
		return nil, err
	}
	if err := c.checkDuplicate(ctx, call, id); err != nil {
		return nil, err
	}
	if c.busyLocked() {
		return nil, backupapi.BackupRunning()
	}
	parts, err := c.plan(ctx, call)
	if err != nil {
		return nil, err
	}
	r := c.newRun(id, parts)
	c.startLocked(r)
	return slices.Clone(r.names), nil
}

// checkRepository fails with ErrRepositoryMissing when the repository does not exist.
func (c *Client) checkRepository(ctx context.Context, call string) error {
	get := c.reads.Snapshot.GetRepository
	res, err := get(get.WithContext(ctx), get.WithRepository(c.cfg.Repository))
	if err != nil {
		return c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return c.failure(call, res, nil, nil)
	}
	return nil
}

// checkDuplicate fails with ErrAlreadyExists when parts of backup id exist, or when this
// Client is taking backup id and has not sent its first part yet.
func (c *Client) checkDuplicate(ctx context.Context, call string, id backupapi.ID) error {
	snaps, err := c.backupSnapshots(ctx, call, id, false)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(snaps))
	for _, s := range snaps {
		names = append(names, s.Name)
	}
	if r, ok := c.runs[id]; ok && len(names) == 0 {
		names = r.names
	}
	if len(names) > 0 {
		return backupapi.AlreadyExists(id, names)
	}
	return nil
}

// plan finds, in one request, which indices of the layout exist, and plans the parts.
func (c *Client) plan(ctx context.Context, call string) ([]backupapi.Part, error) {
	get := c.reads.Indices.Get
	res, err := get(backupapi.PresenceExpressions(c.parts),
		get.WithContext(ctx),
		get.WithIgnoreUnavailable(true),
		get.WithAllowNoIndices(true),
		get.WithFeatures("aliases"),
	)
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil, nil)
	}
	var found map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&found); err != nil {
		return nil, backupapi.Internal(err, "%s: cannot read Elasticsearch's answer about the indices: %v", call, err)
	}
	parts, err := backupapi.Plan(c.parts, slices.Collect(maps.Keys(found)))
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, backupapi.Internal(nil, "%s: none of the layout's indices exist", call)
	}
	return parts, nil
}
