package esemu

import (
	"fmt"
	"testing"
)

func TestDataRoundTripAndRestore(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("rt_repo")
	var docs []map[string]any
	for i := 0; i < 25; i++ {
		docs = append(docs, map[string]any{"n": i, "text": fmt.Sprintf("document %d", i)})
	}
	tg.setupIndex("rt_idx", docs...)
	tg.must(200, "PUT", "/_snapshot/rt_repo/rt_snap?wait_for_completion=true", map[string]any{"indices": "rt_idx"})
	// Restoring over an open index fails; a closed one can be restored over.
	r := tg.do("POST", "/_snapshot/rt_repo/rt_snap/_restore?wait_for_completion=true", nil)
	if r.status != 500 || get(r.body, "error.type") != "snapshot_restore_exception" {
		t.Fatalf("restore over open index: %s", r.raw)
	}
	tg.must(200, "POST", "/rt_idx/_close", nil)
	tg.must(200, "POST", "/_snapshot/rt_repo/rt_snap/_restore?wait_for_completion=true", map[string]any{"indices": "rt_idx"})
	rec := tg.must(200, "GET", "/rt_idx/_recovery", nil)
	if get(rec.body, "rt_idx.shards.0.type") != "SNAPSHOT" || get(rec.body, "rt_idx.shards.0.stage") != "DONE" {
		t.Fatalf("recovery: %s", rec.raw)
	}
	tg.must(200, "DELETE", "/rt_idx", nil)
	res := tg.must(200, "POST", "/_snapshot/rt_repo/rt_snap/_restore?wait_for_completion=true", map[string]any{"indices": []string{"rt_idx"}})
	if get(res.body, "snapshot.shards.successful") != float64(1) {
		t.Fatalf("restore: %s", res.raw)
	}
	if c := tg.must(200, "GET", "/rt_idx/_count", nil); c.body["count"] != float64(25) {
		t.Fatalf("count after restore: %s", c.raw)
	}
	if g := tg.must(200, "GET", "/rt_idx/_doc/7", nil); get(g.body, "_source.text") != "document 6" {
		t.Fatalf("doc after restore: %s", g.raw)
	}
	// Renaming restores next to the original.
	ren := tg.must(200, "POST", "/_snapshot/rt_repo/rt_snap/_restore?wait_for_completion=true",
		map[string]any{"indices": "rt_*", "rename_pattern": "rt_(.+)", "rename_replacement": "restored_$1"})
	t.Cleanup(func() { tg.do("DELETE", "/restored_idx", nil) })
	if fmt.Sprint(get(ren.body, "snapshot.indices")) != "[restored_idx]" {
		t.Fatalf("rename: %s", ren.raw)
	}
	if c := tg.must(200, "GET", "/restored_idx/_count", nil); c.body["count"] != float64(25) {
		t.Fatalf("count of renamed: %s", c.raw)
	}
	expectError(t, tg.do("POST", "/_snapshot/rt_repo/nope/_restore", nil), 404, "snapshot_missing_exception", "[rt_repo:nope] is missing")
	if a := tg.must(200, "POST", "/_snapshot/rt_repo/rt_snap/_restore", map[string]any{"indices": "rt_idx", "rename_pattern": "rt_idx", "rename_replacement": "async_idx"}); a.raw != `{"accepted":true}` {
		t.Fatalf("async restore: %s", a.raw)
	}
	t.Cleanup(func() { tg.do("DELETE", "/async_idx", nil) })
}
