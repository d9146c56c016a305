package elastic

import (
	"context"
	"fmt"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// snapshotFields is the filter_path of every get-snapshots call: the fields snapshotInfo
// reads, so that Elasticsearch neither encodes nor sends the rest (index lists, shard
// counts, feature states). Elasticsearch does not filter error bodies; "error" is listed so
// that an error survives a node or proxy that would.
const snapshotFields = "snapshots.snapshot,snapshots.state,snapshots.metadata,snapshots.start_time_in_millis," +
	"snapshots.end_time_in_millis,snapshots.failures.reason,error,status"

// snapshotInfo is the part of Elasticsearch's SnapshotInfo the driver reads.
type snapshotInfo struct {
	Snapshot          string         `json:"snapshot"`
	State             string         `json:"state"`
	StartTimeInMillis int64          `json:"start_time_in_millis"`
	EndTimeInMillis   int64          `json:"end_time_in_millis"`
	Metadata          map[string]any `json:"metadata"`
	Failures          []struct {
		Reason string `json:"reason"`
	} `json:"failures"`
}

// millis converts epoch milliseconds; 0 (unknown, or a snapshot still running) is the zero time.
func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// getSnapshots runs one GET _snapshot/{repo}/{pattern} and returns the backup parts it
// finds. Missing snapshots are no error; a missing repository is.
func (c *Client) getSnapshots(ctx context.Context, call, pattern string, verbose bool) ([]backupapi.Snapshot, error) {
	repo, err := c.repository()
	if err != nil {
		return nil, err
	}
	get := c.reads.Snapshot.Get
	res, err := get(repo, []string{pattern},
		get.WithContext(ctx),
		get.WithIgnoreUnavailable(true),
		get.WithVerbose(verbose),
		get.WithIndexNames(false),
		get.WithFilterPath(snapshotFields),
	)
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, c.failure(call, res, nil, nil)
	}
	body, err := readBody(res)
	if err != nil {
		return nil, c.failure(call, nil, err, nil)
	}
	snaps, err := decodeSnapshots(body)
	if err != nil {
		return nil, backupapi.Internal(err, "%s: cannot read Elasticsearch's answer: %v", call, err)
	}
	return snaps, nil
}

// backupSnapshots returns the parts of backup id (none is no error).
func (c *Client) backupSnapshots(ctx context.Context, call string, id backupapi.ID, verbose bool) ([]backupapi.Snapshot, error) {
	snaps, err := c.getSnapshots(ctx, call, backupapi.BackupSnapshotsPattern(id), verbose)
	if err != nil {
		return nil, err
	}
	own := snaps[:0]
	for _, s := range snaps {
		if s.Metadata.BackupID == id {
			own = append(own, s)
		}
	}
	return own, nil
}

// callName names a call on one backup in messages.
func callName(op string, id backupapi.ID) string { return fmt.Sprintf("%s backup %s", op, id) }
