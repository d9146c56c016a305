package elastic

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// snapshotFields is the filter_path of every get-snapshots call: the fields snapshotInfo
// reads, so that Elasticsearch neither encodes nor sends the rest (index lists, shard
// counts, feature states). Elasticsearch does not filter error bodies; "error" is listed so
// that an error survives a node or proxy that would.
const snapshotFields = "snapshots.snapshot,snapshots.state,snapshots.metadata,snapshots.start_time_in_millis," +
	"snapshots.end_time_in_millis,snapshots.failures.reason,error,status"

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

// maxPresized bounds the buffer readBody allocates up front from a Content-Length.
const maxPresized = 64 << 20

// readBody reads a whole response body into a buffer of its announced length, when it has
// one, instead of growing a buffer from nothing: the answer for 1,000 backups is about 1.3 MB.
func readBody(res *esapi.Response) ([]byte, error) {
	n, err := strconv.ParseInt(res.Header.Get("Content-Length"), 10, 64)
	if err != nil || n <= 0 || n > maxPresized {
		return io.ReadAll(res.Body)
	}
	buf := make([]byte, 0, n)
	buf = buf[:n]
	if _, err := io.ReadFull(res.Body, buf); err != nil {
		return nil, err
	}
	// The body is as long as announced (net/http enforces it); read on to its end all the
	// same, so that a body longer than announced is never cut.
	rest, err := io.ReadAll(res.Body)
	if len(rest) > 0 {
		buf = append(buf, rest...)
	}
	return buf, err
}
