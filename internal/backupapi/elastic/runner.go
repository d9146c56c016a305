package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// run is one backup being taken: its parts, and how many of them have been sent.
type run struct {
	id      backupapi.ID
	names   []string
	parts   []backupapi.Part
	metas   []backupapi.Metadata
	sent    int  // parts whose snapshot request has been sent; guarded by Client.mu
	stopped bool // no further part may start; guarded by Client.mu
}

func (c *Client) newRun(id backupapi.ID, parts []backupapi.Part) *run {
	r := &run{id: id, parts: parts}
	for i := range parts {
		m := backupapi.Metadata{BackupID: id, Version: c.cfg.Version, PartNo: i + 1, PartCount: len(parts)}
		r.metas = append(r.metas, m)
		r.names = append(r.names, m.SnapshotName())
	}
	return r
}

// busyLocked reports whether a backup still has parts waiting to start. c.mu must be held.
func (c *Client) busyLocked() bool {
	for _, r := range c.runs {
		if !r.stopped && r.sent < len(r.parts) {
			return true
		}
	}
	return false
}

// startLocked registers r and starts its runner. c.mu must be held.
func (c *Client) startLocked(r *run) {
	c.runs[r.id] = r
	c.runners.Add(1)
	go c.runParts(r)
}

// stopRun keeps the remaining parts of backup id from starting.
func (c *Client) stopRun(id backupapi.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.runs[id]; ok {
		r.stopped = true
		delete(c.runs, id)
	}
}

// next claims part i of r; false when the run was stopped or the Client closed.
func (c *Client) next(r *run, i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.stopped || c.closed {
		return false
	}
	r.sent = i + 1
	return true
}

// finish unregisters r once its runner is done.
func (c *Client) finish(r *run) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.stopped = true
	if c.runs[r.id] == r {
		delete(c.runs, r.id)
	}
}

// runParts takes the parts of r one after another; a part that does not end SUCCESS stops
// the backup. The next part starts the moment the previous one's blocking request returns.
func (c *Client) runParts(r *run) {
	defer c.runners.Done()
	defer c.finish(r)
	for i, p := range r.parts {
		if !c.next(r, i) {
			return
		}
		name := r.names[i]
		c.cfg.Logger.Info("backup part started", "backup", r.id, "snapshot", name)
		state := c.takePart(c.stop, p, r.metas[i])
		c.cfg.Logger.Info("backup part finished", "backup", r.id, "snapshot", name, "state", state)
		if state != backupapi.SnapshotSuccess {
			return
		}
	}
}

// takePart snapshots one part and waits for it; it returns the part's final state, or an
// empty state when the part could not be taken or followed.
func (c *Client) takePart(ctx context.Context, p backupapi.Part, m backupapi.Metadata) string {
	name := m.SnapshotName()
	body, _ := json.Marshal(map[string]any{
		"indices":              p.Indices,
		"ignore_unavailable":   false,
		"include_global_state": true,
		"feature_states":       []string{"none"},
		"metadata":             m.Map(),
	})
	create := c.writes.Snapshot.Create
	res, err := create(c.cfg.Repository, name,
		create.WithContext(ctx),
		create.WithWaitForCompletion(true),
		create.WithBody(bytes.NewReader(body)),
	)
	if err != nil {
		if ctx.Err() != nil {
			return ""
		}
		c.cfg.Logger.Warn("backup part: answer lost, following its state", "snapshot", name, "err", transportProblem(err))
		return c.pollPart(ctx, name)
	}
	defer res.Body.Close()
	if unavailableStatus(res.StatusCode) {
		return c.pollPart(ctx, name)
	}
	if res.IsError() {
		e := decodeError(res)
		c.cfg.Logger.Error("backup part refused", "snapshot", name, "status", res.StatusCode, "type", e.Type, "reason", e.Reason)
		return ""
	}
	var done struct {
		Snapshot snapshotInfo `json:"snapshot"`
	}
	if err := json.NewDecoder(res.Body).Decode(&done); err != nil {
		return c.pollPart(ctx, name)
	}
	return done.Snapshot.State
}

// Backoff of pollPart: from pollFirst, doubling up to pollMax.
const (
	pollFirst = 10 * time.Millisecond
	pollMax   = time.Second
)

// pollPart follows a part whose blocking request was lost until it is no longer
// IN_PROGRESS, it disappears, or SnapshotTimeout passes.
func (c *Client) pollPart(ctx context.Context, name string) string {
	if c.cfg.SnapshotTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.SnapshotTimeout)
		defer cancel()
	}
	wait := pollFirst
	for {
		state, known := c.partState(ctx, name)
		if known && state != backupapi.SnapshotInProgress {
			return state
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			c.cfg.Logger.Error("backup part did not finish in time", "snapshot", name)
			return ""
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
	}
}

// partState reads the state of one part; known is false when it could not be read now. A
// part that is gone is known, with an empty state.
func (c *Client) partState(ctx context.Context, name string) (state string, known bool) {
	get := c.reads.Snapshot.Get
	res, err := get(c.cfg.Repository, []string{name}, get.WithContext(ctx), get.WithIgnoreUnavailable(true), get.WithIndexNames(false),
		get.WithFilterPath(snapshotFields))
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", !unavailableStatus(res.StatusCode) // gone with its repository, or unknown now
	}
	snaps, err := decodeSnapshots(res.Body)
	if err != nil {
		return "", false
	}
	if len(snaps) == 0 {
		return "", true
	}
	return snaps[0].State, true
}
