package esemu

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestIndexLifecycle(t *testing.T) {
	tg := newTarget(t)
	r := tg.must(200, "PUT", "/test_indices_create", nil)
	t.Cleanup(func() { tg.do("DELETE", "/test_indices_create", nil) })
	if r.body["acknowledged"] != true || r.body["index"] != "test_indices_create" {
		t.Fatalf("create: %s", r.raw)
	}
	exists, err := tg.es.Indices.Exists([]string{"test_indices_create"})
	if err != nil || exists.StatusCode != 200 {
		t.Fatalf("exists: %v %v", err, exists)
	}
	missing, err := tg.es.Indices.Exists([]string{"index_that_shouldnt_exist"})
	if err != nil || missing.StatusCode != 404 {
		t.Fatalf("exists missing: %v %v", err, missing)
	}
	dup := tg.do("PUT", "/test_indices_create", nil)
	expectError(t, dup, 400, "resource_already_exists_exception", "")
	uuid, _ := get(dup.body, "error.index_uuid").(string)
	if get(dup.body, "error.reason") != "index [test_indices_create/"+uuid+"] already exists" || get(dup.body, "error.index") != "test_indices_create" {
		t.Fatalf("already exists: %s", dup.raw)
	}
	got := tg.must(200, "GET", "/test_indices_create", nil)
	if get(got.body, "test_indices_create.settings.index.number_of_shards") != "1" {
		t.Fatalf("get index: %s", got.raw)
	}
	tg.must(200, "POST", "/test_indices_create/_close", nil)
	closed := tg.must(200, "GET", "/_cat/indices/test_indices_create?h=status", nil)
	if strings.TrimSpace(closed.raw) != "close" {
		t.Fatalf("closed status: %q", closed.raw)
	}
	tg.must(200, "POST", "/test_indices_create/_open", nil)
	del := tg.must(200, "DELETE", "/test_indices_create", nil)
	if del.body["acknowledged"] != true {
		t.Fatalf("delete: %s", del.raw)
	}
	expectError(t, tg.do("DELETE", "/test_indices_create", nil), 404, "index_not_found_exception", "no such index [test_indices_create]")
}

func TestIndexExpressions(t *testing.T) {
	tg := newTarget(t)
	for _, n := range []string{"expr-a1", "expr-a2", "expr-b1"} {
		tg.setupIndex(n)
	}
	names := func(r response) string {
		var out []string
		for k := range r.body {
			out = append(out, k)
		}
		return strings.Join(sortStrings(out), ",")
	}
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/expr-*", 200, "expr-a1,expr-a2,expr-b1"},
		{"/expr-*,-expr-a*", 200, "expr-b1"},
		{"/expr-a1,expr-b1", 200, "expr-a1,expr-b1"},
		{"/expr-a1,nope", 404, ""},
		{"/expr-a1,nope?ignore_unavailable=true", 200, "expr-a1"},
		{"/nomatch-*", 200, ""},
		{"/nomatch-*?allow_no_indices=false", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := tg.do("GET", tc.path, nil)
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if tc.status == 200 && names(r) != tc.want {
				t.Fatalf("got %s, want %s", names(r), tc.want)
			}
		})
	}
	tg.must(200, "POST", "/expr-b1/_close", nil)
	if r := tg.must(200, "GET", "/expr-*?expand_wildcards=open", nil); names(r) != "expr-a1,expr-a2" {
		t.Fatalf("open only: %s", names(r))
	}
	expectError(t, tg.do("DELETE", "/expr-a*", nil), 400, "illegal_argument_exception", "Wildcard expressions or all indices are not allowed")
	tg.must(200, "PUT", "/_cluster/settings", `{"transient":{"action.destructive_requires_name":false}}`)
	t.Cleanup(func() { tg.do("PUT", "/_cluster/settings", `{"transient":{"action.destructive_requires_name":null}}`) })
	tg.must(200, "DELETE", "/expr-a*", nil)
	if r := tg.must(200, "GET", "/expr-*?expand_wildcards=all", nil); names(r) != "expr-b1" {
		t.Fatalf("after wildcard delete: %s", names(r))
	}
}

func TestIndexNameRules(t *testing.T) {
	tg := newTarget(t)
	tests := []struct{ name, reason string }{
		{"UPPER", "Invalid index name [UPPER], must be lowercase"},
		{"_under", "Invalid index name [_under], must not start with '_', '-', or '+'"},
		{"-dash", "Invalid index name [-dash], must not start with '_', '-', or '+'"},
		{"a%23b", "Invalid index name [a#b], must not contain '#'"},
		{"a:b", "Invalid index name [a:b], must not contain ':'"},
		{"a%3Fb", `Invalid index name [a?b], must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?]`},
		{strings.Repeat("x", 256), "Invalid index name [" + strings.Repeat("x", 256) + "], index name is too long, (256 > 255)"},
	}
	for _, tc := range tests {
		t.Run(tc.name[:min(len(tc.name), 10)], func(t *testing.T) {
			expectError(t, tg.do("PUT", "/"+tc.name, nil), 400, "invalid_index_name_exception", tc.reason)
		})
	}
}

func TestDocumentsAndCount(t *testing.T) {
	tg := newTarget(t)
	tg.setupIndex("docs_idx")
	r := tg.must(201, "PUT", "/docs_idx/_doc/1", map[string]any{"title": "one"})
	if r.body["result"] != "created" || r.body["_version"] != float64(1) {
		t.Fatalf("index: %s", r.raw)
	}
	r = tg.must(200, "PUT", "/docs_idx/_doc/1", map[string]any{"title": "uno"})
	if r.body["result"] != "updated" || r.body["_version"] != float64(2) {
		t.Fatalf("update: %s", r.raw)
	}
	auto := tg.must(201, "POST", "/docs_idx/_doc", map[string]any{"title": "auto"})
	if id, _ := auto.body["_id"].(string); id == "" {
		t.Fatalf("auto id: %s", auto.raw)
	}
	bulk := "{\"index\":{\"_index\":\"docs_idx\",\"_id\":\"b1\"}}\n{\"n\":1}\n{\"create\":{\"_id\":\"b2\"}}\n{\"n\":2}\n{\"delete\":{\"_id\":\"b1\"}}\n"
	br := tg.doHeaders("POST", "/docs_idx/_bulk?refresh=true", bulk, map[string]string{"Content-Type": "application/x-ndjson"})
	if br.status != 200 || br.body["errors"] != false || len(br.body["items"].([]any)) != 3 {
		t.Fatalf("bulk: %s", br.raw)
	}
	tg.must(200, "POST", "/_refresh", nil)
	g := tg.must(200, "GET", "/docs_idx/_doc/1", nil)
	if get(g.body, "_source.title") != "uno" || g.body["found"] != true {
		t.Fatalf("get: %s", g.raw)
	}
	if nf := tg.do("GET", "/docs_idx/_doc/nope", nil); nf.status != 404 || nf.body["found"] != false {
		t.Fatalf("missing doc: %s", nf.raw)
	}
	c := tg.must(200, "GET", "/docs_idx/_count", nil)
	if c.body["count"] != float64(3) {
		t.Fatalf("count: %s", c.raw)
	}
	expectError(t, tg.do("GET", "/nope_idx/_count", nil), 404, "index_not_found_exception", "no such index [nope_idx]")
	expectError(t, tg.do("PUT", "/docs_idx/_doc/2", `{"broken":`), 400, "x_content_parse_exception", "")
}

func TestCatIndices(t *testing.T) {
	tg := newTarget(t)
	tg.setupIndex("test_sl_cat_indices", map[string]any{"a": 1})
	res, err := tg.es.Cat.Indices(tg.es.Cat.Indices.WithIndex("test_sl_cat_indices"), tg.es.Cat.Indices.WithFormat("json"))
	if err != nil || res.IsError() {
		t.Fatalf("cat indices: %v %v", err, res)
	}
	defer res.Body.Close()
	var rows []map[string]any
	if err := json.NewDecoder(res.Body).Decode(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["index"] != "test_sl_cat_indices" || rows[0]["docs.count"] != "1" || rows[0]["health"] != "green" {
		t.Fatalf("rows: %v", rows)
	}
	text := tg.must(200, "GET", "/_cat/indices/test_sl_cat_indices?v=true&h=index,docs.count,dc", nil)
	lines := strings.Split(strings.TrimSuffix(text.raw, "\n"), "\n")
	if len(lines) != 2 || strings.Fields(lines[0])[0] != "index" || strings.Join(strings.Fields(lines[1]), " ") != "test_sl_cat_indices 1 1" {
		t.Fatalf("text: %q", text.raw)
	}
	if ct := text.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("content type %s", ct)
	}
	if r := tg.must(200, "GET", "/_cat/indices?help", nil); !strings.Contains(r.raw, "docs.count") {
		t.Fatalf("help: %s", r.raw)
	}
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
