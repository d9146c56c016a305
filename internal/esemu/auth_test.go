package esemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestBasicAuthRequiredWhenConfigured(t *testing.T) {
	srv, err := New(Config{DataDir: t.TempDir(), PathRepo: []string{t.TempDir()}, SnapshotDelay: -1, Username: "elastic", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := startHTTP(t, srv)
	tests := []struct {
		name, method, path, user, pass string
		want                           int
		reason                         string
	}{
		{"no credentials on root", "GET", "/", "", "", 401, "missing authentication credentials for REST request [/]"},
		{"no credentials on delete all", "DELETE", "/_all", "", "", 401, "missing authentication credentials for REST request [/_all]"},
		{"no credentials on a snapshot write", "PUT", "/_snapshot/r/s", "", "", 401, ""},
		{"wrong password", "GET", "/_snapshot", "elastic", "nope", 401, "unable to authenticate user [elastic] for REST request [/_snapshot]"},
		{"wrong user", "GET", "/_cat/indices", "kibana", "s3cret", 401, ""},
		{"right credentials", "GET", "/", "elastic", "s3cret", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+tt.path, nil)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			r := readResponse(t, res)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.raw)
			}
			if tt.want != 401 {
				return
			}
			if get(r.body, "error.type") != "security_exception" || get(r.body, "status") != float64(401) {
				t.Fatalf("body %s", r.raw)
			}
			if tt.reason != "" && get(r.body, "error.reason") != tt.reason {
				t.Fatalf("reason %v, want %s", get(r.body, "error.reason"), tt.reason)
			}
			if ch := strings.Join(res.Header.Values("WWW-Authenticate"), "; "); !strings.HasPrefix(ch, `Basic realm="security"`) {
				t.Fatalf("challenge %q", ch)
			}
		})
	}
	if n := len(srv.indices); n != 0 {
		t.Fatalf("unauthenticated requests changed the cluster: %d indices", n)
	}
}

func TestClusterSettingsAndDestructiveRequiresName(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{DataDir: dataDir, PathRepo: []string{t.TempDir()}, SnapshotDelay: -1}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{t: t, url: startHTTP(t, srv), srv: srv}
	tg.must(200, "PUT", "/keep-a", nil)
	tg.must(200, "PUT", "/keep-b", nil)
	const refused = "Wildcard expressions or all indices are not allowed"
	for _, path := range []string{"/_all", "/*", "/keep-*", "/keep-a,k*", "/_all/_close", "/*/_close"} {
		method := "DELETE"
		if strings.HasSuffix(path, "/_close") {
			method = "POST"
		}
		expectError(t, tg.do(method, path, nil), 400, "illegal_argument_exception", refused)
	}
	if r := tg.must(200, "GET", "/_cat/indices?h=index&s=index", nil); r.raw != "keep-a\nkeep-b\n" {
		t.Fatalf("indices after refused deletes: %q", r.raw)
	}
	r := tg.must(200, "GET", "/_cluster/settings?include_defaults", nil)
	if get(r.body, "defaults.action.destructive_requires_name") != "true" || len(r.body["persistent"].(map[string]any)) != 0 {
		t.Fatalf("defaults: %s", r.raw)
	}
	expectError(t, tg.do("PUT", "/_cluster/settings", `{"persistent":{"cluster.routing.allocation.enable":"none"}}`), 400, "illegal_argument_exception",
		"persistent setting [cluster.routing.allocation.enable], not recognized")
	expectError(t, tg.do("PUT", "/_cluster/settings", `{"persistent":{"action.destructive_requires_name":"maybe"}}`), 400, "illegal_argument_exception", "")

	// The nested form, persistent: kept across a restart.
	r = tg.must(200, "PUT", "/_cluster/settings", `{"persistent":{"action":{"destructive_requires_name":false}}}`)
	if get(r.body, "persistent.action.destructive_requires_name") != "false" || get(r.body, "acknowledged") != true {
		t.Fatalf("put: %s", r.raw)
	}
	if r := tg.must(200, "GET", "/_cluster/settings?flat_settings=true", nil); get(r.body, "persistent.action.destructive_requires_name") != nil ||
		r.body["persistent"].(map[string]any)["action.destructive_requires_name"] != "false" {
		t.Fatalf("flat get: %s", r.raw)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tg = &target{t: t, url: startHTTP(t, srv), srv: srv}
	// The flat form, transient, overrides the persistent value until reset.
	tg.must(200, "PUT", "/_cluster/settings", `{"transient":{"action.destructive_requires_name":"true"}}`)
	expectError(t, tg.do("DELETE", "/keep-*", nil), 400, "illegal_argument_exception", refused)
	tg.must(200, "PUT", "/_cluster/settings", `{"transient":{"action.destructive_requires_name":null}}`)
	tg.must(200, "DELETE", "/_all", nil)
	if r := tg.must(200, "GET", "/_cat/indices", nil); r.raw != "" {
		t.Fatalf("indices after DELETE /_all allowed: %q", r.raw)
	}
}

// readResponse decodes an HTTP answer.
func readResponse(t *testing.T, res *http.Response) response {
	t.Helper()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: string(data)}
	_ = json.Unmarshal(data, &r.body)
	return r
}
