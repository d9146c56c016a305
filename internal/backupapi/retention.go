package backupapi

import (
	"cmp"
	"slices"
	"time"
)

// Retention is a policy that decides which backups to delete once a new one has completed.
// A backup is kept when any rule keeps it:
//
//   - it is still running, or it is the newest restorable backup (never deleted, whatever the
//     policy says);
//   - KeepLast > 0 and it is one of the KeepLast newest restorable backups;
//   - KeepWithin > 0 and it started within KeepWithin before now (a backup whose start is
//     unknown is kept: its age cannot be shown to exceed the limit);
//   - it is not restorable and newer than the newest restorable backup (a failed attempt after
//     the last good backup is left for the operator to look at).
//
// Every other backup is deleted: restorable backups beyond the rules, and backups that are not
// restorable (FAILED, INCOMPLETE, INCOMPATIBLE, or a partial set) and older than the newest
// restorable one. "Newest" follows the backup id, which Camunda's documentation asks to grow
// with time. A policy with neither rule deletes nothing.
type Retention struct {
	KeepLast   int
	KeepWithin time.Duration
}

// Enabled reports whether the policy has a rule.
func (r Retention) Enabled() bool { return r.KeepLast > 0 || r.KeepWithin > 0 }

// RetentionCandidate is what the policy knows of one backup (or one backup set).
type RetentionCandidate struct {
	ID ID
	// Restorable is true for a backup that can be restored: COMPLETED, and for a set, every
	// component of it.
	Restorable bool
	// Running is true while the backup (any component of a set) is still being taken.
	Running bool
	// Start is when the backup started; zero when unknown.
	Start time.Time
}

// Prune returns the ids of the candidates the policy deletes, newest first. The ids in keep
// are never deleted (the backup just taken, for instance).
func (r Retention) Prune(candidates []RetentionCandidate, now time.Time, keep ...ID) []ID {
	if !r.Enabled() {
		return nil
	}
	sorted := slices.Clone(candidates)
	slices.SortFunc(sorted, func(a, b RetentionCandidate) int { return cmp.Compare(b.ID, a.ID) })

	newestRestorable := ID(-1)
	for _, c := range sorted {
		if c.Restorable && !c.Running {
			newestRestorable = c.ID
			break
		}
	}
	if newestRestorable < 0 {
		return nil // nothing restorable: deleting anything could leave no way back
	}
	var doomed []ID
	restorableSeen := 0
	for _, c := range sorted {
		kept := c.Running || c.ID == newestRestorable || slices.Contains(keep, c.ID) ||
			(r.KeepWithin > 0 && (c.Start.IsZero() || now.Sub(c.Start) <= r.KeepWithin))
		if c.Restorable && !c.Running {
			restorableSeen++
			kept = kept || (r.KeepLast > 0 && restorableSeen <= r.KeepLast)
		} else {
			kept = kept || c.ID > newestRestorable
		}
		if !kept {
			doomed = append(doomed, c.ID)
		}
	}
	return doomed
}
