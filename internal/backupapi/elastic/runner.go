package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// run is one backup being taken: its parts, and how many of them have been sent.
type run struct {
	id      backupapi.ID
	names   []string
	parts   []backupapi.Part
	metas   []backupapi.Metadata
	sent    int  // parts whose snapshot request has been sent; guarded by Client.mu
	stopped bool // no further part may start; guarded by Client.mu
	deleted bool // the backup was deleted while a part was on its way; guarded by Client.mu
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
	delete(c.abandoned, r.id)
	c.runs[r.id] = r
	c.runners.Add(1)
	go c.runParts(r)
}

// stopRun keeps the remaining parts of backup id from starting. With deleted, the part
// being sent, if Elasticsearch registers it after the caller's delete, is deleted by the
// runner when its request returns. It reports whether this Client was taking backup id.
func (c *Client) stopRun(id backupapi.ID, deleted bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.runs[id]
	if ok {
		r.stopped = true
		r.deleted = deleted
		delete(c.runs, id)
	}
	if deleted && c.abandoned[id] {
		delete(c.abandoned, id)
		ok = true
	}
	return ok
}

// withoutSnapshots returns the backups selected by want that this Client knows of while
// Elasticsearch shows none of their snapshots: started here with the first part not registered
// yet (IN_PROGRESS), or accepted with no part ever taken (FAILED). Get and List report them
// alike; ok is false when there are none.
func (c *Client) withoutSnapshots(want func(backupapi.ID) bool) (backups []backupapi.Backup, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, r := range c.runs {
		if !r.stopped && want(id) {
			backups = append(backups, backupapi.Backup{ID: id, State: backupapi.StateInProgress})
		}
	}
	for id := range c.abandoned {
		if want(id) {
			backups = append(backups, backupapi.Backup{ID: id, State: backupapi.StateFailed, FailureReason: firstPartLost})
		}
	}
	return backups, len(backups) > 0
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
		if c.deletedWhileSent(r) {
			c.deleteLatePart(name)
			return
		}
		if state != backupapi.SnapshotSuccess {
			if i == 0 && state == "" {
				c.abandon(r)
			}
			return
		}
	}
}

// abandon remembers that backup r was accepted but not even its first part could be
// taken, so that Get reports it FAILED rather than unknown. The run stops in the same step,
// so that no list sees the backup both running and abandoned.
func (c *Client) abandon(r *run) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.stopped = true
	c.abandoned[r.id] = true
}

// deletedWhileSent reports whether backup r was deleted while one of its parts was sent.
func (c *Client) deletedWhileSent(r *run) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return r.deleted
}

// deleteLatePart deletes a part that Elasticsearch registered after its backup was
// deleted, so that a delete leaves no part behind.
func (c *Client) deleteLatePart(name string) {
	del := c.writes.Snapshot.Delete
	res, err := del(c.cfg.Repository, []string{name}, del.WithContext(c.stop))
	if err != nil {
		c.cfg.Logger.Warn("deleting a part of a deleted backup", "snapshot", name, "err", transportProblem(err))
		return
	}
	defer res.Body.Close()
	if res.IsError() && res.StatusCode != http.StatusNotFound {
		c.cfg.Logger.Warn("deleting a part of a deleted backup", "snapshot", name, "status", res.StatusCode)
	}
}

// Backoff between attempts at sending a part and between polls of its state: from
// pollFirst, doubling up to pollMax.
const (
	pollFirst = 10 * time.Millisecond
	pollMax   = time.Second
)

// sendPatience bounds how long the requests for one part are sent again while
// Elasticsearch keeps failing them with 502/503/504 or lost answers; the backup then stops
// there (it reads INCOMPLETE later, or FAILED when not even its first part was taken).
const sendPatience = time.Minute

// takePart snapshots one part and waits for it; it returns the part's final state, or an
// empty state when the part could not be taken or followed. A request whose answer is lost
// or refused with 502/503/504 is sent again after a backoff: if the earlier one got through,
// Elasticsearch answers that the name is taken and the part is followed until it ends.
func (c *Client) takePart(ctx context.Context, p backupapi.Part, m backupapi.Metadata) string {
	if c.cfg.SnapshotTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.SnapshotTimeout)
		defer cancel()
	}
	name := m.SnapshotName()
	// The first attempt again is immediate, as the official clients retry: a 503 means the
	// request was not processed. Further attempts back off.
	var wait time.Duration
	giveUp := time.Now().Add(sendPatience)
	for attempt := 1; ; attempt++ {
		state, outcome := c.sendPart(ctx, p, m, attempt > 1)
		switch outcome {
		case partDone:
			return state
		case partRefused:
			return ""
		case partTaken:
			state, _ := c.pollPart(ctx, name)
			return state
		}
		if time.Now().After(giveUp) {
			c.cfg.Logger.Error("backup part: Elasticsearch kept failing it, the backup stops here", "snapshot", name, "attempts", attempt)
			return ""
		}
		if !sleep(ctx, wait) {
			return ""
		}
		wait = min(max(2*wait, pollFirst), pollMax)
	}
}

// The outcomes of one request for a part.
const (
	partDone    = iota // the part finished; its state is known
	partRefused        // Elasticsearch refused the part for good
	partUnknown        // the answer was lost, or Elasticsearch was unavailable
	partTaken          // an earlier request for the part got through: follow it
)

// sendPart sends the snapshot request of one part and waits for its completion. retry says
// that an earlier request for the part may have reached Elasticsearch: "already exists"
// then means that it did, and the part is followed instead.
func (c *Client) sendPart(ctx context.Context, p backupapi.Part, m backupapi.Metadata, retry bool) (string, int) {
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
		// The request lasts as long as the part: the snapshot timeout bounds it, through ctx.
		create.WithContext(esclient.WithoutRequestTimeout(ctx)),
		create.WithWaitForCompletion(true),
		create.WithBody(bytes.NewReader(body)),
	)
	if err != nil {
		if ctx.Err() == nil {
			c.cfg.Logger.Warn("backup part: answer lost", "snapshot", name, "err", transportProblem(err))
		}
		return "", partUnknown
	}
	defer res.Body.Close()
	if unavailableStatus(res.StatusCode) {
		c.cfg.Logger.Warn("backup part: Elasticsearch unavailable", "snapshot", name, "status", res.StatusCode)
		return "", partUnknown
	}
	if res.IsError() {
		e := decodeError(res)
		if retry && (e.Type == typeNameInUse || e.Type == typeInvalidSnapshotName) {
			return "", partTaken
		}
		c.cfg.Logger.Error("backup part refused", "snapshot", name, "status", res.StatusCode, "type", e.Type, "reason", e.Reason)
		return "", partRefused
	}
	var done struct {
		Snapshot struct {
			State string `json:"state"`
		} `json:"snapshot"`
	}
	if err := json.NewDecoder(res.Body).Decode(&done); err != nil || done.Snapshot.State == "" {
		return "", partTaken // Elasticsearch has it; its answer is unreadable
	}
	return done.Snapshot.State, partDone
}

// pollPart follows a part until it is no longer IN_PROGRESS. present is false when
// Elasticsearch does not have the part (any more); state is empty when ctx ends first.
func (c *Client) pollPart(ctx context.Context, name string) (state string, present bool) {
	wait := pollFirst
	for {
		state, present, known := c.partState(ctx, name)
		if known && (!present || !backupapi.SnapshotRunning(state)) {
			return state, present
		}
		if !sleep(ctx, wait) {
			c.cfg.Logger.Error("backup part did not finish in time", "snapshot", name)
			return "", true
		}
		wait = min(2*wait, pollMax)
	}
}

// sleep waits for d, or less when ctx ends: false then.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// partState reads the state of one part; known is false when it could not be read now.
func (c *Client) partState(ctx context.Context, name string) (state string, present, known bool) {
	get := c.reads.Snapshot.Get
	res, err := get(c.cfg.Repository, []string{name}, get.WithContext(ctx), get.WithIgnoreUnavailable(true), get.WithIndexNames(false), get.WithFilterPath(snapshotFields))
	if err != nil {
		return "", false, false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		// Gone with its repository (known, absent), or unknown for now.
		return "", false, !unavailableStatus(res.StatusCode)
	}
	body, err := readBody(res)
	if err != nil {
		return "", false, false
	}
	snaps, err := decodeSnapshots(body)
	if err != nil {
		return "", false, false
	}
	if len(snaps) == 0 {
		return "", false, true
	}
	return snaps[0].State, true, true
}
