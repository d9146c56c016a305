package esemu

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The cases below follow, condensed and in the project's words, the
// scenarios of Elasticsearch's own REST API tests for the endpoints a
// restore leans on: aliases (put, get, exists, update, delete), mappings,
// settings, count, search, scroll and recovery. Each step is a request and
// the checks Elasticsearch's tests make on its answer.

// restStep is one request of a REST scenario and what its answer must hold.
type restStep struct {
	method, path, body string
	status             int
	match              map[string]any // dotted path → value; nil value: must be absent
	errType            string
}

func runSteps(t *testing.T, tg *target, steps []restStep) {
	t.Helper()
	for i, st := range steps {
		var b any
		if st.body != "" {
			b = st.body
		}
		r := tg.do(st.method, st.path, b)
		want := st.status
		if want == 0 {
			want = 200
		}
		if r.status != want {
			t.Fatalf("step %d %s %s: status %d, want %d: %s", i+1, st.method, st.path, r.status, want, r.raw)
		}
		if st.errType != "" && get(r.body, "error.type") != st.errType {
			t.Fatalf("step %d %s %s: error type %v, want %s: %s", i+1, st.method, st.path, get(r.body, "error.type"), st.errType, r.raw)
		}
		for path, v := range st.match {
			got := get(r.body, path)
			if v == nil {
				if got != nil {
					t.Fatalf("step %d %s %s: %s is %v, want absent: %s", i+1, st.method, st.path, path, got, r.raw)
				}
				continue
			}
			if wb, _ := json.Marshal(v); string(mustJSON(got)) != string(wb) {
				t.Fatalf("step %d %s %s: %s is %s, want %s: %s", i+1, st.method, st.path, path, mustJSON(got), wb, r.raw)
			}
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestRESTAliases(t *testing.T) {
	tg := newTarget(t)
	t.Cleanup(func() { tg.do("DELETE", "/rt_index,rt_index_2", nil) })
	runSteps(t, tg, []restStep{
		// put_alias: basic, existence, lookup.
		{method: "PUT", path: "/rt_index"},
		{method: "PUT", path: "/rt_index_2"},
		{method: "HEAD", path: "/_alias/rt_alias", status: 404},
		{method: "PUT", path: "/rt_index/_alias/rt_alias", match: map[string]any{"acknowledged": true}},
		{method: "HEAD", path: "/_alias/rt_alias"},
		{method: "GET", path: "/_alias/rt_alias", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}, "rt_index_2": nil}},
		// put_alias refuses bad names and index names.
		{method: "PUT", path: "/rt_index/_alias/rt_*", status: 400, errType: "invalid_alias_name_exception"},
		{method: "PUT", path: "/rt_index/_alias/rt_index_2", status: 400, errType: "invalid_alias_name_exception"},
		// put_alias with a body: write index and routing.
		{method: "PUT", path: "/rt_index/_alias/rt_write", body: `{"is_write_index":true,"routing":"5"}`},
		{method: "GET", path: "/rt_index/_alias/rt_write", match: map[string]any{
			"rt_index.aliases.rt_write": map[string]any{"index_routing": "5", "search_routing": "5", "is_write_index": true}}},
		// get_alias: every path form.
		{method: "GET", path: "/_alias", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}, "rt_index_2.aliases": map[string]any{}}},
		{method: "GET", path: "/rt_index/_alias", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}, "rt_index_2": nil}},
		{method: "GET", path: "/rt_index/_alias/_all", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}}},
		{method: "GET", path: "/rt_index/_alias/*", match: map[string]any{"rt_index.aliases.rt_write.is_write_index": true}},
		{method: "GET", path: "/rt_index/_alias/rt_a*", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}, "rt_index.aliases.rt_write": nil}},
		{method: "GET", path: "/_all/_alias/rt_alias,rt_write", match: map[string]any{"rt_index.aliases.rt_write.is_write_index": true}},
		{method: "GET", path: "/rt_index/_alias/nope", status: 404, match: map[string]any{"error": "alias [nope] missing", "status": 404}},
		{method: "GET", path: "/_alias/rt_alias,nope", status: 404, match: map[string]any{"error": "alias [nope] missing", "rt_index.aliases.rt_alias": map[string]any{}}},
		{method: "GET", path: "/nope_index/_alias", status: 404, errType: "index_not_found_exception"},
		// update_aliases: several at once, filter, removal by wildcard, must_exist.
		{method: "POST", path: "/_aliases", body: `{"actions":[{"add":{"indices":["rt_index","rt_index_2"],"aliases":["rt_both","rt_both_2"]}},
			{"add":{"index":"rt_index_2","alias":"rt_filtered","filter":{"term":{"user":"kimchy"}}}}]}`, match: map[string]any{"acknowledged": true}},
		{method: "GET", path: "/_alias/rt_both*", match: map[string]any{"rt_index.aliases.rt_both_2": map[string]any{}, "rt_index_2.aliases.rt_both": map[string]any{}}},
		{method: "GET", path: "/_alias/rt_filtered", match: map[string]any{"rt_index_2.aliases.rt_filtered.filter.term.user": "kimchy"}},
		{method: "POST", path: "/_aliases", body: `{"actions":[{"remove":{"index":"rt_index_2","alias":"rt_both*"}}]}`},
		{method: "GET", path: "/rt_index_2/_alias/rt_both*", match: map[string]any{"rt_index_2": nil}},
		{method: "POST", path: "/_aliases", body: `{"actions":[{"remove":{"index":"rt_index","aliases":["rt_both","nope"],"must_exist":true}}]}`,
			status: 404, errType: "aliases_not_found_exception"},
		{method: "HEAD", path: "/_alias/rt_both"},
		{method: "POST", path: "/_aliases", body: `{"actions":[{"add":{"index":"rt_index","alias":"rt_hidden","is_hidden":true}}]}`},
		{method: "GET", path: "/_alias/rt_hidden", match: map[string]any{"rt_index.aliases.rt_hidden.is_hidden": true}},
		// delete_alias: path forms, then a missing one.
		{method: "DELETE", path: "/_all/_alias/rt_both*", match: map[string]any{"acknowledged": true}},
		{method: "DELETE", path: "/rt_index/_aliases/rt_hidden"},
		{method: "HEAD", path: "/_alias/rt_both", status: 404},
		{method: "DELETE", path: "/rt_index/_alias/rt_both", status: 404, errType: "aliases_not_found_exception"},
		// Index APIs through an alias: get, exists, delete refused.
		{method: "GET", path: "/rt_alias", match: map[string]any{"rt_index.aliases.rt_alias": map[string]any{}}},
		{method: "DELETE", path: "/rt_alias", status: 400, errType: "illegal_argument_exception"},
		// An index created with aliases.
		{method: "PUT", path: "/rt_index_3", body: `{"aliases":{"rt_three":{},"rt_three_w":{"is_write_index":false}}}`},
		{method: "GET", path: "/rt_index_3/_alias", match: map[string]any{"rt_index_3.aliases.rt_three_w.is_write_index": false}},
		{method: "DELETE", path: "/rt_index_3"},
		{method: "HEAD", path: "/_alias/rt_three", status: 404},
		// _cat/aliases.
		{method: "GET", path: "/_cat/aliases/rt_alias?format=json"},
	})
	txt := tg.must(200, "GET", "/_cat/aliases?v=true&h=alias,index,is_write_index", nil).raw
	if !regexp.MustCompile(`(?m)^rt_write\s+rt_index\s+true\s*$`).MatchString(txt) || !strings.HasPrefix(txt, "alias") {
		t.Fatalf("_cat/aliases:\n%s", txt)
	}
}

func TestRESTMappingsAndSettings(t *testing.T) {
	tg := newTarget(t)
	t.Cleanup(func() { tg.do("DELETE", "/rt_map_1,rt_map_2", nil) })
	runSteps(t, tg, []restStep{
		{method: "PUT", path: "/rt_map_1", body: `{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"properties":{"text":{"type":"text","analyzer":"whitespace"}}}}`},
		{method: "PUT", path: "/rt_map_2"},
		{method: "GET", path: "/_mapping", match: map[string]any{"rt_map_1.mappings.properties.text.type": "text",
			"rt_map_1.mappings.properties.text.analyzer": "whitespace", "rt_map_2.mappings": map[string]any{}}},
		{method: "GET", path: "/rt_map_1/_mapping", match: map[string]any{"rt_map_2": nil}},
		{method: "GET", path: "/rt_map_*/_mapping", match: map[string]any{"rt_map_2.mappings": map[string]any{}}},
		{method: "GET", path: "/_all/_mapping", match: map[string]any{"rt_map_1.mappings.properties.text.type": "text"}},
		{method: "GET", path: "/rt_map_1,rt_map_2/_mapping", match: map[string]any{"rt_map_2.mappings": map[string]any{}}},
		{method: "GET", path: "/rt_map_none/_mapping", status: 404, errType: "index_not_found_exception"},
		{method: "GET", path: "/rt_map_none/_mapping?ignore_unavailable=true"},
		{method: "GET", path: "/_settings", match: map[string]any{"rt_map_1.settings.index.number_of_shards": "1", "rt_map_2.settings.index.number_of_replicas": "1"}},
		{method: "GET", path: "/rt_map_1/_settings/_all", match: map[string]any{"rt_map_1.settings.index.number_of_replicas": "0"}},
		{method: "GET", path: "/rt_map_1/_settings/index.number_of_shards", match: map[string]any{"rt_map_1.settings.index.number_of_shards": "1",
			"rt_map_1.settings.index.number_of_replicas": nil}},
		{method: "GET", path: "/rt_map_1/_settings?include_defaults=true", match: map[string]any{"rt_map_1.defaults.index.max_result_window": "10000"}},
	})
	r := tg.must(200, "GET", "/_settings/index.number_*?flat_settings=true", nil)
	if s, _ := get(r.body, "rt_map_2.settings").(map[string]any); s["index.number_of_shards"] != "1" || len(s) != 2 {
		t.Fatalf("flat settings: %s", r.raw)
	}
}

func TestRESTCountSearchScroll(t *testing.T) {
	tg := newTarget(t)
	t.Cleanup(func() { tg.do("DELETE", "/rt_s_1,rt_s_2", nil) })
	runSteps(t, tg, []restStep{
		// count/10_basic
		{method: "PUT", path: "/rt_s_1"},
		{method: "PUT", path: "/rt_s_1/_doc/1?refresh=true", body: `{"foo":"bar"}`, status: 201},
		{method: "GET", path: "/rt_s_1/_count", match: map[string]any{"count": 1, "_shards.total": 1}},
		{method: "POST", path: "/rt_s_1/_count", body: `{"query":{"match":{"foo":"bar"}}}`, match: map[string]any{"count": 1}},
		{method: "POST", path: "/rt_s_1/_count", body: `{"query":{"match":{"foo":"test"}}}`, match: map[string]any{"count": 0}},
		{method: "GET", path: "/_count", match: map[string]any{"count": 1}},
		{method: "POST", path: "/rt_s_1/_count", body: `{"query":{"match":{"foo":"bar"}},"from":0}`, status: 400, errType: "parsing_exception"},
		// search/20_default_values
		{method: "PUT", path: "/rt_s_2"},
		{method: "PUT", path: "/rt_s_2/_doc/42?refresh=true", body: `{"foo":"bar"}`, status: 201},
		{method: "PUT", path: "/rt_s_1/_doc/2?refresh=true", body: `{"foo":"baz"}`, status: 201},
		{method: "POST", path: "/_all/_search", body: `{"query":{"match":{"foo":"bar"}}}`, match: map[string]any{
			"hits.total.value": 2, "hits.total.relation": "eq", "_shards.total": 2}},
		{method: "POST", path: "/rt_s_2/_search", body: `{"query":{"match":{"foo":"bar"}}}`, match: map[string]any{
			"hits.total.value": 1, "hits.hits.0._index": "rt_s_2", "hits.hits.0._id": "42", "hits.hits.0._source.foo": "bar"}},
		{method: "GET", path: "/_search", match: map[string]any{"hits.total.value": 3, "timed_out": false, "_shards.failed": 0}},
		{method: "POST", path: "/_search?rest_total_hits_as_int=true", body: `{"query":{"term":{"foo":"baz"}}}`, match: map[string]any{"hits.total": 1}},
		// search/10_source_filtering
		{method: "PUT", path: "/rt_s_2/_doc/43?refresh=true", body: `{"include":{"field1":"v1","field2":"v2"},"count":1}`, status: 201},
		{method: "POST", path: "/rt_s_2/_search", body: `{"query":{"ids":{"values":["43"]}},"_source":false}`, match: map[string]any{"hits.hits.0._source": nil}},
		{method: "POST", path: "/rt_s_2/_search", body: `{"query":{"ids":{"values":["43"]}},"_source":"include.field1"}`, match: map[string]any{
			"hits.hits.0._source.include.field1": "v1", "hits.hits.0._source.include.field2": nil, "hits.hits.0._source.count": nil}},
		{method: "POST", path: "/rt_s_2/_search", body: `{"query":{"ids":{"values":["43"]}},"_source":{"includes":"include","excludes":"*.field2"}}`, match: map[string]any{
			"hits.hits.0._source.include.field1": "v1", "hits.hits.0._source.include.field2": nil}},
		{method: "GET", path: "/rt_s_2/_search?q=_id:43&_source_includes=count", match: map[string]any{"hits.hits.0._source": map[string]any{"count": 1}}},
		// scroll/10_basic, condensed
		{method: "POST", path: "/rt_s_1/_search?scroll=1m", body: `{"query":{"match_all":{}},"size":0}`, status: 400, errType: "action_request_validation_exception"},
		{method: "DELETE", path: "/_search/scroll", body: `{"scroll_id":"` + base64Scroll("99") + `"}`, status: 404, match: map[string]any{"succeeded": true, "num_freed": 0}},
		{method: "DELETE", path: "/_search/scroll/_all", match: map[string]any{"succeeded": true}},
	})
	// A scroll over two documents, one per page, then cleared.
	r := tg.must(200, "POST", "/rt_s_1/_search?scroll=1m", `{"query":{"match_all":{}},"size":1,"sort":["_id"]}`)
	id, _ := r.body["_scroll_id"].(string)
	if get(r.body, "hits.total.value") != float64(2) || get(r.body, "hits.hits.0._id") != "1" {
		t.Fatalf("scroll start: %s", r.raw)
	}
	r = tg.must(200, "POST", "/_search/scroll?rest_total_hits_as_int=true", map[string]any{"scroll_id": id, "scroll": "1m"})
	if get(r.body, "hits.total") != float64(2) || get(r.body, "hits.hits.0._id") != "2" || r.body["_scroll_id"] != id {
		t.Fatalf("scroll page 2: %s", r.raw)
	}
	r = tg.must(200, "GET", "/_search/scroll/"+id+"?scroll=1m", nil)
	if hits, _ := get(r.body, "hits.hits").([]any); len(hits) != 0 {
		t.Fatalf("scroll past the end: %s", r.raw)
	}
	r = tg.must(200, "DELETE", "/_search/scroll", map[string]any{"scroll_id": []string{id}})
	if get(r.body, "num_freed") != float64(1) {
		t.Fatalf("clear scroll: %s", r.raw)
	}
}

// base64Scroll is a well-formed scroll id of a context that does not exist.
func base64Scroll(n string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(scrollIDPrefix + n + ":AAAAAAAAAAAAAAAAAAAAAA"))
}

func TestRESTRecovery(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("rt_repo")
	t.Cleanup(func() { tg.do("DELETE", "/rt_rec", nil) })
	runSteps(t, tg, []restStep{
		{method: "PUT", path: "/rt_rec", body: `{"settings":{"number_of_shards":1,"number_of_replicas":0}}`},
		{method: "PUT", path: "/rt_rec/_doc/1?refresh=true", body: `{"foo":"bar"}`, status: 201},
		{method: "GET", path: "/rt_rec/_recovery", match: map[string]any{"rt_rec.shards.0.type": "EMPTY_STORE", "rt_rec.shards.0.stage": "DONE"}},
		{method: "PUT", path: "/_snapshot/rt_repo/rt_snap?wait_for_completion=true", body: `{"indices":"rt_rec"}`, match: map[string]any{"snapshot.state": "SUCCESS"}},
		{method: "POST", path: "/rt_rec/_close"},
		{method: "POST", path: "/_snapshot/rt_repo/rt_snap/_restore?wait_for_completion=true", match: map[string]any{"snapshot.shards.successful": 1}},
		{method: "GET", path: "/rt_rec/_recovery", match: map[string]any{"rt_rec.shards.0.type": "SNAPSHOT", "rt_rec.shards.0.stage": "DONE",
			"rt_rec.shards.0.index.files.recovered": 1, "rt_rec.shards.0.source.repository": "rt_repo", "rt_rec.shards.0.source.snapshot": "rt_snap"}},
		{method: "GET", path: "/_cat/recovery/rt_none", status: 404, errType: "index_not_found_exception"},
	})
	// cat.recovery/10_basic checks the text table by pattern.
	txt := tg.must(200, "GET", "/_cat/recovery/rt_rec", nil).raw
	row := regexp.MustCompile(`^rt_rec\s+0\s+\d+(\.\d+)?m?s\s+snapshot\s+done\s+n/a\s+n/a\s+127\.0\.0\.1\s+\S+\s+rt_repo\s+rt_snap\s+1\s+1\s+100\.0%\s+1\s+\d+\s+\d+\s+100\.0%\s+\d+\s+0\s+0\s+100\.0%\s*$`)
	if !row.MatchString(strings.TrimSpace(txt)) {
		t.Fatalf("_cat/recovery row:\n%s", txt)
	}
	hdr := strings.Fields(strings.Split(tg.must(200, "GET", "/_cat/recovery?v=true", nil).raw, "\n")[0])
	want := "index shard time type stage source_host source_node target_host target_node repository snapshot files files_recovered files_percent files_total bytes bytes_recovered bytes_percent bytes_total translog_ops translog_ops_recovered translog_ops_percent"
	if strings.Join(hdr, " ") != want {
		t.Fatalf("_cat/recovery header: %v", hdr)
	}
}
