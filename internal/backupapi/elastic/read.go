package elastic

import (
	"context"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// firstPartLost is the failure reason of a backup that was accepted but whose first part
// Elasticsearch never took.
const firstPartLost = "The first snapshot of the backup could not be taken: Elasticsearch kept failing the request."

// Get returns the state of backup id, from one request.
func (c *Client) Get(ctx context.Context, id backupapi.ID) (backupapi.Backup, error) {
	if err := id.Validate(); err != nil {
		return backupapi.Backup{}, err
	}
	snaps, err := c.backupSnapshots(ctx, callName("get", id), id, true)
	if err != nil {
		return backupapi.Backup{}, err
	}
	if len(snaps) == 0 {
		if b, ok := c.withoutSnapshots(func(known backupapi.ID) bool { return known == id }); ok {
			return b[0], nil
		}
		return backupapi.Backup{}, backupapi.NotFound(id)
	}
	b := c.derivation().Derive(id, snaps)
	if b.State.Terminal() {
		// Whoever sees the backup ended may start the next one at once, and a backup
		// reported INCOMPLETE gets no further part that would contradict it.
		c.stopRun(id, false)
	}
	return b, nil
}

// List returns the backups matching opts, newest first, from one request.
func (c *Client) List(ctx context.Context, opts backupapi.ListOptions) ([]backupapi.Backup, error) {
	pattern, err := backupapi.ListPattern(opts.Pattern)
	if err != nil {
		return nil, err
	}
	snaps, err := c.getSnapshots(ctx, "list backups", pattern, opts.Verbose)
	if err != nil {
		return nil, err
	}
	backups := c.derivation().Group(snaps)
	listed := make(map[backupapi.ID]bool, len(backups))
	for _, b := range backups {
		listed[b.ID] = true
	}
	unseen, ok := c.withoutSnapshots(func(id backupapi.ID) bool {
		return !listed[id] && backupapi.ListMatches(opts.Pattern, id)
	})
	if ok {
		backups = append(backups, unseen...)
		backupapi.SortNewestFirst(backups)
	}
	return backups, nil
}

// Delete deletes every part of backup id that exists: one request finds them, one deletes
// them all. A running part is aborted and the backup's remaining parts are not started.
func (c *Client) Delete(ctx context.Context, id backupapi.ID) error {
	if err := id.Validate(); err != nil {
		return err
	}
	call := callName("delete", id)
	snaps, err := c.backupSnapshots(ctx, call, id, false)
	if err != nil {
		return err
	}
	started := c.stopRun(id, true)
	if len(snaps) == 0 {
		if started {
			return nil // its first part, if on its way, is deleted by the runner
		}
		return backupapi.NotFound(id)
	}
	names := make([]string, len(snaps))
	for i, s := range snaps {
		names[i] = s.Name
	}
	del := c.writes.Snapshot.Delete
	res, err := del(c.cfg.Repository, names, del.WithContext(ctx))
	if err != nil {
		return c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return c.failure(call, res, nil, backupapi.NotFound(id))
	}
	return nil
}
