package esemu

import (
	"context"
	"encoding/json"
	"testing"
)

func TestInfoAndProductHeader(t *testing.T) {
	tg := newTarget(t)
	res, err := tg.es.Info()
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	defer res.Body.Close()
	var info map[string]any
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if info["tagline"] != "You Know, for Search" || get(info, "version.build_flavor") != "default" {
		t.Fatalf("unexpected info: %v", info)
	}
	for _, k := range []string{"name", "cluster_name", "cluster_uuid", "version.number"} {
		if s, _ := get(info, k).(string); s == "" {
			t.Errorf("%s is empty", k)
		}
	}
	for _, tc := range []struct{ method, path string }{
		{"HEAD", "/"}, {"GET", "/"}, {"GET", "/missing_index"}, {"GET", "/_nothing/here/at/all"}, {"PATCH", "/_snapshot"},
	} {
		r := tg.do(tc.method, tc.path, nil)
		if r.header.Get("X-Elastic-Product") != "Elasticsearch" {
			t.Errorf("%s %s: no product header", tc.method, tc.path)
		}
	}
	res, err = tg.es.Ping(tg.es.Ping.WithContext(context.Background()))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("HEAD /: %v %v", err, res)
	}
}

func TestRoutingErrors(t *testing.T) {
	tg := newTarget(t)
	tests := []struct {
		name, method, path string
		status             int
		raw                string
	}{
		{"no handler", "GET", "/a/b/c/d", 400, `{"error":"no handler found for uri [/a/b/c/d] and method [GET]","status":400}`},
		{"wrong method", "PATCH", "/_snapshot", 405, `{"error":"Incorrect HTTP method for uri [/_snapshot] and method [PATCH], allowed: [GET]","status":405}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.do(tc.method, tc.path, nil)
			if r.status != tc.status || (tg.srv != nil && r.raw != tc.raw) {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
	}
	r := tg.do("GET", "/_snapshot?bogus=1", nil)
	expectError(t, r, 400, "illegal_argument_exception", "request [/_snapshot] contains unrecognized parameter: [bogus]")
	tg.must(200, "GET", "/_snapshot?pretty&human&error_trace=false&filter_path=*", nil)
}

func TestCompatibilityMediaType(t *testing.T) {
	tg := newTarget(t)
	req := map[string]string{"Accept": compatMediaType, "Content-Type": compatMediaType}
	r := tg.doHeaders("PUT", "/compat_idx", `{"settings":{"number_of_replicas":0}}`, req)
	t.Cleanup(func() { tg.do("DELETE", "/compat_idx", nil) })
	if r.status != 200 {
		t.Fatalf("create with compat media type: %d %s", r.status, r.raw)
	}
	r = tg.doHeaders("PUT", "/compat_idx/_doc/1", `{"a":1}`, map[string]string{"Content-Type": "text/plain"})
	if r.status != 406 {
		t.Fatalf("text/plain body: %d %s", r.status, r.raw)
	}
}
