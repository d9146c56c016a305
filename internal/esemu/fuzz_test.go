package esemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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

// FuzzDecodeOrdered checks the request decoder against encoding/json: it
// accepts exactly the valid documents nested at most maxNestingDepth deep
// with no name repeated within an object, never panics, and keeps every
// value. Input that is not valid UTF-8 is accepted only where Jackson's
// decoder reads it (an overlong form or an encoded surrogate).
func FuzzDecodeOrdered(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,"x",{"b":null}]}`, nested(maxNestingDepth), nested(maxNestingDepth + 1),
		nestedObject(maxNestingDepth + 1), strings.Repeat("[", 5000), strings.Repeat(`{"a":`, 2000),
		"[" + strings.Repeat(`{"k":1},`, 2000) + "0]", `{"a":1} x`, `[1,]`, `{"a" 1}`,
		`{"a":1,"a":2}`, `{"a":{"b":1},"c":{"b":1}}`, `{"\u0061":1,"a":2}`, "[\"\xff\"]", "[\"\xc0\x80\"]",
		"{\"\xe2\x82\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeOrdered(data)
		valid := json.Valid(data) && jsonDepth(data) <= maxNestingDepth &&
			jsontext.Value(data).IsValid(jsontext.AllowInvalidUTF8(true)) // no repeated name
		if !utf8.Valid(data) && valid {
			var bad *errInvalidUTF8
			if err != nil && !errors.As(err, &bad) {
				t.Fatalf("decode error %v, want only a UTF-8 error for %.100q", err, data)
			}
			return
		}
		if (err == nil) != valid {
			t.Fatalf("decode error %v, want valid=%v for %.100q", err, valid, data)
		}
		if err != nil {
			return
		}
		got, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want, back any
		_ = json.Unmarshal(data, &want)
		_ = json.Unmarshal(got, &back)
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(back)
		if !bytes.Equal(a, b) {
			t.Fatalf("value changed: %s, want %s", b, a)
		}
	})
}

// jsonDepth is the deepest nesting of a valid JSON document.
func jsonDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
