package procedure

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// fakeRestorer holds one backup and records what a restore does.
type fakeRestorer struct {
	backup   backupapi.Backup
	indices  map[string][]backupapi.SnapshotIndex
	present  map[string]backupapi.IndexStatus
	failOn   string
	calls    []string
	restored []string
}

func (f *fakeRestorer) Get(_ context.Context, id backupapi.ID) (backupapi.Backup, error) {
	if id != f.backup.ID {
		return backupapi.Backup{}, backupapi.NotFound(id)
	}
	return f.backup, nil
}

func (f *fakeRestorer) SnapshotIndices(_ context.Context, snapshot string) ([]backupapi.SnapshotIndex, error) {
	return f.indices[snapshot], nil
}

func (f *fakeRestorer) DeleteIndices(_ context.Context, names []string) error {
	f.calls = append(f.calls, "delete "+strings.Join(names, ","))
	for _, n := range names {
		delete(f.present, n)
	}
	return nil
}

func (f *fakeRestorer) RestoreSnapshot(_ context.Context, snapshot string) error {
	f.calls = append(f.calls, "restore "+snapshot)
	if snapshot == f.failOn {
		return errors.New("injected")
	}
	for _, ix := range f.indices[snapshot] {
		f.present[ix.Name] = backupapi.IndexStatus{Name: ix.Name, Open: true, Shards: ix.Shards, Documents: 4}
	}
	f.restored = append(f.restored, snapshot)
	return nil
}

func (f *fakeRestorer) FindSnapshots(_ context.Context, patterns ...string) ([]string, error) {
	var out []string
	for name := range f.indices {
		for _, p := range patterns {
			if prefix, ok := strings.CutSuffix(p, "*"); (ok && strings.HasPrefix(name, prefix)) || name == p {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeRestorer) IndexStatuses(_ context.Context, names []string) (map[string]backupapi.IndexStatus, error) {
	out := map[string]backupapi.IndexStatus{}
	for _, n := range names {
		if st, ok := f.present[n]; ok {
			out[n] = st
		}
	}
	return out, nil
}

func newFakeRestorer(state backupapi.State, version string) *fakeRestorer {
	f := &fakeRestorer{backup: backupapi.Backup{ID: 9, State: state}, indices: map[string][]backupapi.SnapshotIndex{}, present: map[string]backupapi.IndexStatus{}}
	for no := 1; no <= 3; no++ {
		m := backupapi.Metadata{BackupID: 9, Version: version, PartNo: no, PartCount: 3}
		f.backup.Snapshots = append(f.backup.Snapshots, backupapi.Snapshot{Name: m.SnapshotName(), State: backupapi.SnapshotSuccess, Metadata: m})
		f.indices[m.SnapshotName()] = []backupapi.SnapshotIndex{{Name: "index-" + string(rune('a'+no)), Shards: 1}}
	}
	return f
}

func TestPlanRestoreRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       *fakeRestorer
		version string
		want    string
	}{
		{"not completed", newFakeRestorer(backupapi.StateIncomplete, "8.8.0"), "8.8.0", "is INCOMPLETE, not COMPLETED"},
		{"another version", newFakeRestorer(backupapi.StateCompleted, "8.7.2"), "8.8.0", "taken by Camunda 8.7.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanRestore(context.Background(), tc.r, 9, RestoreOptions{Version: tc.version})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PlanRestore = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestRestoreOrderAndStop(t *testing.T) {
	f := newFakeRestorer(backupapi.StateCompleted, "8.8.0")
	plan, err := PlanRestore(context.Background(), f, 9, RestoreOptions{Version: "8.8.0"})
	if err != nil {
		t.Fatal(err)
	}
	f.failOn = plan.Parts[1].Snapshot
	report, err := Restore(context.Background(), f, plan, nil)
	var stopped *RestoreError
	if !errors.As(err, &stopped) {
		t.Fatalf("Restore = %v, want a RestoreError", err)
	}
	want := []string{"delete index-b", "restore " + plan.Parts[0].Snapshot, "delete index-c", "restore " + plan.Parts[1].Snapshot}
	if strings.Join(f.calls, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q: each part's indices removed, then the part restored, in order, stopping at the failure", f.calls, want)
	}
	if len(report.Restored) != 1 || len(report.NotRestored) != 2 {
		t.Errorf("report %+v, want 1 part restored and 2 not", report)
	}
}

func TestPlanRestoreOfAWholeSet(t *testing.T) {
	f := newFakeRestorer(backupapi.StateCompleted, "8.8.0")
	for _, name := range []string{backupapi.OptimizeSnapshotName(9, "8.8.0", 2), backupapi.OptimizeSnapshotName(9, "8.8.0", 1),
		backupapi.ZeebeRecordsSnapshotName(9), backupapi.OptimizeSnapshotName(19, "8.8.0", 1)} {
		f.indices[name] = []backupapi.SnapshotIndex{{Name: "of-" + name, Shards: 1}}
	}
	webapps, err := PlanRestore(context.Background(), f, 9, RestoreOptions{})
	if err != nil || len(webapps.Parts) != 3 {
		t.Fatalf("web apps only: %d parts, %v; want the 3 web-app parts", len(webapps.Parts), err)
	}
	set, err := PlanRestore(context.Background(), f, 9, RestoreOptions{WholeSet: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range set.Parts[3:] {
		names = append(names, p.Snapshot)
	}
	want := []string{"camunda_optimize_9_8.8.0_part_1_of_2", "camunda_optimize_9_8.8.0_part_2_of_2", "camunda_zeebe_records_backup_9"}
	if !slices.Equal(names, want) {
		t.Errorf("the whole set adds %v, want %v (Optimize's parts in order, then zeebe-record, nothing of backup 19)", names, want)
	}
}
