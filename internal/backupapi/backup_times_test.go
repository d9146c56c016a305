package backupapi

import (
	"testing"
	"time"
)

func TestBackupTimes(t *testing.T) {
	at := func(minute int) time.Time { return time.Date(2026, 12, 2, 12, minute, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name       string
		snapshots  []Snapshot
		start, end time.Time
	}{
		{"none", nil, time.Time{}, time.Time{}},
		{"unknown times", []Snapshot{{Name: "a"}}, time.Time{}, time.Time{}},
		{"parts out of order", []Snapshot{{StartTime: at(5), EndTime: at(9)}, {StartTime: at(1), EndTime: at(4)}}, at(1), at(9)},
		{"a running part", []Snapshot{{StartTime: at(1), EndTime: at(2)}, {StartTime: at(3)}}, at(1), at(2)},
	} {
		b := Backup{Snapshots: tc.snapshots}
		if got := b.EarliestStart(); !got.Equal(tc.start) {
			t.Errorf("%s: EarliestStart = %v, want %v", tc.name, got, tc.start)
		}
		if got := b.LatestEnd(); !got.Equal(tc.end) {
			t.Errorf("%s: LatestEnd = %v, want %v", tc.name, got, tc.end)
		}
	}
}
