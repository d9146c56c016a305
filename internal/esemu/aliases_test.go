package esemu

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// read turns an esapi answer into a response, failing on transport errors.
func read(t *testing.T) func(*esapi.Response, error) response {
	return func(res *esapi.Response, err error) response {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		r := response{status: res.StatusCode, header: res.Header, raw: string(data)}
		_ = json.Unmarshal(data, &r.body)
		return r
	}
}

func body(s string) io.Reader { return strings.NewReader(s) }

func TestAliasesCreateAndResolve(t *testing.T) {
	tg := newTarget(t)
	es := tg.es
	r := read(t)(es.Indices.Create("al-a", es.Indices.Create.WithBody(body(
		`{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"al-read":{},"al-write":{"is_write_index":true}}}`))))
	if r.status != 200 {
		t.Fatalf("create with aliases: %s", r.raw)
	}
	t.Cleanup(func() { tg.do("DELETE", "/al-a,al-b", nil) })
	tg.setupIndex("al-b", map[string]any{"k": "b1"})
	tg.must(201, "PUT", "/al-a/_doc/1", map[string]any{"k": "a1"})
	tg.must(201, "PUT", "/al-a/_doc/2", map[string]any{"k": "a2"})
	r = read(t)(es.Indices.UpdateAliases(body(`{"actions":[{"add":{"index":"al-b","alias":"al-read"}}]}`)))
	if r.status != 200 || get(r.body, "acknowledged") != true || get(r.body, "errors") != false {
		t.Fatalf("_aliases add: %s", r.raw)
	}

	t.Run("count through an alias of two indices", func(t *testing.T) {
		r := read(t)(es.Count(es.Count.WithIndex("al-read")))
		if r.status != 200 || get(r.body, "count") != float64(3) || get(r.body, "_shards.total") != float64(2) {
			t.Fatalf("count: %s", r.raw)
		}
	})
	t.Run("search through an alias names the concrete index", func(t *testing.T) {
		r := read(t)(es.Search(es.Search.WithIndex("al-write"), es.Search.WithSort("_id")))
		if get(r.body, "hits.total.value") != float64(2) || get(r.body, "hits.hits.0._index") != "al-a" {
			t.Fatalf("search: %s", r.raw)
		}
	})
	t.Run("get document through a one-index alias", func(t *testing.T) {
		r := read(t)(es.Get("al-write", "1"))
		if r.status != 200 || get(r.body, "_index") != "al-a" || get(r.body, "_source.k") != "a1" {
			t.Fatalf("get: %s", r.raw)
		}
	})
	t.Run("get document through a two-index alias is refused", func(t *testing.T) {
		r := read(t)(es.Get("al-read", "1"))
		expectError(t, r, 400, "illegal_argument_exception", "alias [al-read] has more than one index associated with it [al-a, al-b], can't execute a single index op")
	})
	t.Run("write through an alias goes to its write index", func(t *testing.T) {
		r := read(t)(es.Index("al-write", body(`{"k":"a3"}`), es.Index.WithDocumentID("3")))
		if r.status != 201 || get(r.body, "_index") != "al-a" {
			t.Fatalf("index: %s", r.raw)
		}
		r = read(t)(es.Index("al-read", body(`{"k":"x"}`)))
		expectError(t, r, 400, "illegal_argument_exception", "")
	})
	t.Run("GET _alias lists every index, names only the matching ones", func(t *testing.T) {
		r := read(t)(es.Indices.GetAlias())
		if get(r.body, "al-a.aliases.al-write.is_write_index") != true || get(r.body, "al-b.aliases.al-read") == nil {
			t.Fatalf("GET _alias: %s", r.raw)
		}
		r = read(t)(es.Indices.GetAlias(es.Indices.GetAlias.WithName("al-write")))
		if r.status != 200 || get(r.body, "al-b") != nil || get(r.body, "al-a.aliases.al-write") == nil {
			t.Fatalf("GET _alias/al-write: %s", r.raw)
		}
		r = read(t)(es.Indices.GetAlias(es.Indices.GetAlias.WithIndex("al-b")))
		if len(r.body) != 1 || get(r.body, "al-b.aliases.al-read") == nil {
			t.Fatalf("GET al-b/_alias: %s", r.raw)
		}
	})
	t.Run("a missing alias is a 404 that lists the found ones", func(t *testing.T) {
		r := read(t)(es.Indices.GetAlias(es.Indices.GetAlias.WithName("al-write,nope")))
		if r.status != 404 || get(r.body, "error") != "alias [nope] missing" || get(r.body, "status") != float64(404) || get(r.body, "al-a.aliases.al-write") == nil {
			t.Fatalf("GET _alias/al-write,nope: %s", r.raw)
		}
	})
	t.Run("HEAD _alias", func(t *testing.T) {
		for name, want := range map[string]int{"al-read": 200, "nope": 404} {
			r := read(t)(es.Indices.ExistsAlias([]string{name}))
			if r.status != want {
				t.Fatalf("HEAD _alias/%s: %d, want %d", name, r.status, want)
			}
		}
	})
	t.Run("index existence resolves aliases", func(t *testing.T) {
		if r := read(t)(es.Indices.Exists([]string{"al-read"})); r.status != 200 {
			t.Fatalf("HEAD /al-read: %d", r.status)
		}
	})
	t.Run("delete through an alias is refused", func(t *testing.T) {
		r := read(t)(es.Indices.Delete([]string{"al-read"}))
		expectError(t, r, 400, "illegal_argument_exception",
			"The provided expression [al-read] matches an alias, specify the corresponding concrete indices instead.")
		r = read(t)(es.Indices.Delete([]string{"al-read"}, es.Indices.Delete.WithIgnoreUnavailable(true)))
		if r.status != 200 {
			t.Fatalf("delete alias with ignore_unavailable: %s", r.raw)
		}
		if r := read(t)(es.Indices.Exists([]string{"al-a"})); r.status != 200 {
			t.Fatal("an index went away through its alias")
		}
	})
	t.Run("remove and per-index alias endpoints", func(t *testing.T) {
		r := read(t)(es.Indices.PutAlias([]string{"al-b"}, "al-extra"))
		if r.status != 200 {
			t.Fatalf("PUT alias: %s", r.raw)
		}
		r = read(t)(es.Indices.DeleteAlias([]string{"al-b"}, []string{"al-extra"}))
		if r.status != 200 {
			t.Fatalf("DELETE alias: %s", r.raw)
		}
		r = read(t)(es.Indices.DeleteAlias([]string{"al-b"}, []string{"al-extra"}))
		expectError(t, r, 404, "aliases_not_found_exception", "aliases [al-extra] missing")
	})
}

func TestAliasErrors(t *testing.T) {
	tg := newTarget(t)
	tg.setupIndex("ale-a")
	tg.setupIndex("ale-b")
	tg.must(200, "POST", "/_aliases", map[string]any{"actions": []any{map[string]any{"add": map[string]any{"index": "ale-a", "alias": "ale-w", "is_write_index": true}}}})
	tests := []struct {
		name, method, path, body string
		status                   int
		typ, reason              string
	}{
		{"alias named as an index", "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-a","alias":"ale-b"}}]}`,
			400, "invalid_alias_name_exception", "Invalid alias name [ale-b], an index or data stream exists with the same name as the alias"},
		{"index named as an alias", "PUT", "/ale-w", ``, 400, "invalid_index_name_exception", "Invalid index name [ale-w], already exists as alias"},
		{"second write index", "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-b","alias":"ale-w","is_write_index":true}}]}`,
			500, "illegal_state_exception", "alias [ale-w] has more than one write index [ale-a,ale-b]"},
		{"alias on a missing index", "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-none","alias":"x"}}]}`,
			404, "index_not_found_exception", "no such index [ale-none]"},
		{"no actions", "POST", "/_aliases", `{"actions":[]}`, 400, "action_request_validation_exception", "Validation Failed: 1: Must specify at least one alias action;"},
		{"action without alias", "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-a"}}]}`, 400, "action_request_validation_exception", "Validation Failed: 1: One of [alias/aliases] is required;"},
		{"invalid alias name", "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-a","alias":"_bad"}}]}`,
			400, "invalid_alias_name_exception", "Invalid alias name [_bad]: must not start with '_', '-', or '+'"},
		{"remove a missing alias", "POST", "/_aliases", `{"actions":[{"remove":{"index":"ale-a","alias":"nope"}}]}`,
			404, "aliases_not_found_exception", "aliases [nope] missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b any
			if tc.body != "" {
				b = tc.body
			}
			expectError(t, tg.do(tc.method, tc.path, b), tc.status, tc.typ, tc.reason)
		})
	}
	t.Run("moving the write index in one request", func(t *testing.T) {
		tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"ale-a","alias":"ale-w","is_write_index":false}},{"add":{"index":"ale-b","alias":"ale-w","is_write_index":true}}]}`)
		r := tg.must(201, "PUT", "/ale-w/_doc/1", map[string]any{"x": 1})
		if get(r.body, "_index") != "ale-b" {
			t.Fatalf("write went to %v", get(r.body, "_index"))
		}
	})
	t.Run("a failed request changes nothing", func(t *testing.T) {
		tg.do("POST", "/_aliases", `{"actions":[{"add":{"index":"ale-a","alias":"ale-new"}},{"add":{"index":"ale-none","alias":"x"}}]}`)
		if r := tg.do("HEAD", "/_alias/ale-new", nil); r.status != 404 {
			t.Fatalf("partial alias change applied: %d", r.status)
		}
	})
}

func TestAliasesSurviveRestart(t *testing.T) {
	dir, repo := t.TempDir(), t.TempDir()
	srv, err := New(Config{DataDir: dir, PathRepo: []string{repo}})
	if err != nil {
		t.Fatal(err)
	}
	url := startHTTP(t, srv)
	tg := &target{t: t, url: url}
	tg.must(200, "PUT", "/rs-a", `{"aliases":{"rs-alias":{}}}`)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2, err := New(Config{DataDir: dir, PathRepo: []string{repo}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.Close() })
	tg.url = startHTTP(t, srv2)
	r := tg.must(200, "GET", "/rs-alias/_alias", nil)
	if get(r.body, "rs-a.aliases.rs-alias") == nil {
		t.Fatalf("alias lost: %s", r.raw)
	}
}

func TestBulkThroughAnAlias(t *testing.T) {
	tg := newTarget(t)
	tg.must(200, "PUT", "/ba-1", `{"aliases":{"ba-w":{"is_write_index":true}}}`)
	tg.must(200, "PUT", "/ba-2", `{"aliases":{"ba-w":{}}}`)
	t.Cleanup(func() { tg.do("DELETE", "/ba-1,ba-2", nil) })
	r := read(t)(tg.es.Bulk(body("{\"index\":{\"_id\":\"1\"}}\n{\"a\":1}\n{\"index\":{\"_id\":\"2\"}}\n{\"a\":2}\n{\"delete\":{\"_id\":\"2\"}}\n"), tg.es.Bulk.WithIndex("ba-w")))
	if r.status != 200 || get(r.body, "errors") != false || get(r.body, "items.2.delete.result") != "deleted" || get(r.body, "items.0.index._index") != "ba-1" {
		t.Fatalf("bulk through an alias: %s", r.raw)
	}
	if r := tg.must(200, "GET", "/ba-1/_count", nil); get(r.body, "count") != float64(1) {
		t.Fatalf("count: %s", r.raw)
	}
}

func TestAliasActionsNameIndices(t *testing.T) {
	tg := newTarget(t)
	tg.must(200, "PUT", "/an-1", `{"aliases":{"an-a":{}}}`)
	t.Cleanup(func() { tg.do("DELETE", "/an-1", nil) })
	r := tg.do("POST", "/_aliases", `{"actions":[{"add":{"index":"an-a","alias":"an-b"}}]}`)
	expectError(t, r, 400, "illegal_argument_exception", "The provided expression [an-a] matches an alias, specify the corresponding concrete indices instead.")
	tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"an-*","alias":"an-b"}}]}`)
	if r := tg.must(200, "GET", "/_alias/an-b", nil); get(r.body, "an-1.aliases.an-b") == nil {
		t.Fatalf("wildcard add: %s", r.raw)
	}
}

func TestAliasActionRules(t *testing.T) {
	tg := newTarget(t)
	tg.setupIndex("ar-old")
	tg.setupIndex("ar-new")
	tg.setupIndex("ar-other")
	// An index replaced by an alias of the same name in one request.
	tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"ar-new","aliases":["ar-old","ar-w"]}},{"remove_index":{"index":"ar-old"}}]}`)
	if r := tg.must(200, "GET", "/ar-old/_count", nil); get(r.body, "_shards.total") != float64(1) {
		t.Fatalf("count through the replacing alias: %s", r.raw)
	}
	if tg.do("GET", "/_alias/ar-old", nil).status != 200 {
		t.Fatal("the replacing alias is missing")
	}
	expectError(t, tg.do("POST", "/_aliases", `{"actions":[{"add":{"index":"ar-new","alias":"x","must_exist":true}}]}`),
		400, "illegal_argument_exception", "[must_exist] is unsupported for [ADD]")
	tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"ar-new","alias":"ar-h","is_hidden":true}}]}`)
	expectError(t, tg.do("POST", "/_aliases", `{"actions":[{"add":{"index":"ar-other","alias":"ar-h"}}]}`), 500, "illegal_state_exception",
		"alias [ar-h] has is_hidden set to true on indices [ar-new] but does not have is_hidden set to true on indices [ar-other]; alias must have the same is_hidden setting on all indices")
}
