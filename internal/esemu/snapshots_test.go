package esemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSnapshotCreateModes(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("create_repo")
	tg.setupIndex("create_idx", map[string]any{"a": 1})
	res, err := tg.es.Snapshot.Create("create_repo", "snap_wait", tg.es.Snapshot.Create.WithWaitForCompletion(true),
		tg.es.Snapshot.Create.WithBody(strings.NewReader(`{"indices":["create_idx"],"metadata":{"taken_by":"test"},"unknown_key":1}`)))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("create: %v %v", err, res)
	}
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	info := body["snapshot"].(map[string]any)
	if info["state"] != "SUCCESS" || info["snapshot"] != "snap_wait" || get(info, "metadata.taken_by") != "test" ||
		get(info, "shards.successful") != float64(1) || len(info["uuid"].(string)) != 22 {
		t.Fatalf("snapshot info: %v", info)
	}
	for _, k := range []string{"version", "version_id", "start_time", "start_time_in_millis", "end_time", "end_time_in_millis", "duration_in_millis", "failures", "feature_states", "include_global_state", "data_streams", "indices"} {
		if _, ok := info[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	r := tg.must(200, "PUT", "/_snapshot/create_repo/snap_async", map[string]any{"indices": "create_idx"})
	if r.raw != `{"accepted":true}` {
		t.Fatalf("async: %s", r.raw)
	}
	tg.waitState("create_repo", "snap_async", "SUCCESS")
}

func TestSnapshotCreateErrors(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("err_repo")
	tg.setupIndex("err_idx")
	big := map[string]any{"indices": "err_idx", "metadata": map[string]any{"k": strings.Repeat("x", 1025-len(`{"k":""}`))}}
	tests := []struct {
		name, path string
		body       any
		status     int
		typ        string
		reason     string
	}{
		{"oversize metadata", "/_snapshot/err_repo/s1", big, 400, "action_request_validation_exception", "Validation Failed: 1: metadata must be smaller than 1024 bytes, but was [1025];"},
		{"metadata not object", "/_snapshot/err_repo/s1", map[string]any{"metadata": "x"}, 400, "illegal_argument_exception", "malformed metadata, should be an object"},
		{"indices wrong type", "/_snapshot/err_repo/s1", map[string]any{"indices": 3}, 400, "illegal_argument_exception", "malformed indices section, should be an array of strings"},
		{"feature states none mixed", "/_snapshot/err_repo/s1", map[string]any{"feature_states": []string{"none", "kibana"}}, 400, "illegal_argument_exception", "the feature_states value [none] indicates that no feature states should be snapshotted, but other feature states were requested: [kibana]"},
		{"missing index", "/_snapshot/err_repo/s1", map[string]any{"indices": "err_idx,nope_idx"}, 404, "index_not_found_exception", "no such index [nope_idx]"},
		{"missing repo", "/_snapshot/nope_repo/s1", nil, 404, "repository_missing_exception", "[nope_repo] missing"},
		{"upper case", "/_snapshot/err_repo/Snap", nil, 400, "invalid_snapshot_name_exception", "[err_repo:Snap] Invalid snapshot name [Snap], must be lowercase"},
		{"underscore", "/_snapshot/err_repo/_s", nil, 400, "invalid_snapshot_name_exception", "[err_repo:_s] Invalid snapshot name [_s], must not start with '_'"},
		{"hash", "/_snapshot/err_repo/a%23b", nil, 400, "invalid_snapshot_name_exception", "[err_repo:a#b] Invalid snapshot name [a#b], must not contain '#'"},
		{"space", "/_snapshot/err_repo/a%20b", nil, 400, "invalid_snapshot_name_exception", "[err_repo:a b] Invalid snapshot name [a b], must not contain whitespace"},
		{"bad char", "/_snapshot/err_repo/a%3Cb", nil, 400, "invalid_snapshot_name_exception", `[err_repo:a<b] Invalid snapshot name [a<b], must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?]`},
		{"malformed json", "/_snapshot/err_repo/s1", `{"indices": [`, 400, "x_content_parse_exception", ""},
		{"bad bool param", "/_snapshot/err_repo/s1?wait_for_completion=yes", nil, 400, "illegal_argument_exception", "Failed to parse value [yes] as only [true] or [false] are allowed."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, tg.do("PUT", tc.path, tc.body), tc.status, tc.typ, tc.reason)
		})
	}
	ok := map[string]any{"indices": "err_idx,nope_idx", "ignore_unavailable": true, "feature_states": []string{"none"},
		"metadata": map[string]any{"k": strings.Repeat("x", 1024-len(`{"k":""}`))}}
	r := tg.must(200, "PUT", "/_snapshot/err_repo/s1?wait_for_completion=true", ok)
	if fmt.Sprint(get(r.body, "snapshot.indices")) != "[err_idx]" {
		t.Fatalf("ignore_unavailable: %s", r.raw)
	}
	dup := tg.do("PUT", "/_snapshot/err_repo/s1", nil)
	if dup.status != 400 || !strings.HasSuffix(get(dup.body, "error.reason").(string), "Invalid snapshot name [s1], snapshot with the same name already exists") {
		t.Fatalf("duplicate: %s", dup.raw)
	}
}

func TestSnapshotIndexSelection(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("sel_repo")
	for _, n := range []string{"sel-a1", "sel-a2", "sel-b1"} {
		tg.setupIndex(n)
	}
	tests := []struct {
		indices any
		want    string
	}{
		{"sel-*", "[sel-a1 sel-a2 sel-b1]"},
		{[]string{"sel-*", "-sel-a*"}, "[sel-b1]"},
		{"sel-a1,sel-b1", "[sel-a1 sel-b1]"},
		{"nomatch-*", "[]"},
	}
	for i, tc := range tests {
		r := tg.must(200, "PUT", fmt.Sprintf("/_snapshot/sel_repo/sel%d?wait_for_completion=true", i), map[string]any{"indices": tc.indices})
		got, _ := get(r.body, "snapshot.indices").([]any)
		names := make([]string, len(got))
		for j, g := range got {
			names[j] = g.(string)
		}
		if fmt.Sprint(sortStrings(names)) != tc.want {
			t.Errorf("indices %v: got %v, want %s", tc.indices, names, tc.want)
		}
	}
}

func TestSnapshotGet(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("get_repo")
	tg.setupIndex("get_idx")
	for _, n := range []string{"snap-a", "snap-b", "snap-c", "other"} {
		tg.must(200, "PUT", "/_snapshot/get_repo/"+n+"?wait_for_completion=true", map[string]any{"indices": "get_idx"})
	}
	names := func(r response) string {
		var out []string
		for _, s := range r.body["snapshots"].([]any) {
			out = append(out, s.(map[string]any)["snapshot"].(string))
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		query string
		want  string
		total float64
		rem   float64
	}{
		{"_all", "snap-a,snap-b,snap-c,other", 4, 0},
		{"*", "snap-a,snap-b,snap-c,other", 4, 0},
		{"snap-*", "snap-a,snap-b,snap-c", 3, 0},
		{"snap-*,-snap-b", "snap-a,snap-c", 2, 0},
		{"other,snap-a", "snap-a,other", 2, 0},
		{"*?sort=name", "other,snap-a,snap-b,snap-c", 4, 0},
		{"*?sort=name&order=desc", "snap-c,snap-b,snap-a,other", 4, 0},
		{"*?sort=name&size=2", "other,snap-a", 4, 2},
		{"*?sort=name&size=2&offset=1", "snap-a,snap-b", 4, 1},
		{"*?sort=name&from_sort_value=snap-b", "snap-b,snap-c", 2, 0},
		{"*?sort=name&order=desc&from_sort_value=snap-a", "snap-a,other", 2, 0},
		{"missing?ignore_unavailable=true", "", 0, 0},
		{"_current", "", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := tg.must(200, "GET", "/_snapshot/get_repo/"+tc.query, nil)
			if names(r) != tc.want || r.body["total"] != tc.total || r.body["remaining"] != tc.rem {
				t.Fatalf("got %s total %v remaining %v: %s", names(r), r.body["total"], r.body["remaining"], r.raw)
			}
		})
	}
	// Cursor paging walks every snapshot once.
	var seen []string
	path := "/_snapshot/get_repo/*?sort=name&size=1"
	for i := 0; i < 10; i++ {
		r := tg.must(200, "GET", path, nil)
		seen = append(seen, names(r))
		next, ok := r.body["next"].(string)
		if !ok {
			break
		}
		path = "/_snapshot/get_repo/*?sort=name&size=1&after=" + next
	}
	if strings.Join(seen, ",") != "other,snap-a,snap-b,snap-c" {
		t.Fatalf("cursor paging: %v", seen)
	}
	cur := base64.URLEncoding.EncodeToString([]byte("snap-a,get_repo,snap-a"))
	if r := tg.must(200, "GET", "/_snapshot/get_repo/*?sort=name&after="+cur, nil); names(r) != "snap-b,snap-c" {
		t.Fatalf("after: %s", r.raw)
	}
	// verbose=false emits only what Elasticsearch emits.
	r := tg.must(200, "GET", "/_snapshot/get_repo/snap-a?verbose=false", nil)
	s := get(r.body, "snapshots.0").(map[string]any)
	for _, k := range []string{"failures", "shards", "version", "start_time", "include_global_state"} {
		if _, ok := s[k]; ok {
			t.Errorf("verbose=false emitted %s", k)
		}
	}
	if s["state"] != "SUCCESS" || s["repository"] != "get_repo" {
		t.Fatalf("verbose=false: %s", r.raw)
	}
	r = tg.must(200, "GET", "/_snapshot/get_repo/snap-a?index_names=false&include_repository=false&index_details=true&human=true", nil)
	s = get(r.body, "snapshots.0").(map[string]any)
	if _, ok := s["indices"]; ok {
		t.Error("index_names=false emitted indices")
	}
	if _, ok := s["repository"]; ok {
		t.Error("include_repository=false emitted repository")
	}
	if n, _ := get(s, "index_details.get_idx.size_in_bytes").(float64); n <= 0 || get(s, "index_details.get_idx.shard_count") != float64(1) {
		t.Fatalf("index_details: %s", r.raw)
	}
	errs := []struct {
		query, typ, reason string
		status             int
	}{
		{"missing", "snapshot_missing_exception", "[get_repo:missing] is missing", 404},
		{"*?size=0", "action_request_validation_exception", "Validation Failed: 1: size must be -1 or greater than 0;", 400},
		{"*?verbose=false&sort=name&size=1", "action_request_validation_exception", "Validation Failed: 1: can't use non-default sort with verbose=false;2: can't use size limit with verbose=false;", 400},
		{"*?sort=bogus", "illegal_argument_exception", "unknown sort key [bogus]", 400},
		{"*?after=" + cur + "&offset=1", "action_request_validation_exception", "Validation Failed: 1: can't use after and offset simultaneously;", 400},
		{"*?after=!!!", "illegal_argument_exception", "invalid ?after parameter [!!!]", 400},
	}
	for _, tc := range errs {
		t.Run("error "+tc.query, func(t *testing.T) {
			expectError(t, tg.do("GET", "/_snapshot/get_repo/"+tc.query, nil), tc.status, tc.typ, tc.reason)
		})
	}
	expectError(t, tg.do("GET", "/_snapshot/nope_repo/*", nil), 404, "repository_missing_exception", "[nope_repo] missing")
}

func TestSnapshotStatusDeleteClone(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("test_repo_1")
	tg.setupIndex("snapshot_index", map[string]any{"a": 1})
	tg.must(200, "PUT", "/_snapshot/test_repo_1/test_snapshot?wait_for_completion=true", nil)
	st := tg.must(200, "GET", "/_snapshot/test_repo_1/test_snapshot/_status", nil)
	if get(st.body, "snapshots.0.state") != "SUCCESS" || get(st.body, "snapshots.0.snapshot") != "test_snapshot" {
		t.Fatalf("status: %s", st.raw)
	}
	for _, k := range []string{"stats.incremental.file_count", "stats.incremental.size_in_bytes", "stats.total.file_count", "stats.total.size_in_bytes"} {
		if n, _ := get(st.body, "snapshots.0."+k).(float64); n <= 0 {
			t.Errorf("%s = %v", k, n)
		}
	}
	if r := tg.must(200, "GET", "/_snapshot/test_repo_1/_status", nil); r.raw != `{"snapshots":[]}` {
		t.Fatalf("no running snapshots: %s", r.raw)
	}
	expectError(t, tg.do("GET", "/_snapshot/test_repo_1/nope/_status", nil), 404, "snapshot_missing_exception", "[test_repo_1:nope] is missing")
	cl := tg.must(200, "PUT", "/_snapshot/test_repo_1/test_snapshot/_clone/target_snapshot_1", map[string]any{"indices": "snapshot_index"})
	if cl.raw != `{"acknowledged":true}` {
		t.Fatalf("clone: %s", cl.raw)
	}
	if r := tg.must(200, "GET", "/_snapshot/test_repo_1/target_snapshot_1", nil); fmt.Sprint(get(r.body, "snapshots.0.indices")) != "[snapshot_index]" {
		t.Fatalf("clone content: %s", r.raw)
	}
	expectError(t, tg.do("PUT", "/_snapshot/test_repo_1/nope/_clone/t2", map[string]any{"indices": "*"}), 404, "snapshot_missing_exception", "[test_repo_1:nope] is missing")
	// A missing concrete name fails the whole delete.
	expectError(t, tg.do("DELETE", "/_snapshot/test_repo_1/target_snapshot_1,nope", nil), 404, "snapshot_missing_exception", "[test_repo_1:nope] is missing")
	tg.must(200, "GET", "/_snapshot/test_repo_1/target_snapshot_1", nil)
	tg.must(200, "DELETE", "/_snapshot/test_repo_1/target_snapshot_1,test_snapshot", nil)
	if r := tg.must(200, "GET", "/_snapshot/test_repo_1/_all", nil); r.body["total"] != float64(0) {
		t.Fatalf("after delete: %s", r.raw)
	}
	tg.must(200, "DELETE", "/_snapshot/test_repo_1/nothing-*", nil)
}

func TestCatSnapshots(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("test_cat_snapshots_1")
	tg.setupIndex("index1")
	tg.setupIndex("index2")
	if r := tg.must(200, "GET", "/_cat/snapshots/test_cat_snapshots_1", nil); r.raw != "" {
		t.Fatalf("empty repo: %q", r.raw)
	}
	for _, n := range []string{"snap1", "snap2"} {
		tg.must(200, "PUT", "/_snapshot/test_cat_snapshots_1/"+n+"?wait_for_completion=true", map[string]any{"indices": "index1,index2"})
	}
	r := tg.must(200, "GET", "/_cat/snapshots/test_cat_snapshots_1", nil)
	lines := strings.Split(strings.TrimSuffix(r.raw, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("rows: %q", r.raw)
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 12 || f[0] != fmt.Sprintf("snap%d", i+1) || f[2] != "SUCCESS" || strings.Join(f[8:], " ") != "2 2 0 2" {
			t.Fatalf("row %d: %q", i, l)
		}
	}
	js := tg.must(200, "GET", "/_cat/snapshots?format=json", nil)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(js.raw), &rows); err != nil || len(rows) < 2 || rows[0]["indices"] != "2" {
		t.Fatalf("json: %v %s", err, js.raw)
	}
	if v := tg.must(200, "GET", "/_cat/snapshots/test_cat_snapshots_1?v&h=id,status", nil); !strings.HasPrefix(v.raw, "id    status") {
		t.Fatalf("v/h: %q", v.raw)
	}
}
