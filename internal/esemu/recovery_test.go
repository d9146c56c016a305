package esemu

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestRestoreAliasesAndRecovery(t *testing.T) {
	tg := newTarget(t)
	es := tg.es
	tg.setupRepo("rec_repo")
	tg.must(200, "PUT", "/rec-a", `{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"rec-alias":{"is_write_index":true}}}`)
	tg.must(200, "PUT", "/rec-b", `{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"rec-b-alias":{}}}`)
	t.Cleanup(func() { tg.do("DELETE", "/rec-a,rec-b", nil) })
	tg.must(201, "PUT", "/rec-a/_doc/1?refresh=true", map[string]any{"v": 1})
	tg.must(201, "PUT", "/rec-a/_doc/2?refresh=true", map[string]any{"v": 2})
	tg.must(200, "PUT", "/_snapshot/rec_repo/snap1?wait_for_completion=true", `{"indices":"rec-a,rec-b"}`)

	if srv := tg.srv; srv != nil {
		sc, ok := srv.SnapshotContent("rec_repo", "snap1")
		if !ok || !slices.Equal(sc.Indices, []string{"rec-a", "rec-b"}) || !slices.Equal(sc.Aliases["rec-a"], []string{"rec-alias"}) || sc.Docs["rec-a"] != 2 || sc.Docs["rec-b"] != 0 {
			t.Fatalf("SnapshotContent: %+v %v", sc, ok)
		}
		if _, ok := srv.SnapshotContent("rec_repo", "nope"); ok {
			t.Fatal("SnapshotContent of a missing snapshot")
		}
	}

	// Delete rec-a (its alias goes with it) and write after the snapshot.
	tg.must(200, "DELETE", "/rec-a", nil)
	if r := tg.do("HEAD", "/_alias/rec-alias", nil); r.status != 404 {
		t.Fatalf("alias outlived its index: %d", r.status)
	}
	r := read(t)(es.Snapshot.Restore("rec_repo", "snap1", es.Snapshot.Restore.WithWaitForCompletion(true),
		es.Snapshot.Restore.WithBody(strings.NewReader(`{"indices":"rec-a"}`))))
	if r.status != 200 {
		t.Fatalf("restore: %s", r.raw)
	}
	r = tg.must(200, "GET", "/rec-alias/_count", nil)
	if get(r.body, "count") != float64(2) {
		t.Fatalf("count through the restored alias: %s", r.raw)
	}
	r = tg.must(200, "GET", "/_alias/rec-alias", nil)
	if get(r.body, "rec-a.aliases.rec-alias.is_write_index") != true {
		t.Fatalf("restored alias metadata: %s", r.raw)
	}

	t.Run("recovery reports the snapshot", func(t *testing.T) {
		r := read(t)(es.Indices.Recovery(es.Indices.Recovery.WithIndex("rec-a")))
		sh := get(r.body, "rec-a.shards.0")
		if get(sh, "type") != "SNAPSHOT" || get(sh, "stage") != "DONE" || get(sh, "source.repository") != "rec_repo" ||
			get(sh, "source.snapshot") != "snap1" || get(sh, "index.files.percent") != "100.0%" || get(sh, "index.size.recovered_in_bytes").(float64) <= 0 {
			t.Fatalf("recovery: %s", r.raw)
		}
		r = tg.must(200, "GET", "/_recovery", nil)
		if get(r.body, "rec-b.shards.0.type") != "EMPTY_STORE" {
			t.Fatalf("GET /_recovery: %s", r.raw)
		}
		r = tg.must(200, "GET", "/_recovery?active_only=true", nil)
		if len(r.body) != 0 {
			t.Fatalf("active_only: %s", r.raw)
		}
	})
	t.Run("cat recovery", func(t *testing.T) {
		r := read(t)(es.Cat.Recovery(es.Cat.Recovery.WithIndex("rec-a"), es.Cat.Recovery.WithFormat("json")))
		var row any
		if err := json.Unmarshal([]byte(r.raw), &row); err != nil {
			t.Fatal(err)
		}
		if rows, _ := row.([]any); len(rows) != 1 {
			t.Fatalf("rows: %s", r.raw)
		}
		if get(row, "0.type") != "snapshot" || get(row, "0.stage") != "done" || get(row, "0.repository") != "rec_repo" ||
			get(row, "0.snapshot") != "snap1" || get(row, "0.files_percent") != "100.0%" || get(row, "0.bytes_percent") != "100.0%" {
			t.Fatalf("cat recovery json: %s", r.raw)
		}
		txt := tg.must(200, "GET", "/_cat/recovery/rec-a,rec-b?v=true&h=index,type,stage,repository,snapshot,files_percent,bytes_percent", nil).raw
		lines := strings.Split(strings.TrimSpace(txt), "\n")
		if len(lines) != 3 || strings.Fields(lines[0])[0] != "index" ||
			strings.Join(strings.Fields(lines[1]), " ") != "rec-a snapshot done rec_repo snap1 100.0% 100.0%" ||
			strings.Join(strings.Fields(lines[2]), " ") != "rec-b empty_store done n/a n/a 0.0% 0.0%" {
			t.Fatalf("cat recovery text:\n%s", txt)
		}
		if srv := tg.srv; srv != nil {
			rec, ok := srv.RestoreRecords()["rec-a"]
			if !ok || rec.Repository != "rec_repo" || rec.Snapshot != "snap1" || rec.Docs != 2 {
				t.Fatalf("RestoreRecords: %+v", srv.RestoreRecords())
			}
		}
	})
	t.Run("include_aliases false", func(t *testing.T) {
		tg.must(200, "DELETE", "/rec-a", nil)
		tg.must(200, "POST", "/_snapshot/rec_repo/snap1/_restore?wait_for_completion=true", `{"indices":"rec-a","include_aliases":false}`)
		if r := tg.do("HEAD", "/_alias/rec-alias", nil); r.status != 404 {
			t.Fatalf("alias restored with include_aliases false: %d", r.status)
		}
		// Over a closed index, include_aliases false keeps the index's own aliases.
		tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"rec-a","alias":"rec-own"}}]}`)
		tg.must(200, "POST", "/rec-a/_close", nil)
		tg.must(200, "POST", "/_snapshot/rec_repo/snap1/_restore?wait_for_completion=true", `{"indices":"rec-a","include_aliases":false}`)
		r := tg.must(200, "GET", "/rec-a/_alias", nil)
		if get(r.body, "rec-a.aliases.rec-own") == nil || get(r.body, "rec-a.aliases.rec-alias") != nil {
			t.Fatalf("aliases after restore over a closed index: %s", r.raw)
		}
	})
	t.Run("restored alias named as an existing index", func(t *testing.T) {
		tg.must(200, "DELETE", "/rec-a", nil)
		tg.must(200, "PUT", "/rec-alias", nil)
		defer tg.do("DELETE", "/rec-alias", nil)
		r := tg.do("POST", "/_snapshot/rec_repo/snap1/_restore?wait_for_completion=true", `{"indices":"rec-a"}`)
		expectError(t, r, 500, "illegal_state_exception", "index, alias, and data stream names need to be unique, but the following duplicates were found [rec-alias (alias of [rec-a/_na_]) conflicts with index]")
		if tg.do("HEAD", "/rec-a", nil).status != 404 {
			t.Fatal("a refused restore created the index")
		}
		tg.must(200, "DELETE", "/rec-alias", nil)
		r = tg.do("POST", "/_snapshot/rec_repo/snap1/_restore?wait_for_completion=true",
			`{"indices":"rec-a","rename_pattern":"rec-a","rename_replacement":"rec-alias"}`)
		expectError(t, r, 500, "snapshot_restore_exception", "")
		if !strings.HasSuffix(get(r.body, "error.reason").(string), "cannot rename index [rec-a] into [rec-alias] because of conflict with an alias with the same name") {
			t.Fatalf("reason: %s", r.raw)
		}
	})
	t.Run("a restored write index beside another", func(t *testing.T) {
		tg.do("DELETE", "/rec-a", nil)
		tg.must(200, "PUT", "/rec-other", `{"aliases":{"rec-alias":{"is_write_index":true}}}`)
		defer tg.do("DELETE", "/rec-other", nil)
		r := tg.do("POST", "/_snapshot/rec_repo/snap1/_restore?wait_for_completion=true", `{"indices":"rec-a"}`)
		expectError(t, r, 500, "illegal_state_exception", "alias [rec-alias] has more than one write index [rec-other,rec-a]")
	})
}

func TestSnapshotOfAnAlias(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("alias_repo")
	tg.must(200, "PUT", "/sa-1", `{"aliases":{"sa-alias":{}}}`)
	tg.must(200, "PUT", "/sa-2", `{"aliases":{"sa-alias":{}}}`)
	tg.must(200, "PUT", "/sa-3", nil)
	t.Cleanup(func() { tg.do("DELETE", "/sa-1,sa-2,sa-3", nil) })
	r := tg.must(200, "PUT", "/_snapshot/alias_repo/s1?wait_for_completion=true", `{"indices":"sa-alias"}`)
	got, _ := get(r.body, "snapshot.indices").([]any)
	names := make([]string, 0, len(got))
	for _, n := range got {
		names = append(names, n.(string))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"sa-1", "sa-2"}) {
		t.Fatalf("snapshot of an alias holds %v: %s", names, r.raw)
	}
}

func TestRestoreIndexSettings(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("set_repo")
	tg.must(200, "PUT", "/rs-set", `{"settings":{"number_of_shards":1,"number_of_replicas":1,"refresh_interval":"5s"}}`)
	t.Cleanup(func() { tg.do("DELETE", "/rs-set", nil) })
	tg.must(200, "PUT", "/_snapshot/set_repo/s?wait_for_completion=true", `{"indices":"rs-set"}`)
	tg.must(200, "DELETE", "/rs-set", nil)
	tests := []struct {
		name, body, reason string
	}{
		{"shards", `{"index_settings":{"index.number_of_shards":2}}`, "cannot modify setting [index.number_of_shards] on restore"},
		{"remove shards", `{"ignore_index_settings":["index.number_of_shards"]}`, "cannot remove setting [index.number_of_shards] on restore"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.do("POST", "/_snapshot/set_repo/s/_restore?wait_for_completion=true", tc.body)
			expectError(t, r, 500, "snapshot_restore_exception", "")
			if !strings.HasSuffix(get(r.body, "error.reason").(string), tc.reason) {
				t.Fatalf("reason: %s", r.raw)
			}
		})
	}
	expectError(t, tg.do("POST", "/_snapshot/set_repo/s/_restore", `{"index_settings":{"index.nope":1}}`), 400, "illegal_argument_exception", "")
	tg.must(200, "POST", "/_snapshot/set_repo/s/_restore?wait_for_completion=true",
		`{"index_settings":{"index.number_of_replicas":0},"ignore_index_settings":["index.refresh_interval"]}`)
	r := tg.must(200, "GET", "/rs-set/_settings?flat_settings=true", nil)
	if get(r.body, "rs-set.settings.index.number_of_replicas") != nil {
		t.Fatalf("flat settings nested: %s", r.raw)
	}
	s, _ := get(r.body, "rs-set.settings").(map[string]any)
	if s["index.number_of_replicas"] != "0" || s["index.refresh_interval"] != nil || s["index.number_of_shards"] != "1" {
		t.Fatalf("restored settings: %s", r.raw)
	}
}
