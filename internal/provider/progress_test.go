package provider

import (
	"bytes"
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestProgressLogsTheIDAsWritten: the steps of a backup reach Terraform's log at info level
// with the backup id as the user wrote it (a number field was shown as 2.026123e+07).
func TestProgressLogsTheIDAsWritten(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	logProgress(ctx, 20261231)("backup 20261231: part 1 of 5 finished: SUCCESS")
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("log entries %v, want one", entries)
	}
	e := entries[0]
	if e["@level"] != "info" || e["@message"] != "backup 20261231: part 1 of 5 finished: SUCCESS" || e["backup_id"] != "20261231" {
		t.Errorf("log entry %v: want info, the message, and backup_id \"20261231\"", e)
	}
}
