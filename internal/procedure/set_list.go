package procedure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// SetInfo is what every component holds under one backup id.
type SetInfo struct {
	// Set is each component's state, in the procedure's order: the web applications,
	// Optimize (when configured), the zeebe-record snapshot (when asked for, or when one
	// exists under the id), Zeebe.
	Set backupapi.BackupSet
	// Restorable is true when every component of the set is COMPLETED (the zeebe-record
	// snapshot SUCCESS); Problem says why not otherwise.
	Restorable bool
	Problem    string
	// Running is true while any component is still being taken.
	Running bool
	// Start is the earliest start time any component reports (zero when none does).
	Start time.Time
	// The components' own views; nil when the component holds nothing under the id.
	Webapp   *backupapi.Backup
	Optimize *backupapi.OptimizeBackup
	Records  *backupapi.Snapshot
	Zeebe    *backupapi.RuntimeBackup
}

// SetList is every set any component knows, newest first.
type SetList struct {
	Sets []SetInfo
	// LatestRestorable is the id of the newest restorable set; 0 when none is.
	LatestRestorable backupapi.ID
}

// finish derives the set's state, restorability and start from the components' views.
func (s Set) finish(id backupapi.ID, records bool, info *SetInfo) {
	comps := s.components(records || info.Records != nil)
	info.Set = backupapi.NewBackupSet(id, comps)
	var starts []time.Time
	if b := info.Webapp; b != nil {
		info.Set = info.Set.With(backupapi.ComponentWebapps, b.State, b.FailureReason)
		starts = append(starts, b.EarliestStart())
	}
	if b := info.Optimize; b != nil && s.Optimize != nil {
		info.Set = info.Set.With(backupapi.ComponentOptimize, b.State, b.FailureReason)
		for _, d := range b.Details {
			starts = append(starts, d.StartTime)
		}
	}
	if r := info.Records; r != nil {
		info.Set = info.Set.With(backupapi.ComponentZeebeRecords, recordsState(r.State), recordsReason(*r))
		starts = append(starts, r.StartTime)
	}
	if z := info.Zeebe; z != nil {
		info.Set = info.Set.With(backupapi.ComponentZeebe, z.State, z.FailureReason)
		for _, p := range z.Details {
			starts = append(starts, p.CreatedAt)
		}
	}
	for _, t := range starts {
		if !t.IsZero() && (info.Start.IsZero() || t.Before(info.Start)) {
			info.Start = t
		}
	}
	for _, c := range info.Set.Components {
		info.Running = info.Running || c.State == backupapi.StateInProgress
	}
	if err := info.Set.Restorable(); err != nil {
		info.Problem = err.Error()
	} else {
		info.Restorable = true
	}
}

// Get returns what every component holds under id; records requires the zeebe-record
// snapshot of the set (it is part of the set anyway when it exists).
func (s Set) Get(ctx context.Context, id backupapi.ID, records bool) (SetInfo, error) {
	var info SetInfo
	web, err := s.Webapp.Client.Get(ctx, id)
	switch {
	case err == nil:
		info.Webapp = &web
	case !errors.Is(err, backupapi.ErrNotFound):
		return info, fmt.Errorf("web applications' backup %s: %w", id, err)
	}
	z, err := s.Zeebe.Get(ctx, id)
	switch {
	case err == nil:
		info.Zeebe = &z
	case !errors.Is(err, backupapi.ErrNotFound):
		return info, fmt.Errorf("the Zeebe backup %s: %w", id, err)
	}
	if s.Optimize != nil {
		o, err := s.Optimize.Get(ctx, id)
		switch {
		case err == nil:
			info.Optimize = &o
		case !errors.Is(err, backupapi.ErrNotFound):
			return info, fmt.Errorf("the Optimize backup %s: %w", id, err)
		}
	}
	if s.Records != nil {
		r, err := s.Records.Get(ctx, id)
		switch {
		case err == nil:
			info.Records = &r
		case !errors.Is(err, backupapi.ErrNotFound):
			return info, fmt.Errorf("zeebe-record snapshot %s: %w", id, err)
		}
	}
	s.finish(id, records, &info)
	return info, nil
}

// List returns every backup id seen in any component, newest (largest id) first, with each
// component's state; records requires the zeebe-record snapshot of every set.
func (s Set) List(ctx context.Context, records bool) (SetList, error) {
	byID := map[backupapi.ID]*SetInfo{}
	at := func(id backupapi.ID) *SetInfo {
		if byID[id] == nil {
			byID[id] = &SetInfo{}
		}
		return byID[id]
	}
	webs, err := s.Webapp.Client.List(ctx, backupapi.ListOptions{Verbose: true})
	if err != nil {
		return SetList{}, fmt.Errorf("listing the web applications' backups: %w", err)
	}
	for i := range webs {
		at(webs[i].ID).Webapp = &webs[i]
	}
	zs, err := s.Zeebe.List(ctx, "")
	if err != nil {
		return SetList{}, fmt.Errorf("listing Zeebe's backups: %w", err)
	}
	for i := range zs {
		at(zs[i].ID).Zeebe = &zs[i]
	}
	if s.Optimize != nil {
		os, err := s.Optimize.List(ctx)
		if err != nil {
			return SetList{}, fmt.Errorf("listing Optimize's backups: %w", err)
		}
		for i := range os {
			at(os[i].ID).Optimize = &os[i]
		}
	}
	if s.Records != nil {
		rs, err := s.Records.List(ctx)
		if err != nil {
			return SetList{}, fmt.Errorf("listing the zeebe-record snapshots: %w", err)
		}
		for i := range rs {
			if id, ok := ParseRecordsSnapshotID(rs[i].Name); ok {
				at(id).Records = &rs[i]
			}
		}
	}
	ids := make([]backupapi.ID, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b backupapi.ID) int { return cmp.Compare(b, a) })
	out := SetList{Sets: make([]SetInfo, 0, len(ids))}
	for _, id := range ids {
		info := byID[id]
		s.finish(id, records, info)
		if info.Restorable && out.LatestRestorable == 0 {
			out.LatestRestorable = id
		}
		out.Sets = append(out.Sets, *info)
	}
	return out, nil
}

// allIDs lists every backup id any component knows.
func (s Set) allIDs(ctx context.Context) ([]backupapi.ID, error) {
	list, err := s.List(ctx, false)
	if err != nil {
		return nil, err
	}
	ids := make([]backupapi.ID, len(list.Sets))
	for i, info := range list.Sets {
		ids[i] = info.Set.ID
	}
	return ids, nil
}

// deleteComponent deletes one component's backup of id (none is no error).
func (s Set) deleteComponent(ctx context.Context, id backupapi.ID, c backupapi.Component) error {
	switch c {
	case backupapi.ComponentWebapps:
		return s.Webapp.Delete(ctx, id)
	case backupapi.ComponentOptimize:
		if s.Optimize == nil {
			return nil
		}
		return s.Optimize.Delete(ctx, id)
	case backupapi.ComponentZeebeRecords:
		if s.Records == nil {
			return nil
		}
		return s.Records.Delete(ctx, id)
	case backupapi.ComponentZeebe:
		return s.Zeebe.Delete(ctx, id)
	}
	return fmt.Errorf("unknown component %q", c)
}

// DeleteSet deletes every component's backup of id, all of them even when one fails (the
// errors are joined). Zeebe keeps the id used: a later set needs a greater one.
func (s Set) DeleteSet(ctx context.Context, id backupapi.ID) error {
	var errs []error
	for _, c := range []backupapi.Component{backupapi.ComponentWebapps, backupapi.ComponentOptimize, backupapi.ComponentZeebeRecords, backupapi.ComponentZeebe} {
		if err := s.deleteComponent(ctx, id, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("deleting set %s: %w", id, errors.Join(errs...))
	}
	return nil
}

// Prune deletes the sets the policy does not keep (every component of a set together), never
// the ids in keep, the newest restorable set, or a set still running; partial sets older
// than the newest restorable one go too. It returns the ids deleted, newest first, and stops
// at the first set it cannot delete.
func (s Set) Prune(ctx context.Context, policy backupapi.Retention, records bool, progress Progress, keep ...backupapi.ID) ([]backupapi.ID, error) {
	if !policy.Enabled() {
		return nil, nil
	}
	list, err := s.List(ctx, records)
	if err != nil {
		return nil, fmt.Errorf("listing sets for retention: %w", err)
	}
	candidates := make([]backupapi.RetentionCandidate, len(list.Sets))
	for i, info := range list.Sets {
		candidates[i] = backupapi.RetentionCandidate{ID: info.Set.ID, Restorable: info.Restorable, Running: info.Running, Start: info.Start}
	}
	var deleted []backupapi.ID
	for _, id := range policy.Prune(candidates, s.Poll.Now(), keep...) {
		if err := s.DeleteSet(ctx, id); err != nil {
			return deleted, fmt.Errorf("retention: %w", err)
		}
		deleted = append(deleted, id)
		progress.say("retention: deleted set %s (every component's backup)", id)
	}
	return deleted, nil
}

// SetSnapshot is one Elasticsearch snapshot to restore.
type SetSnapshot struct {
	Component  backupapi.Component
	Repository string
	Name       string
}

// SetRestorePlan is what Camunda 8.8's restore procedure needs for one set.
type SetRestorePlan struct {
	ID backupapi.ID
	// Restorable is false when some component is not COMPLETED; Problem says which.
	Restorable bool
	Problem    string
	// CamundaVersion is the version in the web applications' snapshot names: the Camunda
	// version to restore with (empty when unknown). OptimizeVersion is Optimize's, and
	// BrokerVersion the version Zeebe's brokers wrote.
	CamundaVersion, OptimizeVersion, BrokerVersion string
	// Snapshots are every Elasticsearch snapshot to restore: web applications (in part
	// order), Optimize (part 1, part 2), zeebe-record.
	Snapshots []SetSnapshot
	// Partitions is Zeebe's partition count, which the restored cluster must have.
	Partitions int
	// ZeebeRestore is the command to run on every broker.
	ZeebeRestore string
	// Steps is the plan written out, in Camunda's order.
	Steps []string
}

// optimizeVersion reads the version out of an Optimize snapshot name,
// camunda_optimize_<id>_<version>_part_<n>_of_2.
func optimizeVersion(name string, id backupapi.ID) string {
	rest, ok := strings.CutPrefix(name, backupapi.OptimizeSnapshotPrefix+id.String()+"_")
	if !ok {
		return ""
	}
	v, _, ok := strings.Cut(rest, "_part_")
	if !ok {
		return ""
	}
	return v
}

// RestorePlan returns the plan to restore set id; records requires the zeebe-record snapshot.
// A set that is not restorable still gets a plan, with Restorable false.
func (s Set) RestorePlan(ctx context.Context, id backupapi.ID, records bool) (SetRestorePlan, error) {
	info, err := s.Get(ctx, id, records)
	if err != nil {
		return SetRestorePlan{}, err
	}
	return s.plan(info), nil
}

// plan writes the restore plan of a set.
func (s Set) plan(info SetInfo) SetRestorePlan {
	id := info.Set.ID
	p := SetRestorePlan{ID: id, Restorable: info.Restorable, Problem: info.Problem,
		ZeebeRestore: fmt.Sprintf("bin/restore --backupId=%s", id)}
	repo := cmp.Or(s.Repository, "<the web applications' snapshot repository>")
	if w := info.Webapp; w != nil {
		for _, snap := range w.Snapshots {
			p.Snapshots = append(p.Snapshots, SetSnapshot{Component: backupapi.ComponentWebapps, Repository: repo, Name: snap.Name})
			if p.CamundaVersion == "" {
				p.CamundaVersion = snap.Metadata.Version
			}
		}
	}
	if o := info.Optimize; o != nil {
		names := make([]string, 0, len(o.Details))
		for _, d := range o.Details {
			names = append(names, d.Name)
		}
		slices.Sort(names) // part_1_of_2 before part_2_of_2
		for _, n := range names {
			// Optimize is configured with its own repository name; Camunda's guides use the
			// same repository for every component, which is assumed here.
			p.Snapshots = append(p.Snapshots, SetSnapshot{Component: backupapi.ComponentOptimize, Repository: repo, Name: n})
			if p.OptimizeVersion == "" {
				p.OptimizeVersion = optimizeVersion(n, id)
			}
		}
	}
	if r := info.Records; r != nil && s.Records != nil {
		p.Snapshots = append(p.Snapshots, SetSnapshot{Component: backupapi.ComponentZeebeRecords, Repository: s.Records.Repository(), Name: r.Name})
	}
	if z := info.Zeebe; z != nil {
		p.Partitions = len(z.Details)
		for _, d := range z.Details {
			if d.BrokerVersion != "" {
				p.BrokerVersion = d.BrokerVersion
				break
			}
		}
	}
	version := cmp.Or(p.CamundaVersion, p.BrokerVersion, "<unknown>")
	records := backupapi.ZeebeRecordsIndices(backupapi.ZeebeRecordsIndexPrefix)
	if s.Records != nil {
		records = s.Records.Indices()
	}
	p.Steps = append(p.Steps,
		fmt.Sprintf("Start Camunda %s on an empty datastore once so that its index templates exist, then stop every component but Elasticsearch.", version),
		fmt.Sprintf("Delete the Camunda indices (operate-*, tasklist-*, camunda-*, optimize-*, %s).", records))
	for _, snap := range p.Snapshots {
		p.Steps = append(p.Steps, fmt.Sprintf("POST _snapshot/%s/%s/_restore?wait_for_completion=true", snap.Repository, snap.Name))
	}
	p.Steps = append(p.Steps,
		"Delete the data directories (PVCs) of every Zeebe broker.",
		fmt.Sprintf("On every broker, with the same node id, cluster size, replication factor and partition count (%d) as the backed-up cluster and the same backup store: %s",
			p.Partitions, p.ZeebeRestore),
		"Start every component normally.")
	return p
}
