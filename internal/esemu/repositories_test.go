package esemu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepositoryLifecycle(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("test_repo_1")
	res, err := tg.es.Snapshot.GetRepository(tg.es.Snapshot.GetRepository.WithRepository("test_repo_1"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("get repository: %v %v", err, res)
	}
	res.Body.Close()
	all := tg.must(200, "GET", "/_snapshot", nil)
	if get(all.body, "test_repo_1.type") != "fs" || get(all.body, "test_repo_1.settings.location") != "test_repo_1_loc" {
		t.Fatalf("get all: %s", all.raw)
	}
	if v := tg.must(200, "POST", "/_snapshot/test_repo_1/_verify", nil); len(v.body["nodes"].(map[string]any)) != 1 {
		t.Fatalf("verify: %s", v.raw)
	}
	cl := tg.must(200, "POST", "/_snapshot/test_repo_1/_cleanup", nil)
	if get(cl.body, "results.deleted_bytes") != float64(0) || get(cl.body, "results.deleted_blobs") != float64(0) {
		t.Fatalf("cleanup: %s", cl.raw)
	}
	cat := tg.must(200, "GET", "/_cat/repositories?format=json", nil)
	if !strings.Contains(cat.raw, `"id":"test_repo_1","type":"fs"`) {
		t.Fatalf("cat repositories: %s", cat.raw)
	}
	tg.must(200, "DELETE", "/_snapshot/test_repo_1", nil)
	expectError(t, tg.do("GET", "/_snapshot/test_repo_1", nil), 404, "repository_missing_exception", "[test_repo_1] missing")
	expectError(t, tg.do("DELETE", "/_snapshot/test_repo_1", nil), 404, "repository_missing_exception", "[test_repo_1] missing")
	expectError(t, tg.do("POST", "/_snapshot/test_repo_1/_verify", nil), 404, "repository_missing_exception", "[test_repo_1] missing")
}

func TestRepositoryErrors(t *testing.T) {
	tg := newTarget(t)
	tg.emulator()
	outside := t.TempDir()
	link := filepath.Join(tg.repo, "escape")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	wrapped := func(repo, inner string) [2]string {
		return [2]string{"[" + repo + "] failed to create repository", "[" + repo + "] " + inner}
	}
	tests := []struct {
		name   string
		repo   string
		body   any
		status int
		typ    string
		reason [2]string // outer reason, root cause reason
	}{
		{"traversal", "r1", repoBody("../x"), 500, "repository_exception", wrapped("r1", "location [../x] doesn't match any of the locations specified by path.repo")},
		{"absolute outside", "r2", repoBody(outside), 500, "repository_exception", wrapped("r2", "location ["+outside+"] doesn't match any of the locations specified by path.repo")},
		{"symlink outside", "r3", repoBody("escape/deeper"), 500, "repository_exception", wrapped("r3", "location [escape/deeper] doesn't match any of the locations specified by path.repo")},
		{"missing location", "r4", map[string]any{"type": "fs", "settings": map[string]any{}}, 500, "repository_exception", wrapped("r4", "missing location")},
		{"unknown type", "r5", map[string]any{"type": "s4", "settings": map[string]any{}}, 500, "repository_exception", [2]string{"[r5] repository type [s4] does not exist", "[r5] repository type [s4] does not exist"}},
		{"no type", "r6", map[string]any{"settings": map[string]any{}}, 400, "action_request_validation_exception", [2]string{"Validation Failed: 1: type is missing;", "Validation Failed: 1: type is missing;"}},
		{"hash in name", "r%237", repoBody("x"), 500, "repository_exception", [2]string{"[r#7] must not contain '#'", "[r#7] must not contain '#'"}},
		{"malformed json", "r8", `{"type":`, 400, "x_content_parse_exception", [2]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.do("PUT", "/_snapshot/"+tc.repo, tc.body)
			expectError(t, r, tc.status, tc.typ, tc.reason[0])
			if tc.reason[1] != "" && get(r.body, "error.root_cause.0.reason") != tc.reason[1] {
				t.Fatalf("root cause: %s", r.raw)
			}
		})
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("something was written outside path.repo: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(tg.repo), "x")); err == nil {
		t.Fatal("traversal created a directory")
	}
	// No path.repo at all: the "because this setting is empty" variant.
	empty, err := New(Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	rd := &target{t: t, url: startHTTP(t, empty)}
	r := rd.do("PUT", "/_snapshot/r", repoBody("/tmp/x"))
	expectError(t, r, 500, "repository_exception", "[r] failed to create repository")
	if get(r.body, "error.caused_by.reason") != "[r] location [/tmp/x] doesn't match any of the locations specified by path.repo because this setting is empty" {
		t.Fatalf("empty path.repo: %s", r.raw)
	}
}

func TestRepositorySharedLocationUUID(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("uuid_repo_a")
	tg.setupIndex("uuid_idx")
	tg.must(200, "PUT", "/_snapshot/uuid_repo_a/s1?wait_for_completion=true", nil)
	a := tg.must(200, "GET", "/_snapshot/uuid_repo_a", nil)
	uuid, _ := get(a.body, "uuid_repo_a.uuid").(string)
	if uuid == "" {
		t.Fatalf("no uuid after a snapshot: %s", a.raw)
	}
	tg.must(200, "PUT", "/_snapshot/uuid_repo_b", repoBody("uuid_repo_a_loc"))
	t.Cleanup(func() { tg.do("DELETE", "/_snapshot/uuid_repo_b", nil) })
	b := tg.must(200, "GET", "/_snapshot/uuid_repo_b", nil)
	if get(b.body, "uuid_repo_b.uuid") != uuid {
		t.Fatalf("same location, different uuid: %s", b.raw)
	}
	if r := tg.must(200, "GET", "/_snapshot/uuid_repo_b/s1", nil); get(r.body, "snapshots.0.snapshot") != "s1" {
		t.Fatalf("snapshot not visible through the second name: %s", r.raw)
	}
}
