package backupapi

import (
	"slices"
	"testing"
	"time"
)

func TestRetentionPrune(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	done := func(id ID, age time.Duration) RetentionCandidate {
		return RetentionCandidate{ID: id, Restorable: true, Start: ago(age)}
	}
	broken := func(id ID, age time.Duration) RetentionCandidate {
		return RetentionCandidate{ID: id, Start: ago(age)}
	}
	running := func(id ID) RetentionCandidate {
		return RetentionCandidate{ID: id, Running: true, Start: ago(time.Minute)}
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name       string
		policy     Retention
		candidates []RetentionCandidate
		keep       []ID
		want       []ID
	}{
		{"no rule deletes nothing", Retention{}, []RetentionCandidate{done(1, 9*day), done(2, day)}, nil, nil},
		{"keep last two", Retention{KeepLast: 2},
			[]RetentionCandidate{done(1, 4*day), done(2, 3*day), done(3, 2*day), done(4, day)}, nil, []ID{2, 1}},
		{"keep last counts restorable backups only", Retention{KeepLast: 2},
			[]RetentionCandidate{done(1, 4*day), broken(2, 3*day), done(3, 2*day), done(4, day)}, nil, []ID{2, 1}},
		{"broken backups newer than the newest restorable stay", Retention{KeepLast: 1},
			[]RetentionCandidate{done(1, 4*day), done(2, 3*day), broken(3, day)}, nil, []ID{1}},
		{"running backups stay", Retention{KeepLast: 1},
			[]RetentionCandidate{running(1), done(2, 3*day), done(3, day)}, nil, []ID{2}},
		{"keep within a week", Retention{KeepWithin: 7 * day},
			[]RetentionCandidate{done(1, 30*day), done(2, 8*day), done(3, 6*day), done(4, day)}, nil, []ID{2, 1}},
		{"the newest restorable backup stays even when old", Retention{KeepWithin: day},
			[]RetentionCandidate{done(1, 30*day), done(2, 20*day), broken(3, 2*day)}, nil, []ID{1}},
		{"unknown start is kept by the age rule", Retention{KeepWithin: day},
			[]RetentionCandidate{{ID: 1, Restorable: true}, done(2, 3*day), done(3, 2*day)}, nil, []ID{2}},
		{"either rule keeps", Retention{KeepLast: 1, KeepWithin: 3 * day},
			[]RetentionCandidate{done(1, 9*day), done(2, 2*day), done(3, day)}, nil, []ID{1}},
		{"old broken backups go with the age rule too", Retention{KeepWithin: 3 * day},
			[]RetentionCandidate{broken(1, 9*day), broken(2, day), done(3, time.Hour)}, nil, []ID{1}},
		{"nothing restorable deletes nothing", Retention{KeepLast: 1},
			[]RetentionCandidate{broken(1, 9*day), broken(2, day)}, nil, nil},
		{"ids in keep are never deleted", Retention{KeepLast: 1},
			[]RetentionCandidate{done(1, 4*day), done(9, day)}, []ID{1}, nil},
		{"order of the input does not matter", Retention{KeepLast: 1},
			[]RetentionCandidate{done(4, day), done(2, 3*day), done(3, 2*day)}, nil, []ID{3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.policy.Prune(tc.candidates, now, tc.keep...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Prune = %v, want %v", got, tc.want)
			}
		})
	}
}
