package esemu

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCraftedSnapshotRecordCannotEscape plants snapshot records whose uuids
// climb out of the repository: they are not listed, and nothing outside
// path.repo is touched, even by a delete.
func TestCraftedSnapshotRecordCannotEscape(t *testing.T) {
	base := t.TempDir()
	repoRoot, victim := filepath.Join(base, "repos"), filepath.Join(base, "victim")
	for _, d := range []string{filepath.Join(repoRoot, "loc", "snapshots"), filepath.Join(victim, "indices")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(victim, "precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	records := map[string]string{
		"evil.json":                   `{"name":"evil","uuid":"../../../victim","state":"SUCCESS","indices":[]}`,
		"AAAAAAAAAAAAAAAAAAAAAA.json": `{"name":"evil2","uuid":"../../../victim","state":"SUCCESS","indices":[]}`,
		"BBBBBBBBBBBBBBBBBBBBBB.json": `{"name":"evil3","uuid":"BBBBBBBBBBBBBBBBBBBBBB","state":"SUCCESS","indices":[{"name":"i","uuid":"../../victim","shards":1}]}`,
	}
	for name, body := range records {
		if err := os.WriteFile(filepath.Join(repoRoot, "loc", "snapshots", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Config{DataDir: t.TempDir(), PathRepo: []string{repoRoot}, SnapshotDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/_snapshot/r", repoBody("loc"))
	for _, name := range []string{"evil", "evil2", "evil3"} {
		expectError(t, tg.do("GET", "/_snapshot/r/"+name, nil), 404, "snapshot_missing_exception", "")
		tg.do("DELETE", "/_snapshot/r/"+name, nil)
	}
	tg.must(200, "DELETE", "/_snapshot/r/*", nil)
	tg.must(200, "POST", "/_snapshot/r/_cleanup", nil)
	if _, err := os.Stat(filepath.Join(victim, "precious")); err != nil {
		t.Fatalf("a file outside path.repo was removed: %v", err)
	}
}

// TestLongIndexNameSnapshotsAndRestores: a 255-byte index name, legal in
// Elasticsearch, is snapshotted and restored (files are named by uuid).
func TestLongIndexNameSnapshotsAndRestores(t *testing.T) {
	tg := newTarget(t)
	tg.emulator()
	tg.setupRepo("long_repo")
	name := strings.Repeat("l", 255)
	tg.setupIndex(name, map[string]any{"v": 1})
	r := tg.must(200, "PUT", "/_snapshot/long_repo/s1?wait_for_completion=true", map[string]any{"indices": name})
	if get(r.body, "snapshot.state") != "SUCCESS" {
		t.Fatalf("snapshot of a 255-byte index name: %s", r.raw)
	}
	tg.must(200, "POST", "/_snapshot/long_repo/s1/_restore?wait_for_completion=true", map[string]any{
		"indices": name, "rename_pattern": "^l{10}", "rename_replacement": "r"})
	if r := tg.must(200, "GET", "/r"+strings.Repeat("l", 245)+"/_count", nil); r.body["count"] != float64(1) {
		t.Fatalf("restored count: %s", r.raw)
	}
}

// TestErrorsDoNotShowHostPaths makes the repository location unusable and
// checks that the errors name it relative to path.repo only.
func TestErrorsDoNotShowHostPaths(t *testing.T) {
	tg := newTarget(t)
	srv := tg.emulator()
	tg.setupRepo("paths_repo")
	loc := filepath.Join(tg.repo, "paths_repo_loc")
	if err := os.RemoveAll(loc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loc, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg.setupIndex("paths_idx", map[string]any{"v": 1})
	for _, rq := range []struct{ method, path string }{
		{"POST", "/_snapshot/paths_repo/_verify"},
		{"PUT", "/_snapshot/paths_repo/s1?wait_for_completion=true"},
		{"PUT", "/_snapshot/paths_repo2"},
	} {
		body := any(nil)
		if rq.path == "/_snapshot/paths_repo2" {
			body = repoBody("paths_repo_loc/sub")
		}
		r := tg.do(rq.method, rq.path, body)
		if r.status < 400 && !strings.Contains(r.raw, "FAILED") {
			t.Errorf("%s %s: %d, want a failure: %s", rq.method, rq.path, r.status, r.raw)
		}
		for _, p := range []string{tg.repo, srv.cfg.DataDir, realPath(tg.repo)} {
			if strings.Contains(r.raw, p) {
				t.Errorf("%s %s shows a host path: %s", rq.method, rq.path, r.raw)
			}
		}
	}
}

// TestCopiedDataDirWorksStandalone copies the data directory and the
// repository root: the copy lists the snapshot, and its writes go to the copy,
// never to the original (locations are stored relative to path.repo).
func TestCopiedDataDirWorksStandalone(t *testing.T) {
	base := t.TempDir()
	data, repos := filepath.Join(base, "data"), filepath.Join(base, "repos")
	cfg := Config{DataDir: data, PathRepo: []string{repos}, SnapshotDelay: -1}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/_snapshot/r", repoBody("loc"))
	tg.must(201, "PUT", "/i/_doc/1", map[string]any{"v": 1})
	tg.must(200, "PUT", "/_snapshot/r/s1?wait_for_completion=true", nil)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	cp := t.TempDir()
	if out, err := exec.Command("cp", "-a", data, repos, cp).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	copied, err := New(Config{DataDir: filepath.Join(cp, "data"), PathRepo: []string{filepath.Join(cp, "repos")}, SnapshotDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	tg = &target{t: t, url: startHTTP(t, copied), srv: copied}
	tg.must(200, "GET", "/_snapshot/r/s1", nil)
	tg.must(200, "PUT", "/_snapshot/r/s2?wait_for_completion=true", nil)
	entries, err := os.ReadDir(filepath.Join(repos, "loc", "snapshots"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("the original repository has %d records (%v), want 1", len(entries), err)
	}
	if entries, _ := os.ReadDir(filepath.Join(cp, "repos", "loc", "snapshots")); len(entries) != 2 {
		t.Fatalf("the copy has %d records, want 2", len(entries))
	}
}

// TestSymlinkPlantedAfterRegistrationIsRefused replaces a registered
// location by a symlink leading out of path.repo: snapshots into it are
// refused and nothing is written outside.
func TestSymlinkPlantedAfterRegistrationIsRefused(t *testing.T) {
	tg := newTarget(t)
	tg.emulator()
	tg.setupRepo("link_repo")
	tg.setupIndex("link_idx", map[string]any{"v": 1})
	outside := t.TempDir()
	loc := filepath.Join(tg.repo, "link_repo_loc")
	if err := os.RemoveAll(loc); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, loc); err != nil {
		t.Fatal(err)
	}
	expectError(t, tg.do("PUT", "/_snapshot/link_repo/s1?wait_for_completion=true", nil), 500, "repository_exception", "")
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("written outside path.repo: %v", entries)
	}
}
