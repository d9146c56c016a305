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
	SnapshotSuccess      = "SUCCESS"
	SnapshotInProgress   = "IN_PROGRESS"
	SnapshotFailed       = "FAILED"
	SnapshotPartial      = "PARTIAL"
	SnapshotIncompatible = "INCOMPATIBLE"
)

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
	slices.SortStableFunc(s, func(a, b Snapshot) int { return a.Metadata.PartNo - b.Metadata.PartNo })
	b := Backup{ID: id, Snapshots: s}
	b.State, b.FailureReason = d.state(s)
	return b
}

func (d Derivation) state(s []Snapshot) (State, string) {
	if len(s) == 0 {
		return StateFailed, ""
	}
	expected := s[0].Metadata.PartCount
	failed, partial := namesInState(s, SnapshotFailed), namesInState(s, SnapshotPartial)
	switch {
	case len(s) == expected && len(namesInState(s, SnapshotSuccess)) == len(s):
		return StateCompleted, ""
	case len(failed) > 0 || len(partial) > 0:
		if len(failed) > 0 {
			return StateFailed, "There were failures with the following snapshots: " + strings.Join(failed, ", ")
		}
		return StateFailed, "Some of the snapshots are partial: " + strings.Join(partial, ", ")
	case len(namesInState(s, SnapshotIncompatible)) > 0:
		return StateIncompatible, ""
	case len(namesInState(s, SnapshotInProgress)) > 0:
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

func namesInState(s []Snapshot, state string) []string {
	var names []string
	for _, snap := range s {
		if snap.State == state {
			names = append(names, snap.Name)
		}
	}
	return names
}

// Group collects snapshots (of any backups, in any order) into backups: snapshots that belong
// to no backup are ignored, each group is derived as Derive does, and the backups are ordered
// newest first by the latest start time of their parts, then by id, descending.
func (d Derivation) Group(snapshots []Snapshot) []Backup {
	byID := map[ID][]Snapshot{}
	for _, s := range snapshots {
		if s.Metadata.BackupID <= 0 {
			continue
		}
		byID[s.Metadata.BackupID] = append(byID[s.Metadata.BackupID], s)
	}
	backups := make([]Backup, 0, len(byID))
	for id, group := range byID {
		backups = append(backups, d.Derive(id, group))
	}
	SortNewestFirst(backups)
	return backups
}

// SortNewestFirst orders backups newest first: by the latest start time of their parts
// (unknown times last), then by id, descending.
func SortNewestFirst(backups []Backup) {
	slices.SortFunc(backups, func(a, b Backup) int {
		if c := b.LatestStart().Compare(a.LatestStart()); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}
