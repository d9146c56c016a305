package backupapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
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
func (b Backup) MarshalJSON() ([]byte, error) { return b.AppendJSON(nil), nil }

// AppendJSON appends the backup in the form of the backup HTTP API to dst: what encoding/json
// writes for its wire form, written without reflection, for lists of thousands of backups.
func (b Backup) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"backupId":`...)
	dst = strconv.AppendInt(dst, int64(b.ID), 10)
	dst = append(dst, `,"state":`...)
	dst = appendJSONString(dst, string(b.State))
	dst = append(dst, `,"failureReason":`...)
	if b.FailureReason == "" {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONString(dst, b.FailureReason)
	}
	dst = append(dst, `,"details":[`...)
	for i, s := range b.Snapshots {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"snapshotName":`...)
		dst = appendJSONString(dst, s.Name)
		dst = append(dst, `,"state":`...)
		dst = appendJSONString(dst, s.State)
		dst = append(dst, `,"startTime":`...)
		if s.StartTime.IsZero() {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '"')
			dst = appendTime(dst, s.StartTime)
			dst = append(dst, '"')
		}
		dst = append(dst, `,"failures":[`...)
		for j, f := range s.Failures {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, f)
		}
		dst = append(dst, "]}"...)
	}
	return append(dst, "]}"...)
}

// appendTime appends t in UTC in TimeLayout. Years 0 to 9999 are written digit by digit, which
// is several times faster than AppendFormat; others take AppendFormat.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, TimeLayout)
	}
	hour, minute, second := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, second, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond()/int(time.Millisecond), 3)
	return append(dst, "+0000"...)
}

// appendDigits appends the non-negative n in exactly width decimal digits.
func appendDigits(dst []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		dst = append(dst, 0)
	}
	for i := len(dst) - 1; i >= len(dst)-width; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
	return dst
}

// appendJSONString appends s as a JSON string, escaped as encoding/json escapes it.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(dst, quoted...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
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
