package records_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// newClient is a records client on the emulator (or the Elasticsearch of ELASTICSEARCH_URL)
// with a repository and one zeebe-record index.
func newClient(t *testing.T, repository string) *records.Client {
	t.Helper()
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "records-test")
	b.CreateIndices(t, "zeebe-record_job_8.8.0_2026-01-01")
	c, err := records.New(records.Config{Repository: repository, ES: esclient.Config{
		Addresses: []string{b.URL}, Username: os.Getenv(conformance.EnvUsername), Password: os.Getenv(conformance.EnvPassword),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitForSuccess polls the snapshot of id until it is SUCCESS, within 30 seconds.
func waitForSuccess(t *testing.T, c *records.Client, id backupapi.ID) backupapi.Snapshot {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		s, err := c.Get(context.Background(), id)
		if err == nil && s.State == backupapi.SnapshotSuccess {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshot %s: %+v %v", id, s, err)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestRecordsLifecycle takes, reads, lists and deletes a zeebe-record snapshot; a second
// take of the id conflicts; deleting what is gone succeeds.
func TestRecordsLifecycle(t *testing.T) {
	c := newClient(t, "records-test")
	ctx := context.Background()
	if _, err := c.Get(ctx, 41); !errors.Is(err, backupapi.ErrNotFound) {
		t.Fatalf("Get before the take: %v, want ErrNotFound", err)
	}
	if err := c.Start(ctx, 41); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if s := waitForSuccess(t, c, 41); s.Name != "camunda_zeebe_records_backup_41" || s.StartTime.IsZero() || s.EndTime.IsZero() {
		t.Fatalf("snapshot %+v", s)
	}
	if err := c.Start(ctx, 41); !errors.Is(err, backupapi.ErrConflict) {
		t.Errorf("second Start: %v, want ErrConflict", err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "camunda_zeebe_records_backup_41" {
		t.Fatalf("List: %+v %v", list, err)
	}
	if err := c.Delete(ctx, 41); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := c.Delete(ctx, 41); err != nil {
		t.Errorf("Delete of what is gone: %v", err)
	}
	if _, err := c.Get(ctx, 41); !errors.Is(err, backupapi.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
}

// TestRecordsMissingRepository: every call on a repository that does not exist says so.
func TestRecordsMissingRepository(t *testing.T) {
	c := newClient(t, "nowhere")
	ctx := context.Background()
	if err := c.Start(ctx, 1); !errors.Is(err, backupapi.ErrRepositoryMissing) {
		t.Errorf("Start: %v, want ErrRepositoryMissing", err)
	}
	if _, err := c.List(ctx); !errors.Is(err, backupapi.ErrRepositoryMissing) {
		t.Errorf("List: %v, want ErrRepositoryMissing", err)
	}
	if err := c.Delete(ctx, 1); !errors.Is(err, backupapi.ErrRepositoryMissing) {
		t.Errorf("Delete: %v, want ErrRepositoryMissing", err)
	}
}

// TestRecordsIndexPrefix: the snapshot holds exactly the indices named after the exporter's
// index prefix, MatchingIndices lists them beforehand, and a prefix no index has matches
// nothing.
func TestRecordsIndexPrefix(t *testing.T) {
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "records-prefix")
	b.CreateIndices(t, "zeebe-record_job_8.8.0_2026-01-01", "prod-records_job_8.8.0_2026-01-01",
		"prod-records_process-instance_8.8.0_2026-01-01", "prod-recordsother", "operate-list-view-8.3.0_")
	clientOf := func(prefix string) *records.Client {
		c, err := records.New(records.Config{Repository: "records-prefix", IndexPrefix: prefix, ES: esclient.Config{
			Addresses: []string{b.URL}, Username: os.Getenv(conformance.EnvUsername), Password: os.Getenv(conformance.EnvPassword),
		}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	c := clientOf("prod-records")
	want := []string{"prod-records_job_8.8.0_2026-01-01", "prod-records_process-instance_8.8.0_2026-01-01"}
	names, err := c.MatchingIndices(ctx)
	slices.Sort(names)
	if err != nil || c.Indices() != "prod-records_*" || !slices.Equal(names, want) {
		t.Fatalf("indices %q of %s: %v, want %q", names, c.Indices(), err, want)
	}
	if err := c.Start(ctx, 7); err != nil {
		t.Fatalf("Start: %v", err)
	}
	waitForSuccess(t, c, 7)
	res, err := b.ES.Snapshot.Get("records-prefix", []string{"camunda_zeebe_records_backup_7"})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		Snapshots []struct {
			Indices []string `json:"indices"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || len(answer.Snapshots) != 1 {
		t.Fatalf("snapshot answer: %+v %v", answer, err)
	}
	got := answer.Snapshots[0].Indices
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the snapshot holds %q, want %q", got, want)
	}

	if s, err := c.Get(ctx, 7); err != nil || !slices.Equal(slices.Sorted(slices.Values(s.Indices)), want) {
		t.Errorf("Get lists indices %q (%v), want %q", s.Indices, err, want)
	}

	// A prefix no index has: none listed, and a snapshot taken all the same holds none,
	// which Get tells apart from an answer that lists no indices at all.
	staging := clientOf("staging")
	if names, err := staging.MatchingIndices(ctx); err != nil || len(names) != 0 {
		t.Errorf("a prefix no index has: %q %v, want none", names, err)
	}
	if err := staging.Start(ctx, 8); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if s := waitForSuccess(t, staging, 8); s.Indices == nil || len(s.Indices) != 0 {
		t.Errorf("indices of an empty snapshot: %#v, want an empty list", s.Indices)
	}
	for _, bad := range []string{"zeebe*", "Zeebe", "_records", "zeebe_record", "a,b"} {
		if _, err := records.New(records.Config{Repository: "r", IndexPrefix: bad, ES: esclient.Config{Addresses: []string{b.URL}}}); err == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
}
