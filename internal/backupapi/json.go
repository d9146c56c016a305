package backupapi

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is the format of times in the backup API: millisecond precision and a numeric
// UTC offset, e.g. 2023-01-01T10:10:10.100+0000.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// backupJSON is the wire form of a Backup in the backup HTTP API.
type backupJSON struct {
	BackupID      int64          `json:"backupId"`
	State         State          `json:"state"`
	FailureReason *string        `json:"failureReason"`
	Details       []snapshotJSON `json:"details"`
}

type snapshotJSON struct {
	SnapshotName string   `json:"snapshotName"`
	State        string   `json:"state"`
	StartTime    *string  `json:"startTime"`
	Failures     []string `json:"failures"`
}

// MarshalJSON writes the backup in the form of the backup HTTP API.
func (b Backup) MarshalJSON() ([]byte, error) {
	w := backupJSON{BackupID: int64(b.ID), State: b.State, Details: make([]snapshotJSON, len(b.Snapshots))}
	if b.FailureReason != "" {
		w.FailureReason = &b.FailureReason
	}
	for i, s := range b.Snapshots {
		d := snapshotJSON{SnapshotName: s.Name, State: s.State, Failures: s.Failures}
		if d.Failures == nil {
			d.Failures = []string{}
		}
		if !s.StartTime.IsZero() {
			t := s.StartTime.UTC().Format(TimeLayout)
			d.StartTime = &t
		}
		w.Details[i] = d
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the backup from the form of the backup HTTP API. Start times are read
// in TimeLayout or RFC 3339; the metadata of each snapshot comes from its name.
func (b *Backup) UnmarshalJSON(data []byte) error {
	var w backupJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := Backup{ID: ID(w.BackupID), State: w.State, Snapshots: make([]Snapshot, len(w.Details))}
	if w.FailureReason != nil {
		out.FailureReason = *w.FailureReason
	}
	for i, d := range w.Details {
		s := Snapshot{Name: d.SnapshotName, State: d.State, Failures: d.Failures}
		if d.StartTime != nil {
			t, err := parseTime(*d.StartTime)
			if err != nil {
				return fmt.Errorf("snapshot %s: %w", d.SnapshotName, err)
			}
			s.StartTime = t
		}
		s.Metadata, _ = ResolveMetadata(d.SnapshotName, nil)
		out.Snapshots[i] = s
	}
	*b = out
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{TimeLayout, time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("start time %q is in no known format", s)
}

// CreateResponse is the body of a successful create: the names of the scheduled snapshots.
type CreateResponse struct {
	ScheduledSnapshots []string `json:"scheduledSnapshots"`
}

// CreateRequest is the body of a create request.
type CreateRequest struct {
	BackupID ID `json:"backupId"`
}

// ErrorResponse is the body of every error response of the backup HTTP API.
type ErrorResponse struct {
	Message string `json:"message"`
}
