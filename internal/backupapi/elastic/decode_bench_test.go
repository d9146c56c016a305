package elastic

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// listAnswer is the filtered get-snapshots answer for backups finished 6-part backups.
func listAnswer(backups int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"snapshots":[`)
	for id := 1; id <= backups; id++ {
		for p := 1; p <= 6; p++ {
			if b.Len() > len(`{"snapshots":[`) {
				b.WriteByte(',')
			}
			m := backupapi.Metadata{BackupID: backupapi.ID(id), Version: "8.8.0", PartNo: p, PartCount: 6}
			fmt.Fprintf(&b, `{"snapshot":%q,"metadata":{"backupId":%d,"version":"8.8.0","partNo":%d,"partCount":6},`+
				`"state":"SUCCESS","start_time_in_millis":%d,"end_time_in_millis":%d}`,
				m.SnapshotName(), id, p, 1735689600000+int64(id*6+p)*1000, 1735689600120+int64(id*6+p)*1000)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkDecodeSnapshots decodes the answer of a list of 1,000 backups (6,000 snapshots).
func BenchmarkDecodeSnapshots(b *testing.B) {
	body := listAnswer(1000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		snaps, err := decodeSnapshots(body)
		if err != nil || len(snaps) != 6000 {
			b.Fatalf("%d parts, %v", len(snaps), err)
		}
	}
}
