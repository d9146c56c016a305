package backupapi

import (
	"fmt"
	"strings"
)

// Component is one part of a whole Camunda backup; all of them share one backup id.
type Component string

// The components of a whole backup, in the order Camunda 8.8's procedure takes them (with
// exporting soft-paused before the first and resumed after the last).
const (
	// ComponentWebapps: Operate and Tasklist, /actuator/backupHistory.
	ComponentWebapps Component = "webapps"
	// ComponentOptimize: Optimize's /actuator/backups (only when Optimize is deployed).
	ComponentOptimize Component = "optimize"
	// ComponentZeebeRecords: the snapshot of the legacy exporter's zeebe-record indices,
	// taken straight through Elasticsearch (only when that exporter is configured, in
	// practice when Optimize is deployed).
	ComponentZeebeRecords Component = "zeebe-records"
	// ComponentZeebe: Zeebe's runtime backup, /actuator/backupRuntime; always last.
	ComponentZeebe Component = "zeebe"
)

// SetComponents lists the components of a whole backup in the procedure's order: web apps,
// Optimize (if deployed), the zeebe-record snapshot (if the legacy exporter is configured),
// Zeebe.
func SetComponents(optimize, zeebeRecords bool) []Component {
	c := []Component{ComponentWebapps}
	if optimize {
		c = append(c, ComponentOptimize)
	}
	if zeebeRecords {
		c = append(c, ComponentZeebeRecords)
	}
	return append(c, ComponentZeebe)
}

// ZeebeRecordsIndexPrefix is the legacy Elasticsearch exporter's default index prefix (its
// index.prefix setting): the zeebe-record snapshot holds the indices named after it.
const ZeebeRecordsIndexPrefix = "zeebe-record"

// ZeebeRecordsIndices is the index expression of the zeebe-record snapshot for the legacy
// exporter's index prefix: its indices are named <prefix>_<value type>_<version>_<day>, so
// <prefix>_* holds them and no index of another product that shares the prefix.
func ZeebeRecordsIndices(prefix string) string { return prefix + "_*" }

// ZeebeRecordsSnapshotName is the Elasticsearch snapshot of the zeebe-record indices of
// backup id, as Camunda's procedure names it.
func ZeebeRecordsSnapshotName(id ID) string {
	return "camunda_zeebe_records_backup_" + id.String()
}

// ComponentBackup is the state of one component's backup in a set. A component whose
// backup was not found has State StateDoesNotExist.
type ComponentBackup struct {
	Component     Component
	State         State
	FailureReason string
}

// BackupSet is a whole backup: one id, and the state of that id's backup in each component
// the installation has (Components in the procedure's order).
type BackupSet struct {
	ID         ID
	Components []ComponentBackup
}

// NewBackupSet returns the set of id over the components, each not yet known
// (StateDoesNotExist).
func NewBackupSet(id ID, components []Component) BackupSet {
	s := BackupSet{ID: id, Components: make([]ComponentBackup, len(components))}
	for i, c := range components {
		s.Components[i] = ComponentBackup{Component: c, State: StateDoesNotExist}
	}
	return s
}

// With returns a copy of the set with the component's state (added when absent).
func (s BackupSet) With(c Component, state State, failureReason string) BackupSet {
	out := BackupSet{ID: s.ID, Components: append([]ComponentBackup(nil), s.Components...)}
	for i := range out.Components {
		if out.Components[i].Component == c {
			out.Components[i] = ComponentBackup{Component: c, State: state, FailureReason: failureReason}
			return out
		}
	}
	out.Components = append(out.Components, ComponentBackup{Component: c, State: state, FailureReason: failureReason})
	return out
}

// Component returns the state of c in the set; ok is false when c is not part of it.
func (s BackupSet) Component(c Component) (ComponentBackup, bool) {
	for _, b := range s.Components {
		if b.Component == c {
			return b, true
		}
	}
	return ComponentBackup{}, false
}

// Restorable reports whether the set can be restored: it holds the web apps and Zeebe
// (a cluster cannot be restored without either) and every component of the set is
// COMPLETED. Camunda restores every component from the same id; one missing or unfinished
// part makes the whole set unusable. The error names each component in the way.
func (s BackupSet) Restorable() error {
	var problems []string
	for _, must := range []Component{ComponentWebapps, ComponentZeebe} {
		if _, ok := s.Component(must); !ok {
			problems = append(problems, fmt.Sprintf("%s is not part of the set", must))
		}
	}
	for _, b := range s.Components {
		if b.State == StateCompleted {
			continue
		}
		p := fmt.Sprintf("%s is %s", b.Component, b.State)
		if b.FailureReason != "" {
			p += " (" + b.FailureReason + ")"
		}
		problems = append(problems, p)
	}
	if len(problems) == 0 {
		return nil
	}
	return newError(ErrInvalid, nil, "backup %d cannot be restored: %s", int64(s.ID), strings.Join(problems, "; "))
}

// State is the state of the whole set: FAILED when a component failed (or is
// INCOMPATIBLE), IN_PROGRESS while one runs, COMPLETED when all are completed, INCOMPLETE
// otherwise (a component missing or incomplete).
func (s BackupSet) State() State {
	var failed, running, other bool
	for _, b := range s.Components {
		switch b.State {
		case StateCompleted:
		case StateFailed, StateIncompatible:
			failed = true
		case StateInProgress:
			running = true
		default:
			other = true
		}
	}
	switch {
	case failed:
		return StateFailed
	case running:
		return StateInProgress
	case other || len(s.Components) == 0:
		return StateIncomplete
	}
	return StateCompleted
}

// ValidateSetID is the id rule of a whole backup: positive (the web apps and Zeebe refuse 0)
// and greater than Zeebe's latest checkpoint, which only grows (deleted and failed ids stay
// used). latest is 0 when no backup was ever taken.
func ValidateSetID(id, latestZeebeCheckpoint ID) error {
	if err := id.Validate(); err != nil {
		return err
	}
	if !AcceptsCheckpoint(latestZeebeCheckpoint, id) {
		return ZeebeAlreadyExists(id, latestZeebeCheckpoint)
	}
	return nil
}
