package provider

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// TestProgressLogsEachFinishedPartOnce: while a backup is waited for, each part is logged at
// info level once, when it has finished, with its outcome (TF_LOG=info shows them).
func TestProgressLogsEachFinishedPartOnce(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	part := func(i int, state string) backupapi.Snapshot {
		m := backupapi.Metadata{BackupID: 7, Version: "8.8.0", PartNo: i, PartCount: 3}
		return backupapi.Snapshot{Name: m.SnapshotName(), State: state, Metadata: m}
	}
	logged := map[string]bool{}
	polls := []backupapi.Backup{
		{ID: 7, State: backupapi.StateInProgress, Snapshots: []backupapi.Snapshot{part(1, "IN_PROGRESS")}},
		{ID: 7, State: backupapi.StateInProgress, Snapshots: []backupapi.Snapshot{part(1, "SUCCESS"), part(2, "STARTED")}},
		{ID: 7, State: backupapi.StateInProgress, Snapshots: []backupapi.Snapshot{part(1, "SUCCESS"), part(2, "SUCCESS")}},
		{ID: 7, State: backupapi.StateFailed, Snapshots: []backupapi.Snapshot{part(1, "SUCCESS"), part(2, "SUCCESS"), part(3, "FAILED")}},
	}
	for _, b := range polls {
		logFinishedParts(ctx, b, logged)
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e["@level"] != "info" || e["snapshot"] == nil {
			t.Errorf("log entry %v: want info with the snapshot's name", e)
		}
		got = append(got, e["@message"].(string))
	}
	want := []string{
		"backup 7: part 1 of 3 finished: SUCCESS",
		"backup 7: part 2 of 3 finished: SUCCESS",
		"backup 7: part 3 of 3 finished: FAILED",
	}
	if !slices.Equal(got, want) {
		t.Errorf("progress lines\n%q\nwant\n%q", got, want)
	}
}
