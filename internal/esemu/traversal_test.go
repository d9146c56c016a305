package esemu

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestNamesCannotEscapeTheDataDirectory sends index, repository and snapshot names that
// would climb out of the data directory or the repository root if they became paths: each
// is refused with Elasticsearch's error, and nothing is written beside the two directories.
func TestNamesCannotEscapeTheDataDirectory(t *testing.T) {
	parent := t.TempDir()
	dataDir, repoRoot := filepath.Join(parent, "data"), filepath.Join(parent, "repo")
	srv, err := New(Config{DataDir: dataDir, PathRepo: []string{repoRoot}, SnapshotDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	tg := &target{t: t, url: hs.URL, srv: srv, repo: repoRoot}
	if r := tg.do("PUT", "/_snapshot/repo", repoBody("r")); r.status != 200 {
		t.Fatalf("create repository: %s", r.raw)
	}
	if r := tg.do("PUT", "/data", nil); r.status != 200 {
		t.Fatalf("create index: %s", r.raw)
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		typ                string // the error type; empty for a routing error, which has none
	}{
		// A dot segment in the path is no route at all: refused before it could be a name.
		{"index ..", "PUT", "/..", nil, 400, ""},
		{"index .", "PUT", "/.", nil, 400, ""},
		{"index with a slash", "PUT", "/..%2Fescaped", nil, 400, "invalid_index_name_exception"},
		{"index with a backslash", "PUT", "/..%5Cescaped", nil, 400, "invalid_index_name_exception"},
		{"document into ..", "PUT", "/../_doc/1", map[string]any{"a": 1}, 400, ""},
		{"repository with a slash", "PUT", "/_snapshot/..%2Fescaped", repoBody("r2"), 500, "repository_exception"},
		{"snapshot with a slash", "PUT", "/_snapshot/repo/..%2F..%2Fescaped", map[string]any{"indices": "data"}, 400, "invalid_snapshot_name_exception"},
		{"snapshot ..", "PUT", "/_snapshot/repo/..", map[string]any{"indices": "data"}, 405, ""},
		{"restore renamed to ..", "POST", "/_snapshot/repo/none/_restore", map[string]any{"indices": "data", "rename_pattern": "data", "rename_replacement": ".."}, 404, "snapshot_missing_exception"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.do(tc.method, tc.path, tc.body)
			if r.status != tc.status || (tc.typ != "" && get(r.body, "error.type") != tc.typ) {
				t.Fatalf("%s %s: %d %s, want %d %s", tc.method, tc.path, r.status, r.raw, tc.status, tc.typ)
			}
		})
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"data", "repo"}) {
		t.Errorf("the parent of the data directory holds %v, want only data and repo", names)
	}
	_ = filepath.WalkDir(parent, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "escaped" {
			t.Errorf("%s was written", path)
		}
		return nil
	})
}
