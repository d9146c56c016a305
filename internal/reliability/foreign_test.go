package reliability

import (
	"errors"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// foreignSnapshots share the backup repository without being parts of any backup: another
// product's, names that start like backup 1's or look like a part of backup 1x, a nightly.
var foreignSnapshots = []string{
	"camunda_optimize_1_8.8.0_part_1_of_2",
	"camunda_webapps_1_notapart",
	"camunda_webapps_1x_8.8.0_part_1_of_1",
	"nightly-2026.11.25",
}

// otherRepo holds a real-looking part of backup 1 that belongs to another installation.
const otherRepo = "other-installation"

// TestForeignDataUntouched lets backup 1 share its repository with foreign snapshots, and
// another repository hold a part of a backup 1 too: list shows only the real backup, get
// reads only its parts, and delete removes exactly them, through both drivers.
func TestForeignDataUntouched(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		client func(t *testing.T, d *elastic.Client) backupapi.Client
	}{
		{"elasticsearch", func(_ *testing.T, d *elastic.Client) backupapi.Client { return d }},
		{"actuator", func(t *testing.T, d *elastic.Client) backupapi.Client {
			hs := httptest.NewServer(server.NewHandler(server.Options{Backups: d}))
			t.Cleanup(hs.Close)
			c, err := actuator.New(actuator.Config{URL: hs.URL})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t)
			s.be.CreateIndices(t, "optimize-report")
			for _, name := range foreignSnapshots {
				s.be.Snapshot(t, repo, name, "optimize-report")
			}
			s.be.CreateRepository(t, otherRepo)
			s.be.SnapshotPart(t, otherRepo, backupapi.Metadata{BackupID: 1, Version: "8.8.0", PartNo: 1, PartCount: 1}, "*")
			otherBefore := s.be.SnapshotNames(t, otherRepo)
			c := tc.client(t, s.driver)

			names, err := c.Create(t.Context(), 1)
			if err != nil {
				t.Fatalf("create backup 1 beside foreign snapshots: %v", err)
			}
			b := conformance.WaitForState(t, c, 1, backupapi.StateCompleted, backupapi.StateFailed, backupapi.StateIncomplete)
			if b.State != backupapi.StateCompleted || !slices.Equal(b.SnapshotNames(), names) {
				t.Fatalf("backup 1 is %s with %v, want COMPLETED with exactly %v", b.State, b.SnapshotNames(), names)
			}
			list, err := c.List(t.Context(), backupapi.ListOptions{Verbose: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != 1 || !slices.Equal(list[0].SnapshotNames(), names) {
				t.Errorf("list shows %d backups (%v), want backup 1 with exactly %v", len(list), list, names)
			}

			if err := c.Delete(t.Context(), 1); err != nil {
				t.Fatalf("delete backup 1: %v", err)
			}
			waitFor(t, "backup 1 to be gone", func() bool {
				_, err := c.Get(t.Context(), 1)
				return errors.Is(err, backupapi.ErrNotFound)
			})
			want := slices.Sorted(slices.Values(foreignSnapshots))
			if got := s.be.SnapshotNames(t, repo); !slices.Equal(got, want) {
				t.Errorf("after deleting backup 1 the repository holds %v, want the foreign snapshots %v", got, want)
			}
			if got := s.be.SnapshotNames(t, otherRepo); !slices.Equal(got, otherBefore) {
				t.Errorf("deleting backup 1 changed repository %s: %v, was %v", otherRepo, got, otherBefore)
			}
		})
	}
}
