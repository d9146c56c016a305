package backupapi

import "time"

// EarliestStart is when the backup's first part started (zero when no start time is known).
func (b Backup) EarliestStart() time.Time {
	var t time.Time
	for _, s := range b.Snapshots {
		if !s.StartTime.IsZero() && (t.IsZero() || s.StartTime.Before(t)) {
			t = s.StartTime
		}
	}
	return t
}

// LatestEnd is when the backup's last part ended (zero when no end time is known).
func (b Backup) LatestEnd() time.Time {
	var t time.Time
	for _, s := range b.Snapshots {
		if s.EndTime.After(t) {
			t = s.EndTime
		}
	}
	return t
}
