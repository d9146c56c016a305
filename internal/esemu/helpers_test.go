package esemu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// target is what an API test runs against: the in-process emulator, or a real
// Elasticsearch when ELASTICSEARCH_URL is set.
type target struct {
	t    *testing.T
	url  string
	es   *esapi.API
	srv  *Server // nil against a real Elasticsearch
	repo string  // a path.repo root
}

// newTarget is the one switch between the emulator and a real Elasticsearch.
func newTarget(t *testing.T) *target {
	t.Helper()
	tg := &target{t: t}
	if u := os.Getenv("ELASTICSEARCH_URL"); u != "" {
		tg.url = strings.TrimSuffix(u, "/")
	} else {
		tg.repo = t.TempDir()
		srv, err := New(Config{DataDir: t.TempDir(), PathRepo: []string{tg.repo}, SnapshotDelay: 5 * time.Millisecond})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() {
			hs.Close()
			if err := srv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		tg.url, tg.srv = hs.URL, srv
	}
	es, err := esclient.New(esclient.Config{Addresses: []string{tg.url}})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	tg.es = es
	return tg
}

// emulator returns the in-process server, skipping the test against a real cluster.
func (tg *target) emulator() *Server {
	tg.t.Helper()
	if tg.srv == nil {
		tg.t.Skip("emulator-only test")
	}
	return tg.srv
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// do sends a request; body may be a string (sent verbatim) or a value encoded as JSON.
func (tg *target) do(method, path string, body any) response {
	tg.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tg.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, tg.url+path, rd)
	if err != nil {
		tg.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(data)}
	_ = json.Unmarshal(data, &r.body)
	return r
}

// must sends a request and fails the test unless it answers want.
func (tg *target) must(want int, method, path string, body any) response {
	tg.t.Helper()
	r := tg.do(method, path, body)
	if r.status != want {
		tg.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.raw)
	}
	return r
}

// repoBody is a create-repository body for a relative fs location.
func repoBody(loc string) map[string]any {
	return map[string]any{"type": "fs", "settings": map[string]any{"location": loc}}
}

// setupRepo registers an fs repository named name and removes it at the end.
func (tg *target) setupRepo(name string) {
	tg.t.Helper()
	tg.must(200, "PUT", "/_snapshot/"+name, repoBody(name+"_loc"))
	tg.t.Cleanup(func() {
		tg.do("DELETE", "/_snapshot/"+name+"/*", nil)
		tg.do("DELETE", "/_snapshot/"+name, nil)
	})
}

// setupIndex creates an index with one shard and no replica, deleted at the end.
func (tg *target) setupIndex(name string, docs ...map[string]any) {
	tg.t.Helper()
	tg.must(200, "PUT", "/"+name, map[string]any{"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0}})
	tg.t.Cleanup(func() { tg.do("DELETE", "/"+name, nil) })
	for i, d := range docs {
		tg.must(201, "PUT", "/"+name+"/_doc/"+itoa(i+1)+"?refresh=true", d)
	}
}

// waitState polls a snapshot until it reaches state (deadline 10s).
func (tg *target) waitState(repo, snap, state string) {
	tg.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := tg.do("GET", "/_snapshot/"+repo+"/"+snap, nil)
		if r.status == 200 {
			if get(r.body, "snapshots.0.state") == state {
				return
			}
		}
		if time.Now().After(deadline) {
			tg.t.Fatalf("snapshot %s/%s did not reach %s: %s", repo, snap, state, r.raw)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// get follows a dotted path (numbers index arrays) through decoded JSON.
func get(v any, path string) any {
	if path == "" {
		return v
	}
	for _, p := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i := 0
			for _, c := range p {
				if c < '0' || c > '9' {
					return nil
				}
				i = i*10 + int(c-'0')
			}
			if i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// expectError checks Elasticsearch's error shape, type, reason and status.
func expectError(t *testing.T, r response, status int, typ, reason string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if got := get(r.body, "error.type"); got != typ {
		t.Fatalf("error.type %v, want %s: %s", got, typ, r.raw)
	}
	if reason != "" && get(r.body, "error.reason") != reason {
		t.Fatalf("error.reason %q, want %q", get(r.body, "error.reason"), reason)
	}
	if get(r.body, "error.root_cause.0.type") == nil {
		t.Fatalf("no root_cause: %s", r.raw)
	}
	if n, _ := r.body["status"].(float64); int(n) != status {
		t.Fatalf("body status %v, want %d", r.body["status"], status)
	}
	if r.header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("missing product header on error")
	}
}

// doHeaders sends a request with explicit headers and a verbatim body.
func (tg *target) doHeaders(method, path, body string, headers map[string]string) response {
	tg.t.Helper()
	req, err := http.NewRequest(method, tg.url+path, strings.NewReader(body))
	if err != nil {
		tg.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(data)}
	_ = json.Unmarshal(data, &r.body)
	return r
}

// startHTTP serves srv on a loopback port for the duration of the test.
func startHTTP(t *testing.T, srv *Server) string {
	t.Helper()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}
