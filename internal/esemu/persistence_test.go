package esemu

import "testing"

func TestPersistenceAcrossRestart(t *testing.T) {
	dataDir, repoDir := t.TempDir(), t.TempDir()
	cfg := Config{DataDir: dataDir, PathRepo: []string{repoDir}, SnapshotDelay: -1}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/_snapshot/p_repo", repoBody("p"))
	tg.must(200, "PUT", "/p_idx", nil)
	tg.must(201, "PUT", "/p_idx/_doc/1", map[string]any{"v": "kept"})
	tg.must(200, "PUT", "/_snapshot/p_repo/done?wait_for_completion=true", nil)
	srv.Faults().HoldSnapshots("held*")
	tg.must(200, "PUT", "/_snapshot/p_repo/held-1", nil)
	tg.waitState("p_repo", "held-1", "IN_PROGRESS")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	again, err := New(cfg)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	tg = &target{t: t, url: startHTTP(t, again), srv: again}
	if r := tg.must(200, "GET", "/p_idx/_doc/1", nil); get(r.body, "_source.v") != "kept" {
		t.Fatalf("document lost: %s", r.raw)
	}
	tg.must(200, "GET", "/_snapshot/p_repo", nil)
	if r := tg.must(200, "GET", "/_snapshot/p_repo/done", nil); get(r.body, "snapshots.0.state") != "SUCCESS" {
		t.Fatalf("finished snapshot: %s", r.raw)
	}
	r := tg.must(200, "GET", "/_snapshot/p_repo/held-1", nil)
	if get(r.body, "snapshots.0.state") != "FAILED" || get(r.body, "snapshots.0.reason") != nodeLeftReason {
		t.Fatalf("interrupted snapshot: %s", r.raw)
	}
	// The interrupted name can be deleted and the data restored after a restart.
	tg.must(200, "DELETE", "/_snapshot/p_repo/held-1", nil)
	tg.must(200, "DELETE", "/p_idx", nil)
	tg.must(200, "POST", "/_snapshot/p_repo/done/_restore?wait_for_completion=true", nil)
	if r := tg.must(200, "GET", "/p_idx/_count", nil); r.body["count"] != float64(1) {
		t.Fatalf("restore after restart: %s", r.raw)
	}
}
