package esemu

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// decode reads an esapi response, failing the test on transport errors.
func decode(t *testing.T) func(*esapi.Response, error) (int, any) {
	return func(res *esapi.Response, err error) (int, any) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v any
		_ = json.NewDecoder(res.Body).Decode(&v)
		return res.StatusCode, v
	}
}

// TestClientScenarios follows, through the esapi client, the scenarios of the
// official clients' REST tests for info, indices, _cat and snapshots.
func TestClientScenarios(t *testing.T) {
	tg := newTarget(t)
	es := tg.es
	if _, v := decode(t)(es.Info()); get(v, "tagline") != "You Know, for Search" {
		t.Fatalf("info: %v", v)
	}
	if _, v := decode(t)(es.Cat.Repositories(es.Cat.Repositories.WithFormat("json"))); v == nil {
		t.Fatal("cat repositories: no body")
	}
	if _, v := decode(t)(es.Cat.Snapshots(es.Cat.Snapshots.WithFormat("json"))); v == nil {
		t.Fatal("cat snapshots: no body")
	}
	st, _ := decode(t)(es.Indices.Create("snapshot_index", es.Indices.Create.WithBody(strings.NewReader(`{"settings":{"number_of_shards":1,"number_of_replicas":0}}`))))
	if st != 200 {
		t.Fatalf("create index: %d", st)
	}
	t.Cleanup(func() { tg.do("DELETE", "/snapshot_index", nil) })
	if st, v := decode(t)(es.Snapshot.CreateRepository("test_repo_1", strings.NewReader(`{"type":"fs","settings":{"location":"test_repo_1_loc"}}`))); st != 200 || get(v, "acknowledged") != true {
		t.Fatalf("create repository: %v", v)
	}
	t.Cleanup(func() { tg.do("DELETE", "/_snapshot/test_repo_1", nil) })
	_, v := decode(t)(es.Snapshot.Create("test_repo_1", "test_snapshot", es.Snapshot.Create.WithWaitForCompletion(true)))
	if get(v, "snapshot.snapshot") != "test_snapshot" || get(v, "snapshot.state") != "SUCCESS" {
		t.Fatalf("create snapshot: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.CleanupRepository("test_repo_1")); get(v, "results.deleted_blobs") != float64(0) {
		t.Fatalf("cleanup: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.Get("test_repo_1", []string{"test_snapshot"})); get(v, "snapshots.0.failures") == nil {
		t.Fatalf("get: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.Status(es.Snapshot.Status.WithRepository("test_repo_1"), es.Snapshot.Status.WithSnapshot("test_snapshot"))); get(v, "snapshots.0.state") != "SUCCESS" {
		t.Fatalf("status: %v", v)
	}
	decode(t)(es.Indices.Close([]string{"snapshot_index"}))
	if st, _ := decode(t)(es.Snapshot.Restore("test_repo_1", "test_snapshot", es.Snapshot.Restore.WithWaitForCompletion(true),
		es.Snapshot.Restore.WithBody(strings.NewReader(`{"indices":"snapshot_index"}`)))); st != 200 {
		t.Fatalf("restore: %d", st)
	}
	if _, v := decode(t)(es.Indices.Recovery(es.Indices.Recovery.WithIndex("snapshot_index"))); get(v, "snapshot_index.shards.0.type") != "SNAPSHOT" {
		t.Fatalf("recovery: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.Clone("test_repo_1", "test_snapshot", strings.NewReader(`{"indices":"snapshot_index"}`), "target_snapshot_1")); get(v, "acknowledged") != true {
		t.Fatalf("clone: %v", v)
	}
	for _, s := range []string{"target_snapshot_1", "test_snapshot"} {
		if _, v := decode(t)(es.Snapshot.Delete("test_repo_1", []string{s})); get(v, "acknowledged") != true {
			t.Fatalf("delete %s: %v", s, v)
		}
	}
	if _, v := decode(t)(es.Snapshot.GetRepository()); get(v, "test_repo_1") == nil {
		t.Fatalf("get repositories: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.VerifyRepository("test_repo_1")); get(v, "nodes") == nil {
		t.Fatalf("verify: %v", v)
	}
	if _, v := decode(t)(es.Snapshot.DeleteRepository([]string{"test_repo_1"})); get(v, "acknowledged") != true {
		t.Fatalf("delete repository: %v", v)
	}
	if _, v := decode(t)(es.Indices.Delete([]string{"snapshot_index"})); get(v, "acknowledged") != true {
		t.Fatalf("delete index: %v", v)
	}
}
