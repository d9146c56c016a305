package elastic_test

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// TestBackupThenRestoreEveryDocument backs up a Camunda 8.8 data set with archived indices,
// deletes the indices, restores the parts in order with the standard restore API, and finds
// every document back.
func TestBackupThenRestoreEveryDocument(t *testing.T) {
	const docs = 25
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "repo")
	indices := b.SeedCamunda(t, backupapi.Camunda88, "prod", docs, true)
	c := newClient(t, b.Config("repo", "prod"))
	if _, err := c.Create(t.Context(), 2025); err != nil {
		t.Fatal(err)
	}
	backup := conformance.WaitForState(t, c, 2025, backupapi.StateCompleted)
	if len(backup.Snapshots) != 7 {
		t.Fatalf("%d parts, want 7", len(backup.Snapshots))
	}

	b.DeleteIndices(t, indices...)
	for _, name := range backup.SnapshotNames() {
		res, err := b.ES.Snapshot.Restore("repo", name,
			b.ES.Snapshot.Restore.WithWaitForCompletion(true),
			b.ES.Snapshot.Restore.WithBody(strings.NewReader(`{"include_global_state":false}`)))
		if err != nil {
			t.Fatalf("restore %s: %v", name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.IsError() {
			t.Fatalf("restore %s: %s %s", name, res.Status(), body)
		}
	}
	for _, index := range indices {
		res, err := b.ES.Count(b.ES.Count.WithIndex(index))
		if err != nil {
			t.Fatalf("count %s: %v", index, err)
		}
		var n struct{ Count int }
		err = json.NewDecoder(res.Body).Decode(&n)
		res.Body.Close()
		if err != nil || res.IsError() || n.Count != docs {
			t.Errorf("index %s after restore: %d documents (%v, %s), want %d", index, n.Count, err, res.Status(), docs)
		}
	}
}

// TestRealElasticsearch says how to run every test of this package against a real
// Elasticsearch 8; when one is given, it checks that it is one.
func TestRealElasticsearch(t *testing.T) {
	if os.Getenv(conformance.EnvURL) == "" {
		t.Skip(conformance.RealHowTo)
	}
	b := conformance.NewBackend(t)
	res, err := b.ES.Info()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var info struct {
		Version struct{ Number string } `json:"version"`
	}
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || !strings.HasPrefix(info.Version.Number, "8.") {
		t.Fatalf("version %q (%v), want an Elasticsearch 8", info.Version.Number, err)
	}
}
