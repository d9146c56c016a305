package esemu

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// seedSearch makes two indices: se-a (mapped, 25 documents) and se-b
// (dynamic, 5 documents), with an alias over both.
func seedSearch(tg *target) {
	tg.t.Helper()
	tg.must(200, "PUT", "/se-a", `{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"se-all":{}},
	 "mappings":{"properties":{"n":{"type":"long"},"state":{"type":"keyword"},"title":{"type":"text"},"at":{"type":"date"}}}}`)
	tg.must(200, "PUT", "/se-b", `{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"se-all":{}}}`)
	tg.t.Cleanup(func() { tg.do("DELETE", "/se-a,se-b", nil) })
	var sb strings.Builder
	for i := 1; i <= 25; i++ {
		state := "ACTIVE"
		if i%5 == 0 {
			state = "COMPLETED"
		}
		fmt.Fprintf(&sb, `{"index":{"_index":"se-a","_id":"a%02d"}}`+"\n", i)
		fmt.Fprintf(&sb, `{"n":%d,"state":"%s","title":"Order Number %d","at":"2025-01-%02dT00:00:00Z","nested":{"k":"v%d"}}`+"\n", 26-i, state, i, i, i)
	}
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&sb, `{"index":{"_index":"se-b","_id":"b%d"}}`+"\n", i)
		fmt.Fprintf(&sb, `{"n":%d,"state":"ACTIVE","name":"Doc %d"}`+"\n", 100+i, i)
	}
	tg.must(200, "POST", "/_bulk?refresh=true", sb.String())
}

func hitIDs(r response) []string {
	var out []string
	hits, _ := get(r.body, "hits.hits").([]any)
	for _, h := range hits {
		out = append(out, get(h, "_id").(string))
	}
	return out
}

func TestSearch(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	es := tg.es
	tests := []struct {
		name, path, body string
		total            float64
		ids              []string // the page, in order (nil: not checked)
	}{
		{"match_all default size", "/se-a/_search", `{"query":{"match_all":{}}}`, 25, nil},
		{"ids", "/se-a/_search", `{"query":{"ids":{"values":["a03","a01","zz"]}},"sort":["_id"]}`, 2, []string{"a01", "a03"}},
		{"term on keyword", "/se-a/_search", `{"query":{"term":{"state":"COMPLETED"}},"sort":[{"n":"asc"}]}`, 5, []string{"a25", "a20", "a15", "a10", "a05"}},
		{"term on keyword is exact", "/se-a/_search", `{"query":{"term":{"state":"completed"}}}`, 0, []string{}},
		{"term on text matches a token", "/se-a/_search", `{"query":{"term":{"title":"number"}},"size":0}`, 25, []string{}},
		{"term on long", "/se-a/_search", `{"query":{"term":{"n":{"value":"3"}}}}`, 1, []string{"a23"}},
		{"terms", "/se-a/_search", `{"query":{"terms":{"_id":["a01","a02"]}},"sort":"_id"}`, 2, []string{"a01", "a02"}},
		{"bool filter and must_not", "/se-a/_search", `{"query":{"bool":{"filter":[{"term":{"state":"ACTIVE"}}],"must_not":{"range_free":{}}}}}`, -1, nil},
		{"sort desc with from and size", "/se-a/_search", `{"sort":[{"n":{"order":"desc"}}],"from":2,"size":3}`, 25, []string{"a03", "a04", "a05"}},
		{"sort on a date", "/se-a/_search", `{"sort":[{"at":"desc"}],"size":2}`, 25, []string{"a25", "a24"}},
		{"sort on a nested object field", "/se-a/_search", `{"sort":["nested.k"],"size":2}`, 25, []string{"a01", "a10"}},
		{"dynamic keyword sub-field", "/se-b/_search", `{"query":{"term":{"name.keyword":"Doc 2"}}}`, 1, []string{"b2"}},
		{"across an alias, by _doc", "/se-all/_search", `{"sort":["_doc"],"size":30}`, 30, nil},
		{"across indices by expression", "/se-*,-se-b/_search", `{"size":0}`, 25, []string{}},
		{"uri sort and size", "/se-b/_search?sort=n:desc&size=2", ``, 5, []string{"b5", "b4"}},
		{"q parameter", "/se-b/_search?q=_id:b3", ``, 1, []string{"b3"}},
		{"all indices", "/_search", `{"query":{"exists":{"field":"name"}},"sort":["_id"],"size":1}`, 5, []string{"b1"}},
		{"search_after", "/se-a/_search", `{"sort":[{"n":"asc"},"_id"],"search_after":[23,"a03"],"size":2}`, 25, []string{"a02", "a01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b any
			if tc.body != "" {
				b = tc.body
			}
			r := tg.do("POST", tc.path, b)
			if tc.name == "bool filter and must_not" {
				expectError(t, r, 400, "parsing_exception", "unknown query [range_free]")
				return
			}
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			if got := get(r.body, "hits.total.value"); got != tc.total {
				t.Fatalf("total %v, want %v: %s", got, tc.total, r.raw)
			}
			if get(r.body, "hits.total.relation") != "eq" || get(r.body, "timed_out") != false || get(r.body, "_shards.failed") != float64(0) {
				t.Fatalf("response shape: %s", r.raw)
			}
			if got := hitIDs(r); tc.ids != nil && !slices.Equal(got, tc.ids) && (len(tc.ids) > 0 || len(got) > 0) {
				t.Fatalf("hits %v, want %v", hitIDs(r), tc.ids)
			}
		})
	}

	t.Run("hit shape", func(t *testing.T) {
		r := read(t)(es.Search(es.Search.WithIndex("se-a"), es.Search.WithBody(strings.NewReader(`{"query":{"ids":{"values":["a01"]}}}`))))
		h, _ := get(r.body, "hits.hits.0").(map[string]any)
		if h["_index"] != "se-a" || h["_id"] != "a01" || h["_score"] != 1.0 || get(h, "_source.state") != "ACTIVE" || get(r.body, "hits.max_score") != 1.0 {
			t.Fatalf("hit: %s", r.raw)
		}
		if _, ok := h["sort"]; ok {
			t.Fatal("sort values without a sort")
		}
		r = read(t)(es.Search(es.Search.WithIndex("se-a"), es.Search.WithBody(strings.NewReader(`{"sort":["n"],"size":1,"_source":["state","nested.*"]}`))))
		h, _ = get(r.body, "hits.hits.0").(map[string]any)
		if h["_score"] != nil || get(r.body, "hits.max_score") != nil || get(h, "sort.0") != float64(1) || get(h, "_source.n") != nil || get(h, "_source.nested.k") != "v25" {
			t.Fatalf("sorted hit: %s", r.raw)
		}
		r = read(t)(es.Search(es.Search.WithIndex("se-a"), es.Search.WithSource("false"), es.Search.WithSize(1)))
		if _, ok := get(r.body, "hits.hits.0").(map[string]any)["_source"]; ok {
			t.Fatalf("_source=false: %s", r.raw)
		}
	})
	t.Run("track_total_hits", func(t *testing.T) {
		r := tg.must(200, "POST", "/se-a/_search", `{"track_total_hits":10,"size":0}`)
		if get(r.body, "hits.total.value") != float64(10) || get(r.body, "hits.total.relation") != "gte" {
			t.Fatalf("capped: %s", r.raw)
		}
		r = tg.must(200, "POST", "/se-a/_search", `{"track_total_hits":false,"size":0}`)
		if get(r.body, "hits.total") != nil {
			t.Fatalf("off: %s", r.raw)
		}
		r = tg.must(200, "GET", "/se-a/_search?rest_total_hits_as_int=true&size=0", nil)
		if get(r.body, "hits.total") != float64(25) {
			t.Fatalf("as int: %s", r.raw)
		}
	})
	t.Run("count", func(t *testing.T) {
		for path, want := range map[string]float64{"/_count": 30, "/se-all/_count": 30, "/se-b/_count": 5, "/se-a,se-b/_count?q=state:COMPLETED": 5} {
			r := tg.must(200, "GET", path, nil)
			if get(r.body, "count") != want {
				t.Fatalf("%s: %s", path, r.raw)
			}
		}
		r := read(t)(es.Count(es.Count.WithIndex("se-a"), es.Count.WithBody(strings.NewReader(`{"query":{"term":{"state":"ACTIVE"}}}`))))
		if get(r.body, "count") != float64(20) {
			t.Fatalf("count with a query: %s", r.raw)
		}
		expectError(t, tg.do("POST", "/se-a/_count", `{"size":1}`), 400, "parsing_exception", "request does not support [size]")
	})
}

func TestSearchErrors(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	tests := []struct {
		name, path, body string
		status           int
		typ, reason      string
		rootType         string
	}{
		{"result window", "/se-a/_search", `{"from":9995,"size":10}`, 400, "search_phase_execution_exception", "all shards failed", "illegal_argument_exception"},
		{"negative size", "/se-a/_search", `{"size":-1}`, 400, "illegal_argument_exception", "[size] parameter cannot be negative, found [-1]", ""},
		{"unknown key", "/se-a/_search", `{"querry":{}}`, 400, "parsing_exception", "Unknown key for a START_OBJECT in [querry].", ""},
		{"unknown query", "/se-a/_search", `{"query":{"match_al":{}}}`, 400, "parsing_exception", "unknown query [match_al]", ""},
		{"term on two fields", "/se-a/_search", `{"query":{"term":{"a":"1","b":"2"}}}`, 400, "parsing_exception", "[term] query doesn't support multiple fields, found [a] and [b]", ""},
		{"sort on text", "/se-a/_search", `{"sort":["title"]}`, 400, "search_phase_execution_exception", "all shards failed", "illegal_argument_exception"},
		{"sort on an unmapped field", "/se-a/_search", `{"sort":["missing_field"]}`, 400, "search_phase_execution_exception", "all shards failed", "query_shard_exception"},
		{"search_after with from", "/se-a/_search", `{"sort":["n"],"search_after":[1],"from":1}`, 400, "action_request_validation_exception",
			"Validation Failed: 1: [from] parameter must be set to 0 when [search_after] is used;", ""},
		{"search_after arity", "/se-a/_search", `{"sort":["n"],"search_after":[1,2]}`, 400, "search_phase_execution_exception", "all shards failed", "illegal_argument_exception"},
		{"from in a scroll", "/se-a/_search?scroll=1m", `{"from":5}`, 400, "action_request_validation_exception",
			"Validation Failed: 1: using [from] is not allowed in a scroll context;", ""},
		{"missing index", "/se-none/_search", ``, 404, "index_not_found_exception", "no such index [se-none]", ""},
		{"unknown parameter", "/se-a/_search?sizes=1", ``, 400, "illegal_argument_exception", "request [/se-a/_search] contains unrecognized parameter: [sizes]", ""},
		{"bad scroll id", "/_search/scroll", `{"scroll_id":"???"}`, 400, "illegal_argument_exception", "Cannot parse scroll id", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b any
			if tc.body != "" {
				b = tc.body
			}
			r := tg.do("POST", tc.path, b)
			expectError(t, r, tc.status, tc.typ, tc.reason)
			if tc.rootType != "" && get(r.body, "error.root_cause.0.type") != tc.rootType {
				t.Fatalf("root cause: %s", r.raw)
			}
		})
	}
	t.Run("closed index", func(t *testing.T) {
		tg.must(200, "POST", "/se-b/_close", nil)
		defer tg.must(200, "POST", "/se-b/_open", nil)
		expectError(t, tg.do("GET", "/se-b/_search", nil), 400, "index_closed_exception", "closed")
	})
}

func TestScroll(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	es := tg.es
	r := read(t)(es.Search(es.Search.WithIndex("se-all"), es.Search.WithScroll(60e9), es.Search.WithSize(7), es.Search.WithSort("_doc")))
	id, _ := r.body["_scroll_id"].(string)
	if r.status != 200 || id == "" || get(r.body, "hits.total.value") != float64(30) {
		t.Fatalf("scroll start: %s", r.raw)
	}
	seen := hitIDs(r)
	for pages := 0; pages < 10; pages++ {
		r = read(t)(es.Scroll(es.Scroll.WithScrollID(id), es.Scroll.WithScroll(60e9)))
		if r.status != 200 {
			t.Fatalf("scroll: %s", r.raw)
		}
		page := hitIDs(r)
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(seen) != 30 || len(slices.Compact(sorted)) != 30 {
		t.Fatalf("scroll read %d documents (%d distinct), want 30", len(seen), len(slices.Compact(sorted)))
	}
	if tg.srv != nil && tg.srv.OpenScrolls() != 1 {
		t.Fatalf("open scrolls %d", tg.srv.OpenScrolls())
	}
	r = read(t)(es.ClearScroll(es.ClearScroll.WithScrollID(id)))
	if r.status != 200 || get(r.body, "num_freed") != float64(1) || get(r.body, "succeeded") != true {
		t.Fatalf("clear: %s", r.raw)
	}
	r = read(t)(es.ClearScroll(es.ClearScroll.WithScrollID(id)))
	if r.status != 404 || get(r.body, "num_freed") != float64(0) {
		t.Fatalf("clear again: %s", r.raw)
	}
	r = tg.do("POST", "/_search/scroll", map[string]any{"scroll": "1m", "scroll_id": id})
	expectError(t, r, 404, "search_phase_execution_exception", "all shards failed")
	if get(r.body, "error.root_cause.0.type") != "search_context_missing_exception" {
		t.Fatalf("root cause: %s", r.raw)
	}
	t.Run("scroll contexts expire", func(t *testing.T) {
		srv := tg.emulator()
		tg.must(200, "GET", "/se-b/_search?scroll=1ms&size=1", nil)
		deadline := 200
		for srv.OpenScrolls() > 0 && deadline > 0 {
			deadline--
			tg.do("GET", "/", nil)
		}
		if srv.OpenScrolls() != 0 {
			t.Fatal("an expired scroll stayed open")
		}
	})
}

// TestReadIndexWhole reads an index of over a thousand documents the ways
// dump tools do: a scroll sorted by _doc, and search_after pages sorted by
// _id; every document comes back once, with its source.
func TestReadIndexWhole(t *testing.T) {
	tg := newTarget(t)
	const docs = 1200
	var sb strings.Builder
	for i := range docs {
		fmt.Fprintf(&sb, `{"index":{"_index":"whole","_id":"d%05d"}}`+"\n"+`{"n":%d}`+"\n", i, i)
	}
	tg.must(200, "POST", "/_bulk?refresh=true", sb.String())
	t.Cleanup(func() { tg.do("DELETE", "/whole", nil) })
	check := func(t *testing.T, seen map[string]float64) {
		t.Helper()
		if len(seen) != docs {
			t.Fatalf("read %d documents, want %d", len(seen), docs)
		}
		for id, n := range seen {
			if id != fmt.Sprintf("d%05d", int(n)) {
				t.Fatalf("document %s has source n=%v", id, n)
			}
		}
	}
	addPage := func(t *testing.T, seen map[string]float64, r response) int {
		t.Helper()
		hits, _ := get(r.body, "hits.hits").([]any)
		for _, h := range hits {
			id := get(h, "_id").(string)
			if _, dup := seen[id]; dup {
				t.Fatalf("document %s read twice", id)
			}
			seen[id], _ = get(h, "_source.n").(float64)
		}
		return len(hits)
	}
	t.Run("scroll", func(t *testing.T) {
		seen := map[string]float64{}
		r := tg.must(200, "POST", "/whole/_search?scroll=1m", `{"size":250,"sort":["_doc"],"query":{"match_all":{}}}`)
		id, _ := r.body["_scroll_id"].(string)
		for addPage(t, seen, r) > 0 {
			r = tg.must(200, "POST", "/_search/scroll", map[string]any{"scroll": "1m", "scroll_id": id})
		}
		tg.must(200, "DELETE", "/_search/scroll", map[string]any{"scroll_id": id})
		check(t, seen)
	})
	t.Run("search_after", func(t *testing.T) {
		seen := map[string]float64{}
		var after []any
		for {
			b := map[string]any{"size": 350, "sort": []any{map[string]any{"_id": "asc"}}}
			if after != nil {
				b["search_after"] = after
			}
			r := tg.must(200, "POST", "/whole/_search", b)
			if addPage(t, seen, r) == 0 {
				break
			}
			hits := get(r.body, "hits.hits").([]any)
			after = get(hits[len(hits)-1], "sort").([]any)
		}
		check(t, seen)
	})
}

func TestScrollCountsExactly(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	r := tg.must(200, "GET", "/se-b/_search?size=0&track_total_hits=3", nil)
	if get(r.body, "hits.total.value") != float64(3) || get(r.body, "hits.total.relation") != "gte" {
		t.Fatalf("capped total: %s", r.raw)
	}
	r = tg.must(200, "GET", "/se-b/_search?scroll=1m&size=1", nil)
	if get(r.body, "hits.total.value") != float64(5) || get(r.body, "hits.total.relation") != "eq" {
		t.Fatalf("scroll total: %s", r.raw)
	}
}

func TestFilteredAlias(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"se-a","alias":"se-done","filter":{"term":{"state":"COMPLETED"}}}},
		{"add":{"index":"se-a","alias":"se-odd","filter":{"range":{"n":{"gte":1}}}}}]}`)
	for path, want := range map[string]float64{"/se-done/_count": 5, "/se-a/_count": 25, "/se-done,se-a/_count": 25, "/se-done,se-b/_count": 10} {
		if r := tg.must(200, "GET", path, nil); get(r.body, "count") != want {
			t.Fatalf("%s: %s, want %v", path, r.raw, want)
		}
	}
	r := tg.must(200, "POST", "/se-done/_search", `{"sort":["n"],"size":1}`)
	if get(r.body, "hits.total.value") != float64(5) || get(r.body, "hits.hits.0._id") != "a25" {
		t.Fatalf("search through a filtered alias: %s", r.raw)
	}
	if tg.srv != nil {
		expectError(t, tg.do("GET", "/se-odd/_search", nil), 400, "illegal_argument_exception", "the filter of alias [se-odd] uses a query this server does not evaluate")
	}
}

// TestSearchDuringMappingChanges runs searches while mappings and settings
// change, for the race detector.
func TestSearchDuringMappingChanges(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			tg.do("PUT", "/se-a/_mapping", fmt.Sprintf(`{"properties":{"f%d":{"type":"keyword"}}}`, i))
			tg.do("PUT", "/se-a/_settings", fmt.Sprintf(`{"index":{"max_result_window":%d}}`, 10000+i))
		}
	}()
	for range 20 {
		tg.must(200, "POST", "/se-a/_search", `{"sort":["n"],"size":1}`)
	}
	<-done
}

func TestPointInTime(t *testing.T) {
	tg := newTarget(t)
	seedSearch(tg)
	es := tg.es
	r := read(t)(es.OpenPointInTime([]string{"se-all"}, "1m"))
	id, _ := r.body["id"].(string)
	if r.status != 200 || id == "" || get(r.body, "_shards.total") != float64(2) {
		t.Fatalf("open: %s", r.raw)
	}
	seen := map[string]bool{}
	var after []any
	for range 10 {
		b := map[string]any{"size": 7, "sort": []any{map[string]any{"n": "asc"}}, "pit": map[string]any{"id": id, "keep_alive": "1m"}}
		if after != nil {
			b["search_after"] = after
		}
		r = tg.must(200, "POST", "/_search", b)
		if r.body["pit_id"] != id {
			t.Fatalf("pit_id: %s", r.raw)
		}
		hits, _ := get(r.body, "hits.hits").([]any)
		if len(hits) == 0 {
			break
		}
		for _, h := range hits {
			seen[get(h, "_id").(string)] = true
		}
		after, _ = get(hits[len(hits)-1], "sort").([]any)
		if len(after) != 2 {
			t.Fatalf("sort values without the _shard_doc tiebreaker: %v", after)
		}
	}
	if len(seen) != 30 {
		t.Fatalf("read %d documents through the point in time, want 30", len(seen))
	}
	expectError(t, tg.do("POST", "/se-a/_search", map[string]any{"pit": map[string]any{"id": id}}), 400, "action_request_validation_exception",
		"Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any index with point in time.;")
	expectError(t, tg.do("POST", "/se-a/_pit", nil), 400, "action_request_validation_exception", "Validation Failed: 1: [keep_alive] is not specified;")
	r = read(t)(es.ClosePointInTime(es.ClosePointInTime.WithBody(strings.NewReader(`{"id":"` + id + `"}`))))
	if r.status != 200 || get(r.body, "num_freed") != float64(1) {
		t.Fatalf("close: %s", r.raw)
	}
	r = tg.do("POST", "/_search", map[string]any{"pit": map[string]any{"id": id}})
	expectError(t, r, 404, "search_phase_execution_exception", "all shards failed")
	if get(r.body, "error.root_cause.0.type") != "search_context_missing_exception" {
		t.Fatalf("root cause: %s", r.raw)
	}
	if r := tg.do("DELETE", "/_pit", map[string]any{"id": id}); r.status != 404 || get(r.body, "num_freed") != float64(0) {
		t.Fatalf("close again: %s", r.raw)
	}
}
