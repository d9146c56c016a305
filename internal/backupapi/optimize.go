package backupapi

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// OptimizeSnapshotPrefix starts the name of every Optimize snapshot.
const OptimizeSnapshotPrefix = "camunda_optimize_"

// OptimizeParts is the number of snapshots of an Optimize backup: part 1 the import
// (position and progress) indices, part 2 every other Optimize index.
const OptimizeParts = 2

// OptimizeSnapshotName is the name of part (1 or 2) of Optimize backup id at version.
func OptimizeSnapshotName(id ID, version string, part int) string {
	return fmt.Sprintf("%s%d_%s_part_%d_of_%d", OptimizeSnapshotPrefix, int64(id), version, part, OptimizeParts)
}

// OptimizeSnapshotPattern matches every snapshot of Optimize backup id.
func OptimizeSnapshotPattern(id ID) string {
	return OptimizeSnapshotPrefix + id.String() + "_*"
}

var optimizeIDPattern = regexp.MustCompile(`^camunda_optimize_(\d+)_.*$`)

// ParseOptimizeSnapshotID returns the backup id of an Optimize snapshot name, as Optimize
// reads it; ok is false for any other name.
func ParseOptimizeSnapshotID(name string) (ID, bool) {
	m := optimizeIDPattern.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return ID(n), true
}

// OptimizeBackup is an Optimize backup: its two snapshots (Snapshot's Name, State,
// StartTime and Failures are used) and the state Optimize derives from them.
type OptimizeBackup struct {
	ID            ID
	FailureReason string
	State         State
	Details       []Snapshot
}

// OptimizeState is Optimize's rule, in order: exactly two snapshots in SUCCESS → COMPLETED;
// any FAILED or PARTIAL → FAILED (naming the FAILED ones); any INCOMPATIBLE →
// INCOMPATIBLE; any IN_PROGRESS → IN_PROGRESS; fewer than two successes → INCOMPLETE;
// anything else (more than two snapshots) → FAILED.
func OptimizeState(snapshots []Snapshot) (State, string) {
	var success int
	var failed, partial, incompatible, running bool
	var failedNames []string
	for _, s := range snapshots {
		switch s.State {
		case SnapshotSuccess:
			success++
		case SnapshotFailed:
			failed = true
			failedNames = append(failedNames, s.Name)
		case SnapshotPartial:
			partial = true
		case SnapshotIncompatible:
			incompatible = true
		case SnapshotInProgress, SnapshotStarted:
			running = true
		}
	}
	switch {
	case success == OptimizeParts && len(snapshots) == OptimizeParts:
		return StateCompleted, ""
	case failed || partial:
		return StateFailed, "The following snapshots failed: [" + strings.Join(failedNames, ", ") + "]"
	case incompatible:
		return StateIncompatible, ""
	case running:
		return StateInProgress, ""
	case success < OptimizeParts:
		return StateIncomplete, ""
	}
	return StateFailed, "The following snapshots failed: []"
}

// NewOptimizeBackup builds Optimize backup id from its snapshots.
func NewOptimizeBackup(id ID, snapshots []Snapshot) OptimizeBackup {
	state, reason := OptimizeState(snapshots)
	return OptimizeBackup{ID: id, FailureReason: reason, State: state, Details: snapshots}
}

// SnapshotNames returns the names of the backup's snapshots, part 1 first: the snapshots to
// restore.
func (b OptimizeBackup) SnapshotNames() []string {
	names := make([]string, len(b.Details))
	for i, s := range b.Details {
		names[i] = s.Name
	}
	return names
}

type optimizeJSON struct {
	BackupID      int64          `json:"backupId"`
	FailureReason *string        `json:"failureReason"`
	State         State          `json:"state"`
	Details       []snapshotJSON `json:"details"`
}

// MarshalJSON writes the backup as Optimize does: backupId, failureReason (null when none),
// state, details; each detail's startTime in the API's time layout, failures [] when none.
func (b OptimizeBackup) MarshalJSON() ([]byte, error) {
	w := optimizeJSON{BackupID: int64(b.ID), State: b.State, Details: make([]snapshotJSON, len(b.Details))}
	if b.FailureReason != "" {
		w.FailureReason = &b.FailureReason
	}
	for i, s := range b.Details {
		d := snapshotJSON{SnapshotName: s.Name, State: s.State, Failures: s.Failures}
		if d.Failures == nil {
			d.Failures = []string{}
		}
		if !s.StartTime.IsZero() {
			t := s.StartTime.Format(TimeLayout)
			d.StartTime = &t
		}
		w.Details[i] = d
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a backup in Optimize's form.
func (b *OptimizeBackup) UnmarshalJSON(data []byte) error {
	var w optimizeJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = OptimizeBackup{ID: ID(w.BackupID), State: w.State, Details: make([]Snapshot, len(w.Details))}
	if w.FailureReason != nil {
		b.FailureReason = *w.FailureReason
	}
	for i, d := range w.Details {
		s := Snapshot{Name: d.SnapshotName, State: d.State, Failures: d.Failures}
		if d.StartTime != nil {
			t, err := parseTime(*d.StartTime)
			if err != nil {
				return err
			}
			s.StartTime = t
		}
		b.Details[i] = s
	}
	return nil
}

// OptimizeErrorResponse is the body of Optimize's error answers.
type OptimizeErrorResponse struct {
	ErrorCode        string  `json:"errorCode"`
	ErrorMessage     string  `json:"errorMessage"`
	DetailedMessage  string  `json:"detailedMessage"`
	ReportDefinition *string `json:"reportDefinition"`
}

// The error codes of Optimize's error body.
const (
	OptimizeCodeBadRequest  = "badRequestError"
	OptimizeCodeServer      = "serverError"
	OptimizeCodeConflict    = "conflict"
	OptimizeCodeNotFound    = "notFoundError"
	OptimizeCodeElasticDown = "elasticsearchConnectionError"
)

// OptimizeScheduledMessage is the body of a 202 answer to an Optimize take: a hand-built
// string, with its space before the colon.
func OptimizeScheduledMessage(id ID) string {
	return fmt.Sprintf(`{"message" : "Backup creation for ID %d has been scheduled. Use the GET API to monitor completion of backup process"}`, int64(id))
}

// OptimizeAlreadyExists is the 409 of a take whose id has snapshots already.
func OptimizeAlreadyExists(id ID, snapshots []string) error {
	return newError(ErrConflict, nil, "A backup with ID [%d] already exists. Found snapshots: [%s]", int64(id), strings.Join(snapshots, ", "))
}

// OptimizeNotFound is the 404 of a GET of an id without snapshots.
func OptimizeNotFound(id ID) error {
	return newError(ErrNotFound, nil, "No Optimize backup with ID [%d] could be found.", int64(id))
}

// OptimizeNotConfigured is the 400 of a take when no repository name is configured.
func OptimizeNotConfigured() error {
	return newError(ErrNotConfigured, nil, "Cannot trigger backup because no Elasticsearch snapshot repository name found in Optimize configuration.")
}

// ValidateOptimizeID is Optimize's rule for a take: 0 is accepted, a negative id is not.
func ValidateOptimizeID(id ID) error {
	if id < 0 {
		return Invalidf("must be greater than or equal to 0")
	}
	return nil
}

// OptimizeBackups is Optimize's backup API (/actuator/backups on its management port).
// Take starts both snapshots (ErrConflict for a duplicate id; 0 is a valid id); Get of an
// unknown id is ErrNotFound (also right after Take, while the snapshots are not visible
// yet); List orders by id, descending (Optimize's own order is unspecified); Delete of an
// unknown id succeeds (Optimize only submits the delete).
type OptimizeBackups interface {
	Take(ctx context.Context, id ID) error
	Get(ctx context.Context, id ID) (OptimizeBackup, error)
	List(ctx context.Context) ([]OptimizeBackup, error)
	Delete(ctx context.Context, id ID) error
}
