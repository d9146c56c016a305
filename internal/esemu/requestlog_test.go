package esemu

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRequestLogBounded sends requests with long methods, paths and queries, with and without
// credentials: the request log keeps a bounded prefix of each, so that a client cannot grow the
// server's memory by the size of the URLs it sends.
func TestRequestLogBounded(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{DataDir: t.TempDir(), PathRepo: []string{t.TempDir()}, SnapshotDelay: -1, Username: "elastic", Password: "s3cret"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	long := strings.Repeat("x", 64<<10)
	for _, tc := range []struct {
		name, method, target string
		auth                 bool
	}{
		{name: "long query without credentials", method: http.MethodGet, target: "/?a=" + long},
		{name: "long path without credentials", method: http.MethodGet, target: "/" + long},
		{name: "long method without credentials", method: "M" + strings.Repeat("X", 8<<10), target: "/"},
		{name: "long query with credentials", method: http.MethodGet, target: "/_cat/indices?a=" + long, auth: true},
		{name: "long path with credentials", method: http.MethodGet, target: "/" + long + "/_search", auth: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.auth {
				r.SetBasicAuth("elastic", "s3cret")
			}
			srv.Handler().ServeHTTP(httptest.NewRecorder(), r)
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("request log has %d entries, want 1", len(reqs))
			}
			got := reqs[0]
			if n := len(got.Method) + len(got.Path) + len(got.RawQuery); n > 3*maxLoggedField {
				t.Errorf("the request log keeps %d bytes of one request, want at most %d", n, 3*maxLoggedField)
			}
			if !strings.HasPrefix(tc.method, got.Method) || !strings.HasPrefix(r.URL.Path, got.Path) || !strings.HasPrefix(r.URL.RawQuery, got.RawQuery) {
				t.Errorf("logged %.40q %.40q %.40q, want prefixes of the request's", got.Method, got.Path, got.RawQuery)
			}
		})
	}
}
