package esemu

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Faults injects failures into a Server for tests. All faults are off by
// default and every method is safe for concurrent use.
type Faults struct {
	mu            sync.Mutex
	failRules     []failRule
	holds         []string
	releases      []string
	latency       time.Duration
	failNext      int
	failStatus    int
	dropNext      int
	down          bool
	snapshotDelay *time.Duration
	changed       chan struct{} // closed and replaced on every change of holds
}

type failRule struct {
	pattern, state, reason string
}

func newFaults() *Faults {
	return &Faults{changed: make(chan struct{})}
}

// notifyLocked wakes snapshot workers waiting on holds; f.mu must be held.
func (f *Faults) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// FailSnapshots makes snapshots whose name matches the wildcard pattern end in
// state "FAILED" or "PARTIAL" (PARTIAL carries shard failures with the reason).
// Any other state is taken as FAILED.
func (f *Faults) FailSnapshots(pattern, state, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state != "PARTIAL" {
		state = "FAILED"
	}
	if reason == "" {
		reason = "injected failure"
	}
	f.failRules = append(f.failRules, failRule{pattern, state, reason})
}

// HoldSnapshots keeps snapshots whose name matches pattern IN_PROGRESS until
// ReleaseSnapshots or Reset.
func (f *Faults) HoldSnapshots(pattern string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = append(f.holds, pattern)
	f.releases = deleteString(f.releases, pattern)
	f.notifyLocked()
}

// ReleaseSnapshots lets held snapshots whose name matches pattern complete.
func (f *Faults) ReleaseSnapshots(pattern string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = deleteString(f.holds, pattern)
	f.releases = append(f.releases, pattern)
	f.notifyLocked()
}

// SetLatency adds d to the handling of every request.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// FailNextRequests makes the next n requests answer status (a 5xx) with an
// Elasticsearch-shaped error body.
func (f *Faults) FailNextRequests(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status < 500 || status > 599 {
		status = http.StatusServiceUnavailable
	}
	f.failNext, f.failStatus = n, status
}

// DropNextConnections closes the connection of the next n requests without a response.
func (f *Faults) DropNextConnections(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropNext = n
}

// SetDown drops the connection of every request while down is true.
func (f *Faults) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// SetSnapshotDelay overrides the configured per-snapshot delay (negative: none).
func (f *Faults) SetSnapshotDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snapshotDelay = &d
}

// Reset turns every fault off and releases held snapshots.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failRules, f.holds, f.releases = nil, nil, nil
	f.latency, f.failNext, f.failStatus, f.dropNext, f.down = 0, 0, 0, 0, false
	f.snapshotDelay = nil
	f.notifyLocked()
}

func deleteString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// held reports whether a snapshot name is held, and a channel closed on the
// next change of holds.
func (f *Faults) held(name string) (bool, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.releases {
		if simpleMatch(r, name) {
			return false, f.changed
		}
	}
	for _, h := range f.holds {
		if simpleMatch(h, name) {
			return true, f.changed
		}
	}
	return false, f.changed
}

// outcome returns the injected end state and reason for a snapshot name, if any.
func (f *Faults) outcome(name string) (state, reason string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.failRules {
		if simpleMatch(r.pattern, name) {
			return r.state, r.reason, true
		}
	}
	return "", "", false
}

func (f *Faults) delay(def time.Duration) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.snapshotDelay != nil {
		return *f.snapshotDelay
	}
	return def
}

// intercept applies request faults; it reports whether the request was answered.
func (f *Faults) intercept(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	latency, drop, fail, status := f.latency, f.down, false, 0
	if !drop && f.dropNext > 0 {
		f.dropNext--
		drop = true
	}
	if !drop && f.failNext > 0 {
		f.failNext--
		fail, status = true, f.failStatus
	}
	f.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case drop:
		dropConnection(w)
		return true
	case fail:
		writeError(w, r, errStatus(status, fmt.Sprintf("injected fault: the node answered %d", status)))
		return true
	}
	return false
}

func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2, recorders): abort the handler, which the
	// server turns into a reset stream or closed connection.
	panic(http.ErrAbortHandler)
}
