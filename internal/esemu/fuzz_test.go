package esemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serverErrorTypes are the documented exceptions Elasticsearch answers with a 5xx.
var serverErrorTypes = map[string]bool{
	"repository_exception":                    true,
	"repository_verification_exception":       true,
	"snapshot_restore_exception":              true,
	"snapshot_exception":                      true,
	"concurrent_snapshot_execution_exception": true,
}

// FuzzHandler sends arbitrary requests: the server must never panic, must
// always answer with the product header, and answers 5xx only with the
// documented exception types.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"GET", "/", "", ""},
		{"PUT", "/_snapshot/r", "", `{"type":"fs","settings":{"location":"l"}}`},
		{"PUT", "/_snapshot/r/s", "wait_for_completion=true", `{"indices":"i*,-x","metadata":{"a":1}}`},
		{"GET", "/_snapshot/r/*", "sort=name&size=2&after=YSxyLGE=", ""},
		{"POST", "/_snapshot/r/s/_restore", "", `{"rename_pattern":"(.+)","rename_replacement":"$1_x"}`},
		{"POST", "/_bulk", "", "{\"index\":{\"_index\":\"i\"}}\n{\"a\":1}\n"},
		{"PUT", "/i", "", `{"settings":{"number_of_shards":"x"}}`},
		{"GET", "/_cat/snapshots", "v&s=id:desc&h=id,status", ""},
		{"DELETE", "/i*,-j", "expand_wildcards=all", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	srv, err := New(Config{DataDir: f.TempDir(), PathRepo: []string{f.TempDir()}, SnapshotDelay: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t?#") || strings.ContainsAny(method, " \r\n\t/") || method == "" {
			return
		}
		req, err := http.NewRequest(method, "http://localhost"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Header().Get(productHeader) != "Elasticsearch" {
			t.Fatalf("%s %s: no product header", method, path)
		}
		if rec.Code >= 500 {
			var e struct {
				Error struct {
					Type string `json:"type"`
				} `json:"error"`
			}
			_ = json.NewDecoder(bytes.NewReader(rec.Body.Bytes())).Decode(&e)
			if !serverErrorTypes[e.Error.Type] {
				t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body.String())
			}
		}
	})
}
