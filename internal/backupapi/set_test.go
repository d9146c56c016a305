package backupapi

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSetComponents(t *testing.T) {
	for _, tc := range []struct {
		optimize, records bool
		want              []Component
	}{
		{false, false, []Component{ComponentWebapps, ComponentZeebe}},
		{true, true, []Component{ComponentWebapps, ComponentOptimize, ComponentZeebeRecords, ComponentZeebe}},
		{true, false, []Component{ComponentWebapps, ComponentOptimize, ComponentZeebe}},
	} {
		if got := SetComponents(tc.optimize, tc.records); !slices.Equal(got, tc.want) {
			t.Errorf("%v %v: %v", tc.optimize, tc.records, got)
		}
	}
	if ZeebeRecordsSnapshotName(9) != "camunda_zeebe_records_backup_9" {
		t.Fatal(ZeebeRecordsSnapshotName(9))
	}
}

func TestBackupSetRestorable(t *testing.T) {
	all := SetComponents(true, true)
	done := NewBackupSet(5, all)
	for _, c := range all {
		done = done.With(c, StateCompleted, "")
	}
	for _, tc := range []struct {
		name  string
		set   BackupSet
		ok    bool
		state State
		says  string
	}{
		{"every component completed", done, true, StateCompleted, ""},
		{"nothing taken yet", NewBackupSet(5, all), false, StateIncomplete, "webapps is DOES_NOT_EXIST"},
		{"optimize failed", done.With(ComponentOptimize, StateFailed, "disk"), false, StateFailed, "optimize is FAILED (disk)"},
		{"zeebe running", done.With(ComponentZeebe, StateInProgress, ""), false, StateInProgress, "zeebe is IN_PROGRESS"},
		{"zeebe incomplete", done.With(ComponentZeebe, StateIncomplete, ""), false, StateIncomplete, "zeebe is INCOMPLETE"},
		{"no zeebe in the set", BackupSet{ID: 5, Components: []ComponentBackup{{ComponentWebapps, StateCompleted, ""}}}, false, StateCompleted, "zeebe is not part of the set"},
		{"empty set", BackupSet{ID: 5}, false, StateIncomplete, "webapps is not part of the set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.set.Restorable()
			if (err == nil) != tc.ok || (err != nil && (!strings.Contains(err.Error(), tc.says) || !errors.Is(err, ErrInvalid))) {
				t.Fatalf("Restorable: %v, want ok=%v saying %q", err, tc.ok, tc.says)
			}
			if got := tc.set.State(); got != tc.state {
				t.Fatalf("State %s, want %s", got, tc.state)
			}
		})
	}
	if c, ok := done.Component(ComponentZeebe); !ok || c.State != StateCompleted {
		t.Fatal("Component")
	}
	if len(done.With("extra", StateCompleted, "").Components) != 5 || len(done.Components) != 4 {
		t.Fatal("With must copy and append")
	}
}

func TestValidateSetID(t *testing.T) {
	for _, tc := range []struct {
		id, latest ID
		kind       error
	}{{1, 0, nil}, {11, 10, nil}, {10, 10, ErrConflict}, {9, 10, ErrConflict}, {0, 0, ErrInvalid}, {-3, 0, ErrInvalid}} {
		err := ValidateSetID(tc.id, tc.latest)
		if (tc.kind == nil && err != nil) || (tc.kind != nil && !errors.Is(err, tc.kind)) {
			t.Errorf("ValidateSetID(%d, %d) = %v", tc.id, tc.latest, err)
		}
	}
}
