package esemu

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOneServerPerDataDir(t *testing.T) {
	dir := t.TempDir()
	first, err := New(Config{DataDir: dir, PathRepo: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = New(Config{DataDir: dir, PathRepo: []string{t.TempDir()}})
	if !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second server: %v, want ErrDataDirInUse", err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("message %q does not name the directory and the process", err)
	}
}

func TestMissingClusterStateIsAnError(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Config{DataDir: dir, PathRepo: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/kept", nil)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, dbFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{DataDir: dir, PathRepo: []string{t.TempDir()}}); !errors.Is(err, ErrStateMissing) {
		t.Fatalf("start without the cluster state: %v, want ErrStateMissing", err)
	}
}

// TestLegacyFormatMigratedWithTornTail starts on a data directory of the
// former format whose index file ends in a torn line (a crash mid-append):
// the documents before it are migrated, the torn one dropped, and writes and
// restarts work afterwards (the former format then failed every start).
func TestLegacyFormatMigratedWithTornTail(t *testing.T) {
	dir, repo := t.TempDir(), t.TempDir()
	const uuid = "AAAAAAAAAAAAAAAAAAAAAA"
	state := `{"cluster_uuid":"c","node_id":"n","repositories":[{"name":"r","type":"fs","settings":{"location":"loc"},"location":"` + filepath.Join(repo, "loc") + `"}],` +
		`"indices":[{"name":"old","uuid":"` + uuid + `","settings":{"index.number_of_shards":"1"},"closed":false,"created":1}]}`
	if err := os.WriteFile(filepath.Join(dir, legacyStateFile), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "indices"), 0o755); err != nil {
		t.Fatal(err)
	}
	lines := `{"_id":"1","_version":1,"_source":{"a":1}}` + "\n" + `{"_id":"2","_version":1,"_seq_no":1,"_source":{"a":2}}` + "\n" + `{"_id":"3","_ver`
	if err := os.WriteFile(filepath.Join(dir, "indices", uuid+".ndjson"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: dir, PathRepo: []string{repo}, SnapshotDelay: -1}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("start on the former format: %v", err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	if r := tg.must(200, "GET", "/old/_count", nil); r.body["count"] != float64(2) {
		t.Fatalf("migrated count: %s", r.raw)
	}
	tg.must(201, "PUT", "/old/_doc/4", map[string]any{"a": 4})
	tg.must(200, "GET", "/_snapshot/r", nil)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyStateFile+".migrated")); err != nil {
		t.Errorf("the former state file was not set aside: %v", err)
	}
	srv, err = New(cfg)
	if err != nil {
		t.Fatalf("restart after migration: %v", err)
	}
	defer srv.Close()
	tg = &target{t: t, url: startHTTP(t, srv), srv: srv}
	if r := tg.must(200, "GET", "/old/_count", nil); r.body["count"] != float64(3) {
		t.Fatalf("count after restart: %s", r.raw)
	}
	if r := tg.must(200, "GET", "/old/_doc/2", nil); get(r.body, "_source.a") != float64(2) {
		t.Fatalf("document 2: %s", r.raw)
	}
}
