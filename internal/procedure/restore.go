package procedure

import (
	"context"
	"fmt"
	"strings"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Restorer is what a restore of the web applications needs of Elasticsearch. The
// Elasticsearch driver implements it; every call acts on the names it is given only.
type Restorer interface {
	Get(ctx context.Context, id backupapi.ID) (backupapi.Backup, error)
	SnapshotIndices(ctx context.Context, snapshot string) ([]backupapi.SnapshotIndex, error)
	DeleteIndices(ctx context.Context, names []string) error
	RestoreSnapshot(ctx context.Context, snapshot string) error
	IndexStatuses(ctx context.Context, names []string) (map[string]backupapi.IndexStatus, error)
	// FindSnapshots returns the names of the successful snapshots matching the patterns,
	// sorted.
	FindSnapshots(ctx context.Context, patterns ...string) ([]string, error)
}

// RestoreOptions tune PlanRestore.
type RestoreOptions struct {
	// Version is the web-application version the backup must have been taken by ("": any).
	Version string
	// WholeSet also restores the other Elasticsearch snapshots of a whole Camunda backup under
	// the id, after the web applications' parts: Optimize's two parts (part 1 first) and the
	// zeebe-record snapshot, those that exist.
	WholeSet bool
}

// RestorePart is one part of a backup to restore: its snapshot and the indices it holds,
// which the restore removes first and brings back.
type RestorePart struct {
	Snapshot string
	Indices  []backupapi.SnapshotIndex
}

// IndexNames are the names of the part's indices.
func (p RestorePart) IndexNames() []string {
	names := make([]string, len(p.Indices))
	for i, ix := range p.Indices {
		names[i] = ix.Name
	}
	return names
}

// RestorePlan is what restoring one backup does, part by part, in order.
type RestorePlan struct {
	ID    backupapi.ID
	Parts []RestorePart
}

// Deletes lists, per part, the indices the restore removes before restoring them.
func (p RestorePlan) Deletes() string {
	var b strings.Builder
	for i, part := range p.Parts {
		fmt.Fprintf(&b, "part %d (%s): %s\n", i+1, part.Snapshot, strings.Join(part.IndexNames(), ", "))
	}
	return b.String()
}

// PlanRestore checks that backup id can be restored here (COMPLETED, taken by the configured
// version of Camunda) and reads which indices each of its parts (and, for a whole set, each of
// the other snapshots) holds.
func PlanRestore(ctx context.Context, r Restorer, id backupapi.ID, opts RestoreOptions) (RestorePlan, error) {
	version := opts.Version
	plan := RestorePlan{ID: id}
	b, err := r.Get(ctx, id)
	if err != nil {
		return plan, fmt.Errorf("reading backup %s: %w", id, err)
	}
	if b.State != backupapi.StateCompleted {
		return plan, backupapi.Invalidf("backup %s is %s, not COMPLETED: it cannot be restored", id, b.State)
	}
	for _, s := range b.Snapshots {
		if v := s.Metadata.Version; version != "" && !strings.EqualFold(v, version) {
			return plan, backupapi.Invalidf("backup %s was taken by Camunda %s, but the provider is configured for %s: restore it "+
				"with the web applications of the version that took it (set the elasticsearch block's version to %s to go on)", id, v, version, v)
		}
	}
	snapshots := b.SnapshotNames()
	if opts.WholeSet {
		// Optimize's part names sort in part order; the zeebe-record snapshot is one.
		others, err := r.FindSnapshots(ctx, backupapi.OptimizeSnapshotPattern(id), backupapi.ZeebeRecordsSnapshotName(id))
		if err != nil {
			return plan, fmt.Errorf("finding the other snapshots of backup %s: %w", id, err)
		}
		snapshots = append(snapshots, others...)
	}
	for _, name := range snapshots {
		indices, err := r.SnapshotIndices(ctx, name)
		if err != nil {
			return plan, fmt.Errorf("reading the indices of %s: %w", name, err)
		}
		plan.Parts = append(plan.Parts, RestorePart{Snapshot: name, Indices: indices})
	}
	return plan, nil
}

// RestoredPart is one part restored and checked.
type RestoredPart struct {
	Snapshot string
	Indices  []backupapi.IndexStatus
}

// RestoreReport says what a restore did: the parts restored and checked, in order, and the
// snapshots not restored.
type RestoreReport struct {
	Restored    []RestoredPart
	NotRestored []string
}

// RestoreError is a restore that stopped at a part.
type RestoreError struct {
	Part   string
	Report RestoreReport
	Err    error
}

// Error names the part, the reason, and what was and was not restored.
func (e *RestoreError) Error() string {
	done := make([]string, len(e.Report.Restored))
	for i, p := range e.Report.Restored {
		done[i] = p.Snapshot
	}
	return fmt.Sprintf("restoring %s: %v\nrestored: %s\nnot restored: %s", e.Part, e.Err, orNone(done), orNone(e.Report.NotRestored))
}

// Unwrap returns the reason.
func (e *RestoreError) Unwrap() error { return e.Err }

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Restore carries out the plan, one part after another: it removes the part's indices (those
// only: other indices are never touched), restores the part with its aliases, waits until its
// shards are recovered, and checks each index (present, open, as many primary shards as the
// snapshot holds). It stops at the first failure, with what was restored so far and what was
// not.
//
// Elasticsearch's snapshot API reports no document counts, so the check cannot compare them
// with the snapshot; each restored index's document count is reported instead.
func Restore(ctx context.Context, r Restorer, plan RestorePlan, progress Progress) (RestoreReport, error) {
	var report RestoreReport
	for i, part := range plan.Parts {
		fail := func(err error) (RestoreReport, error) {
			for _, rest := range plan.Parts[i:] {
				report.NotRestored = append(report.NotRestored, rest.Snapshot)
			}
			return report, &RestoreError{Part: part.Snapshot, Report: report, Err: err}
		}
		names := part.IndexNames()
		if err := r.DeleteIndices(ctx, names); err != nil {
			return fail(fmt.Errorf("removing its indices: %w", err))
		}
		if err := r.RestoreSnapshot(ctx, part.Snapshot); err != nil {
			return fail(err)
		}
		statuses, err := r.IndexStatuses(ctx, names)
		if err != nil {
			return fail(fmt.Errorf("checking the restored indices: %w", err))
		}
		restored := RestoredPart{Snapshot: part.Snapshot}
		var docs int64
		for _, ix := range part.Indices {
			st, ok := statuses[ix.Name]
			switch {
			case !ok:
				return fail(fmt.Errorf("index %s is missing after the restore", ix.Name))
			case !st.Open:
				return fail(fmt.Errorf("index %s is closed after the restore", ix.Name))
			case ix.Shards > 0 && st.Shards != ix.Shards:
				return fail(fmt.Errorf("index %s has %d primary shards after the restore, the snapshot holds %d", ix.Name, st.Shards, ix.Shards))
			}
			docs += max(st.Documents, 0)
			restored.Indices = append(restored.Indices, st)
		}
		report.Restored = append(report.Restored, restored)
		progress.say("backup %s: part %d of %d restored: %s (%d indices, %d documents)", plan.ID, i+1, len(plan.Parts), part.Snapshot, len(names), docs)
	}
	return report, nil
}
