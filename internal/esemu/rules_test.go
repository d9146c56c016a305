package esemu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadonlyRepositoryRefusesDeleteCloneCleanup(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("rw_repo")
	tg.setupIndex("ro_idx", map[string]any{"v": 1})
	tg.must(200, "PUT", "/_snapshot/rw_repo/s1?wait_for_completion=true", map[string]any{"indices": "ro_idx"})
	tg.must(200, "PUT", "/_snapshot/ro_repo", map[string]any{"type": "fs", "settings": map[string]any{"location": "rw_repo_loc", "readonly": true}})
	t.Cleanup(func() { tg.do("DELETE", "/_snapshot/ro_repo", nil) })
	tests := []struct {
		name, method, path string
		body               any
		reason             string
	}{
		{"delete", "DELETE", "/_snapshot/ro_repo/s1", nil, "[ro_repo] cannot delete snapshot from a readonly repository"},
		{"delete by wildcard", "DELETE", "/_snapshot/ro_repo/*", nil, "[ro_repo] cannot delete snapshot from a readonly repository"},
		{"clone", "PUT", "/_snapshot/ro_repo/s1/_clone/s2", map[string]any{"indices": "*"}, "[ro_repo] cannot create snapshot in a readonly repository"},
		{"cleanup", "POST", "/_snapshot/ro_repo/_cleanup", nil, "[ro_repo] cannot run cleanup on readonly repository"},
		{"create", "PUT", "/_snapshot/ro_repo/s3", nil, "[ro_repo] cannot create snapshot in a readonly repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, tg.do(tt.method, tt.path, tt.body), 500, "repository_exception", tt.reason)
		})
	}
	if r := tg.must(200, "GET", "/_snapshot/rw_repo/*", nil); len(r.body["snapshots"].([]any)) != 1 {
		t.Fatalf("snapshots after refused changes: %s", r.raw)
	}
	tg.must(200, "POST", "/_snapshot/ro_repo/s1/_restore?wait_for_completion=true", map[string]any{
		"indices": "ro_idx", "rename_pattern": "(.+)", "rename_replacement": "$1_restored"})
	tg.do("DELETE", "/ro_idx_restored", nil)
}

// corruptSnapshotFile overwrites one byte of the documents file of a snapshot's index.
func corruptSnapshotFile(t *testing.T, srv *Server, repo, snap, index string) string {
	t.Helper()
	srv.mu.RLock()
	rd := srv.repoByName(repo).data
	sn := rd.byName[snap]
	var path, rel string
	for _, d := range sn.Indices {
		if d.Name == index {
			rel = "indices/" + sn.UUID + "/" + d.UUID + ".ndjson"
			path = filepath.Join(rd.dataDir(sn.UUID), d.UUID+".ndjson")
		}
	}
	srv.mu.RUnlock()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x20
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return rel
}

// TestFailedRestoreLeavesClosedIndexAsItWas: a restore that fails (damaged
// snapshot data) onto a closed index leaves it closed with its documents,
// and a restore of two indices, one damaged, restores neither.
func TestFailedRestoreLeavesClosedIndexAsItWas(t *testing.T) {
	tg := newTarget(t)
	srv := tg.emulator()
	tg.setupRepo("atomic_repo")
	tg.setupIndex("atomic_a", map[string]any{"v": "a1"}, map[string]any{"v": "a2"})
	tg.setupIndex("atomic_b", map[string]any{"v": "b1"})
	tg.must(200, "PUT", "/_snapshot/atomic_repo/s1?wait_for_completion=true", map[string]any{"indices": "atomic_*"})
	rel := corruptSnapshotFile(t, srv, "atomic_repo", "s1", "atomic_b")
	tg.must(201, "PUT", "/atomic_a/_doc/3", map[string]any{"v": "a3"})
	tg.must(200, "POST", "/atomic_a,atomic_b/_close", nil)

	r := tg.do("POST", "/_snapshot/atomic_repo/s1/_restore?wait_for_completion=true", nil)
	expectError(t, r, 500, "snapshot_restore_exception", "")
	if reason, _ := get(r.body, "error.reason").(string); !strings.Contains(reason, rel) || !strings.Contains(reason, "corrupt") {
		t.Fatalf("reason %q does not name the corrupt file %s", reason, rel)
	}
	if strings.Contains(r.raw, tg.repo) {
		t.Fatalf("the error shows the host path: %s", r.raw)
	}
	for _, name := range []string{"atomic_a", "atomic_b"} {
		expectError(t, tg.do("GET", "/"+name+"/_count", nil), 400, "index_closed_exception", "")
	}
	tg.must(200, "POST", "/atomic_*/_open", nil)
	if r := tg.must(200, "GET", "/atomic_a/_count", nil); r.body["count"] != float64(3) {
		t.Fatalf("atomic_a changed by the failed restore: %s", r.raw)
	}
	// The undamaged index alone restores.
	tg.must(200, "POST", "/atomic_a/_close", nil)
	tg.must(200, "POST", "/_snapshot/atomic_repo/s1/_restore?wait_for_completion=true", map[string]any{"indices": "atomic_a"})
	if r := tg.must(200, "GET", "/atomic_a/_count", nil); r.body["count"] != float64(2) {
		t.Fatalf("atomic_a after its restore: %s", r.raw)
	}
}

// TestTruncatedSnapshotDataFailsRestore truncates and deletes snapshot data:
// the restore fails naming the file and leaves no index behind.
func TestTruncatedSnapshotDataFailsRestore(t *testing.T) {
	for _, damage := range []string{"truncate", "delete"} {
		t.Run(damage, func(t *testing.T) {
			tg := newTarget(t)
			srv := tg.emulator()
			tg.setupRepo("trunc_repo")
			docs := make([]map[string]any, 20)
			for i := range docs {
				docs[i] = map[string]any{"v": i}
			}
			tg.setupIndex("trunc_idx", docs...)
			tg.must(200, "PUT", "/_snapshot/trunc_repo/s1?wait_for_completion=true", map[string]any{"indices": "trunc_idx"})
			srv.mu.RLock()
			rd := srv.repoByName("trunc_repo").data
			sn := rd.byName["s1"]
			path := filepath.Join(rd.dataDir(sn.UUID), sn.Indices[0].UUID+".ndjson")
			srv.mu.RUnlock()
			var err error
			if damage == "truncate" {
				err = os.Truncate(path, 100)
			} else {
				err = os.Remove(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			r := tg.do("POST", "/_snapshot/trunc_repo/s1/_restore?wait_for_completion=true", map[string]any{
				"rename_pattern": "(.+)", "rename_replacement": "$1_copy"})
			expectError(t, r, 500, "snapshot_restore_exception", "")
			if !strings.Contains(r.raw, sn.Indices[0].UUID+".ndjson") {
				t.Fatalf("the error does not name the file: %s", r.raw)
			}
			expectError(t, tg.do("GET", "/trunc_idx_copy", nil), 404, "index_not_found_exception", "")
		})
	}
}

// TestLongBulkDoesNotBlockSnapshotReads holds a bulk request at its commit:
// meanwhile snapshot and cluster state reads answer.
func TestLongBulkDoesNotBlockSnapshotReads(t *testing.T) {
	tg := newTarget(t)
	srv := tg.emulator()
	tg.setupRepo("bulk_repo")
	tg.setupIndex("bulk_idx", map[string]any{"v": 1})
	tg.must(200, "PUT", "/_snapshot/bulk_repo/s1?wait_for_completion=true", nil)
	entered, release := make(chan struct{}), make(chan struct{})
	srv.beforeCommit = func() {
		close(entered)
		<-release
	}
	var body strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&body, "{\"index\":{\"_index\":\"bulk_idx\",\"_id\":\"%d\"}}\n{\"v\":%d}\n", i, i)
	}
	done := make(chan response, 1)
	go func() { done <- tg.do("POST", "/_bulk", body.String()) }()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the bulk request did not reach its commit")
	}
	reads := make(chan response, 1)
	go func() {
		tg.do("GET", "/_snapshot/bulk_repo/_all", nil)
		tg.do("GET", "/_cat/snapshots/bulk_repo", nil)
		reads <- tg.do("GET", "/_snapshot/bulk_repo/s1/_status", nil)
	}()
	select {
	case r := <-reads:
		if r.status != 200 {
			t.Errorf("status read: %d %s", r.status, r.raw)
		}
	case <-time.After(10 * time.Second):
		t.Error("snapshot reads blocked behind the bulk request")
	}
	close(release)
	if r := <-done; r.status != 200 || get(r.body, "errors") != false {
		t.Fatalf("bulk: %d %.300s", r.status, r.raw)
	}
	srv.beforeCommit = nil
	if r := tg.must(200, "GET", "/bulk_idx/_count", nil); r.body["count"] != float64(1000) {
		t.Fatalf("count: %s", r.raw)
	}
}

// TestGarbledSnapshotRecordIsNotListed garbles a snapshot's record: the server
// still starts, and the snapshot is not listed as SUCCESS.
func TestGarbledSnapshotRecordIsNotListed(t *testing.T) {
	data, repo := t.TempDir(), t.TempDir()
	cfg := Config{DataDir: data, PathRepo: []string{repo}, SnapshotDelay: -1}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/_snapshot/r", repoBody("loc"))
	tg.must(200, "PUT", "/_snapshot/r/good?wait_for_completion=true", nil)
	tg.must(200, "PUT", "/_snapshot/r/bad?wait_for_completion=true", nil)
	srv.mu.RLock()
	path := srv.repoByName("r").data.recordPath(srv.repoByName("r").data.byName["bad"].UUID)
	srv.mu.RUnlock()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err = New(cfg)
	if err != nil {
		t.Fatalf("start with a garbled record: %v", err)
	}
	defer srv.Close()
	tg = &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "GET", "/_snapshot/r/good", nil)
	expectError(t, tg.do("GET", "/_snapshot/r/bad", nil), 404, "snapshot_missing_exception", "")
}

// TestSnapshotWhoseRecordCannotBeWrittenIsFailed: when the repository refuses
// the finished snapshot's record (a full or broken disk), the snapshot ends
// FAILED, never SUCCESS without its record on disk.
func TestSnapshotWhoseRecordCannotBeWrittenIsFailed(t *testing.T) {
	tg := newTarget(t)
	srv := tg.emulator()
	tg.setupRepo("rec_repo")
	tg.setupIndex("rec_idx", map[string]any{"v": 1})
	srv.Faults().HoldSnapshots("rec*")
	tg.must(200, "PUT", "/_snapshot/rec_repo/rec1", nil)
	tg.waitState("rec_repo", "rec1", "IN_PROGRESS")
	records := filepath.Join(tg.repo, "rec_repo_loc", "snapshots")
	if err := os.Rename(records, records+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(records, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.Faults().ReleaseSnapshots("rec*")
	tg.waitState("rec_repo", "rec1", "FAILED")
	_ = os.Remove(records)
	_ = os.Rename(records+".moved", records)
}
