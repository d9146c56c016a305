package elastic

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// snapshotsAnswer is the answer of a get-snapshots call, as far as the driver reads it.
type snapshotsAnswer struct {
	Snapshots []snapshotInfo `json:"snapshots"`
}

// snapshotInfo is the part of Elasticsearch's SnapshotInfo the driver reads.
type snapshotInfo struct {
	Snapshot          string          `json:"snapshot"`
	State             string          `json:"state"`
	StartTimeInMillis int64           `json:"start_time_in_millis"`
	EndTimeInMillis   int64           `json:"end_time_in_millis"`
	Metadata          *storedMetadata `json:"metadata"`
	Failures          []struct {
		Reason string `json:"reason"`
	} `json:"failures"`
}

// storedMetadata is the metadata stored with a snapshot, read as the map Elasticsearch
// keeps it: keys match exactly, a value of another type than the one expected means the
// key is not usable (the name decides then), and every number in it must be a float64.
type storedMetadata struct {
	BackupID  metadataNumber `json:"backupId,case:strict"`
	Version   metadataString `json:"version,case:strict"`
	PartNo    metadataNumber `json:"partNo,case:strict"`
	PartCount metadataNumber `json:"partCount,case:strict"`
	// Other holds the other keys, whose values are checked as any metadata value is.
	Other map[string]metadataValue `json:",unknown"`
}

// jsonOptions are encoding/json's (v1) semantics: keys of the snapshots match without regard
// to case, a repeated key merges into what came before it, null leaves a value as it is,
// and invalid UTF-8 becomes U+FFFD.
//
// Errors are reported as json v2 reports them, at the first fault: v1 validates the whole
// input in a pass of its own before it decodes, and an answer with a fault is refused
// whichever fault is named.
var jsonOptions = json.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false))

// decodeSnapshots reads the answer of a get-snapshots call (data, the whole body): the
// backup parts among its snapshots, in the order given; snapshots of no backup are left out.
//
// It reads the answer as encoding/json reads it into a struct whose metadata is a
// map[string]any, and the tests hold it to that: keys of snapshots match case-insensitively,
// metadata keys exactly, a repeated key merges into what came before it, invalid UTF-8
// becomes U+FFFD; a value of the wrong type is an error, as are nesting deeper than 10,000
// and metadata numbers out of float64's range; anything after the answer's value is not
// read.
func decodeSnapshots(data []byte) ([]backupapi.Snapshot, error) {
	var answer snapshotsAnswer
	// A bytes.Buffer is parsed in place, without copying it into the decoder's buffer.
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), jsonOptions)
	if err := json.UnmarshalDecode(dec, &answer, jsonOptions); err != nil {
		return nil, err
	}
	out := make([]backupapi.Snapshot, 0, len(answer.Snapshots))
	for i := range answer.Snapshots {
		if s, ok := answer.Snapshots[i].part(); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// part converts the snapshot into a backup part; ok is false for a snapshot that is part of
// no backup (another product's, or a name and metadata that do not make one).
func (si *snapshotInfo) part() (backupapi.Snapshot, bool) {
	var stored backupapi.StoredMetadata
	if m := si.Metadata; m != nil {
		stored = backupapi.StoredMetadata{
			Version:  m.Version.value,
			BackupID: m.BackupID.value, HasBackupID: m.BackupID.ok,
			PartNo: m.PartNo.value, HasPartNo: m.PartNo.ok,
			PartCount: m.PartCount.value, HasPartCount: m.PartCount.ok,
		}
	}
	m, ok := backupapi.ResolveStoredMetadata(si.Snapshot, stored)
	if !ok {
		return backupapi.Snapshot{}, false
	}
	failures := make([]string, len(si.Failures))
	for i, f := range si.Failures {
		failures[i] = f.Reason
	}
	return backupapi.Snapshot{
		Name:      si.Snapshot,
		State:     si.State,
		StartTime: millis(si.StartTimeInMillis),
		EndTime:   millis(si.EndTimeInMillis),
		Metadata:  m,
		Failures:  failures,
	}, true
}

// metadataNumber is a metadata value where a number is expected; ok is false for a value of
// any other type.
type metadataNumber struct {
	value float64
	ok    bool
}

// UnmarshalJSONFrom reads the value.
func (n *metadataNumber) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() != '0' {
		*n = metadataNumber{}
		return checkValue(v)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return fmt.Errorf("metadata number %s: %w", v, err)
	}
	*n = metadataNumber{value: f, ok: true}
	return nil
}

// metadataString is a metadata value where a string is expected; a value of any other type
// reads as "".
type metadataString struct{ value string }

// UnmarshalJSONFrom reads the value.
func (s *metadataString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == '"' {
		// The token is unquoted by the decoder, with its options (invalid UTF-8 becomes
		// U+FFFD), without a second pass over the value.
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s.value = tok.String()
		return nil
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*s = metadataString{}
	return checkValue(v)
}

// metadataValue is a metadata value the driver does not use; it is checked all the same.
type metadataValue struct{}

// UnmarshalJSONFrom reads and checks the value.
func (metadataValue) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return checkValue(v)
}

// checkValue reports a value that encoding/json could not keep in a map[string]any: one
// with a number out of float64's range. Strings, literals and null are always fine.
func checkValue(v jsontext.Value) error {
	switch v.Kind() {
	case '0', '[', '{':
		var x any
		return json.Unmarshal(v, &x, jsonOptions)
	}
	return nil
}
