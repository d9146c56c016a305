package backupapi

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// State is the state of a backup as the backup API reports it.
type State string

// The states of a backup.
const (
	StateCompleted    State = "COMPLETED"
	StateInProgress   State = "IN_PROGRESS"
	StateFailed       State = "FAILED"
	StateIncompatible State = "INCOMPATIBLE"
	StateIncomplete   State = "INCOMPLETE"
)

// States lists every backup state.
var States = []State{StateCompleted, StateInProgress, StateFailed, StateIncompatible, StateIncomplete}

// Terminal reports whether a backup in this state will not change any more by itself.
func (s State) Terminal() bool { return s != StateInProgress }

// The snapshot states of Elasticsearch, as it spells them.
const (
	SnapshotSuccess    = "SUCCESS"
	SnapshotInProgress = "IN_PROGRESS"
	// SnapshotStarted is how OpenSearch-derived stores name a running snapshot; it counts as
	// IN_PROGRESS (Camunda's own tests read it so).
	SnapshotStarted      = "STARTED"
	SnapshotFailed       = "FAILED"
	SnapshotPartial      = "PARTIAL"
	SnapshotIncompatible = "INCOMPATIBLE"
)

// SnapshotRunning reports whether a snapshot in this state has not finished yet.
func SnapshotRunning(state string) bool {
	return state == SnapshotInProgress || state == SnapshotStarted
}

// Snapshot is one part of a backup as Elasticsearch reports it.
type Snapshot struct {
	Name string
	// State is Elasticsearch's snapshot state as it is (SUCCESS, IN_PROGRESS, FAILED,
	// PARTIAL, INCOMPATIBLE); empty when unknown.
	State string
	// StartTime and EndTime are zero when unknown (a running snapshot has no end time; a
	// list with verbose=false has no times at all).
	StartTime time.Time
	EndTime   time.Time
	// Failures are the reasons of the snapshot's shard failures.
	Failures []string
	Metadata Metadata
	// Indices are the indices the snapshot holds, when the answer read lists them; nil
	// when it does not (an empty list is a snapshot of no index).
	Indices []string
}

// Backup is the state of one backup, with its snapshots ordered by part.
type Backup struct {
	ID            ID
	State         State
	FailureReason string
	Snapshots     []Snapshot
}

// SnapshotNames returns the names of the backup's snapshots in part order: the snapshots to
// restore, one after another.
func (b Backup) SnapshotNames() []string {
	names := make([]string, len(b.Snapshots))
	for i, s := range b.Snapshots {
		names[i] = s.Name
	}
	return names
}

// LatestStart is the latest start time of the backup's snapshots (zero when none is known).
func (b Backup) LatestStart() time.Time {
	var t time.Time
	for _, s := range b.Snapshots {
		if s.StartTime.After(t) {
			t = s.StartTime
		}
	}
	return t
}

// ListOptions select the backups of a List call.
type ListOptions struct {
	// Pattern is the list API's pattern: digits optionally followed by '*'; empty means all.
	Pattern string
	// Verbose asks Elasticsearch for times and failures; without it the list is cheaper,
	// start times are unknown and backups are ordered by id.
	Verbose bool
}

// Client manages the backups of one Camunda installation. Its errors are *Error values of the
// kinds declared in this package.
type Client interface {
	// Create starts backup id and returns the names of the snapshots it schedules, in part
	// order. It returns once the backup has started; the parts are taken in the background.
	Create(ctx context.Context, id ID) ([]string, error)
	// Get returns the state of backup id.
	Get(ctx context.Context, id ID) (Backup, error)
	// List returns the backups matching opts, newest first.
	List(ctx context.Context, opts ListOptions) ([]Backup, error)
	// Delete deletes every snapshot of backup id. A running part is aborted.
	Delete(ctx context.Context, id ID) error
}

// Derivation holds what the state of a backup is derived from besides its snapshots.
type Derivation struct {
	// Now is the current time.
	Now time.Time
	// IncompleteAfter is how long after its last part ended a backup missing parts stays
	// IN_PROGRESS before it is INCOMPLETE (Camunda's incomplete-check timeout, 5 minutes by
	// default).
	IncompleteAfter time.Duration
}

// DefaultIncompleteAfter is Camunda's default incomplete-check timeout.
const DefaultIncompleteAfter = 5 * time.Minute

// Derive builds the Backup of id from its snapshots (in any order): the snapshots ordered by
// part, and the state and failure reason the contract derives from them.
func (d Derivation) Derive(id ID, snapshots []Snapshot) Backup {
	s := slices.Clone(snapshots)
	slices.SortStableFunc(s, byPart)
	return d.derive(id, s)
}

// byPart orders the snapshots of one backup by part number.
func byPart(a, b Snapshot) int { return cmp.Compare(a.Metadata.PartNo, b.Metadata.PartNo) }

// derive is Derive of snapshots already ordered by part, which the Backup keeps.
func (d Derivation) derive(id ID, s []Snapshot) Backup {
	b := Backup{ID: id, Snapshots: s}
	b.State, b.FailureReason = d.state(s)
	return b
}

// state applies the contract's rules, in order, to the snapshots of one backup ordered by part.
func (d Derivation) state(s []Snapshot) (State, string) {
	if len(s) == 0 {
		return StateFailed, ""
	}
	var success, failed, partial, incompatible, inProgress int
	for _, snap := range s {
		switch snap.State {
		case SnapshotSuccess:
			success++
		case SnapshotFailed:
			failed++
		case SnapshotPartial:
			partial++
		case SnapshotIncompatible:
			incompatible++
		case SnapshotInProgress, SnapshotStarted: // as SnapshotRunning says
			inProgress++
		}
	}
	expected := s[0].Metadata.PartCount
	switch {
	case len(s) == expected && success == len(s):
		return StateCompleted, ""
	case failed > 0:
		return StateFailed, "There were failures with the following snapshots: " + namesInState(s, SnapshotFailed)
	case partial > 0:
		return StateFailed, "Some of the snapshots are partial: " + namesInState(s, SnapshotPartial)
	case incompatible > 0:
		return StateIncompatible, ""
	case inProgress > 0:
		return StateInProgress, ""
	case len(s) < expected:
		last := s[len(s)-1]
		if last.EndTime.IsZero() || d.Now.Sub(last.EndTime) > d.IncompleteAfter {
			return StateIncomplete, ""
		}
		return StateInProgress, ""
	case len(s) > expected:
		return StateFailed, "More snapshots found than expected."
	default:
		return StateFailed, ""
	}
}

// namesInState lists the names of the snapshots in the state, comma-separated.
func namesInState(s []Snapshot, state string) string {
	var names []string
	for _, snap := range s {
		if snap.State == state {
			names = append(names, snap.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Group collects snapshots (of any backups, in any order) into backups: snapshots that belong
// to no backup are ignored, each group is derived as Derive does, and the backups are ordered
// newest first by the latest start time of their parts, then by id, descending.
//
// The snapshots are copied once and ordered by backup and part; each backup keeps its run of
// that copy.
func (d Derivation) Group(snapshots []Snapshot) []Backup {
	// Order the positions of the parts by backup and part, then by position, which keeps the
	// order of a repeated part as Derive's stable sort does; moving ints is cheaper than
	// moving snapshots.
	order := make([]int, 0, len(snapshots))
	for i, snap := range snapshots {
		if snap.Metadata.BackupID > 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := snapshots[i].Metadata, snapshots[j].Metadata
		if c := cmp.Compare(a.BackupID, b.BackupID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.PartNo, b.PartNo); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	s := make([]Snapshot, len(order))
	for k, i := range order {
		s[k] = snapshots[i]
	}
	backups := []Backup{}
	for len(s) > 0 {
		id := s[0].Metadata.BackupID
		n := 1
		for n < len(s) && s[n].Metadata.BackupID == id {
			n++
		}
		backups = append(backups, d.derive(id, s[:n:n]))
		s = s[n:]
	}
	SortNewestFirst(backups)
	return backups
}

// SortNewestFirst orders backups newest first: by the latest start time of their parts
// (unknown times last), then by id, descending.
func SortNewestFirst(backups []Backup) {
	type key struct {
		latest time.Time
		id     ID
		at     int
	}
	keys := make([]key, len(backups))
	for i, b := range backups {
		keys[i] = key{b.LatestStart(), b.ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := b.latest.Compare(a.latest); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	sorted := make([]Backup, len(backups))
	for i, k := range keys {
		sorted[i] = backups[k.at]
	}
	copy(backups, sorted)
}
