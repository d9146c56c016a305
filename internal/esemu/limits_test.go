package esemu

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// nested is depth levels of arrays around a number.
func nested(depth int) string {
	return strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
}

// nestedObject is depth levels of {"a": ...} around a number.
func nestedObject(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

func TestDecodeOrderedNestingLimit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"arrays at the limit", nested(maxNestingDepth), false},
		{"arrays over the limit", nested(maxNestingDepth + 1), true},
		{"objects at the limit", nestedObject(maxNestingDepth), false},
		{"objects over the limit", nestedObject(maxNestingDepth + 1), true},
		{"ten million opening brackets", strings.Repeat("[", 10_000_000), true},
		{"wide array", "[" + strings.Repeat("1,", 100_000) + "1]", false},
		{"keys keep their order", `{"b":1,"a":[{"c":"d"},"e"],"f":{}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeOrdered([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.in {
				t.Errorf("round trip: %.80s, want %.80s", out, tt.in)
			}
		})
	}
}

// TestDeepAndHugeBodiesKeepServing sends the bodies that used to crash the
// process (a stack overflow in the recursive decoder) to every route that
// parses JSON; each is refused with Elasticsearch's parse error and the
// server still answers afterwards.
func TestDeepAndHugeBodiesKeepServing(t *testing.T) {
	tg := newTarget(t)
	tg.emulator()
	tg.setupRepo("deep_repo")
	huge := strings.Repeat("[", 10<<20)
	routes := []struct{ method, path, body string }{
		{"PUT", "/deep_idx/_doc/1", huge},
		{"PUT", "/deep_idx", huge},
		{"POST", "/_bulk", huge + "\n"},
		{"POST", "/_bulk", "{\"index\":{\"_index\":\"deep_idx\"}}\n" + nestedObject(maxNestingDepth+1) + "\n"},
		{"PUT", "/_snapshot/deep_repo", huge},
		{"PUT", "/_snapshot/deep_repo/s1", nested(maxNestingDepth + 1)},
		{"POST", "/_snapshot/deep_repo/s1/_restore", huge},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			r := tg.do(rt.method, rt.path, rt.body)
			itemError := rt.path == "/_bulk" && strings.Contains(rt.body, "deep_idx")
			if want := map[bool]int{false: http.StatusBadRequest, true: http.StatusOK}[itemError]; r.status != want {
				t.Fatalf("status %d, want %d: %.300s", r.status, want, r.raw)
			}
			typ := get(r.body, "error.type")
			if itemError {
				// The action line parses; its document is refused in the item.
				typ = get(r.body, "items.0.index.error.type")
			}
			if typ != "x_content_parse_exception" {
				t.Fatalf("type %v: %.300s", typ, r.raw)
			}
			tg.must(200, "GET", "/", nil)
		})
	}
	if r := tg.do("POST", "/_bulk", "{\"index\":{\"_index\":\"deep_idx\"}}\n"+nestedObject(maxNestingDepth+1)+"\n"); !strings.Contains(r.raw, "nesting depth (1001)") {
		t.Errorf("bulk item error does not name the depth: %.300s", r.raw)
	}
	tg.must(201, "PUT", "/deep_idx/_doc/ok", nestedObject(maxNestingDepth-1))
}

// TestContentLengthOverLimitRefusedBeforeReading announces a body over
// http.max_content_length and sends none of it: the answer is 413 at once.
func TestContentLengthOverLimitRefusedBeforeReading(t *testing.T) {
	tg := newTarget(t)
	tg.emulator()
	addr := strings.TrimPrefix(tg.url, "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /_bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n", maxBody+1)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusRequestEntityTooLarge || get(body, "error.type") != "content_too_long_exception" || get(body, "status") != float64(413) {
		t.Fatalf("%d %v", res.StatusCode, body)
	}
	tg.must(200, "GET", "/", nil)
}

// TestBodiesElasticsearchRefuses sends bodies that encoding/json reads but
// Elasticsearch's parser refuses (it turns on Jackson's strict duplicate
// detection and decodes UTF-8 itself): each route answers 400 with
// x_content_parse_exception naming the fault, and stores nothing.
func TestBodiesElasticsearchRefuses(t *testing.T) {
	tg := newTarget(t)
	tg.must(200, "PUT", "/refused_idx", nil)
	bodies := []struct {
		name, body, reason string
	}{
		{"duplicate name", `{"query":{"match_all":{}},"size":1,"size":2}`, "Duplicate field 'size'"},
		{"duplicate name, nested", `{"query":{"bool":{"must":[],"must":[]}}}`, "Duplicate field 'must'"},
		{"duplicate name, escaped", `{"size":1,"\u0073ize":2}`, "Duplicate field 'size'"},
		{"invalid start byte", "{\"query\":{\"term\":{\"a\":\"x\xffy\"}}}", "Invalid UTF-8 start byte 0xff"},
		{"lone continuation byte", "{\"query\":{\"term\":{\"a\":\"\x80\"}}}", "Invalid UTF-8 start byte 0x80"},
		{"truncated sequence", "{\"query\":{\"term\":{\"a\":\"\xc3\"}}}", "Invalid UTF-8 middle byte 0x22"},
		{"invalid byte in a name", "{\"query\":{\"term\":{\"\xe2\x82x\":\"a\"}}}", "Invalid UTF-8 middle byte 0x78"},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			r := tg.do("POST", "/refused_idx/_search", b.body)
			if r.status != http.StatusBadRequest || get(r.body, "error.type") != "x_content_parse_exception" {
				t.Fatalf("status %d: %.300s", r.status, r.raw)
			}
			if reason, _ := get(r.body, "error.reason").(string); !strings.Contains(reason, b.reason) {
				t.Errorf("reason %q, want it to contain %q", reason, b.reason)
			}
		})
	}
	t.Run("document", func(t *testing.T) {
		if r := tg.do("PUT", "/refused_idx/_doc/1", `{"a":1,"a":2}`); r.status != http.StatusBadRequest {
			t.Fatalf("status %d: %.300s", r.status, r.raw)
		}
		tg.must(404, "GET", "/refused_idx/_doc/1", nil)
	})
	t.Run("bulk item", func(t *testing.T) {
		r := tg.must(200, "POST", "/_bulk?refresh=true", "{\"index\":{\"_index\":\"refused_idx\",\"_id\":\"2\"}}\n{\"a\":\"\xff\"}\n{\"index\":{\"_index\":\"refused_idx\",\"_id\":\"3\"}}\n{\"a\":\"ok\"}\n")
		if get(r.body, "errors") != true || get(r.body, "items.0.index.status") != float64(400) || get(r.body, "items.1.index.status") != float64(201) {
			t.Fatalf("bulk answer: %.500s", r.raw)
		}
		tg.must(404, "GET", "/refused_idx/_doc/2", nil)
		tg.must(200, "GET", "/refused_idx/_doc/3", nil)
	})
	t.Run("accepted", func(t *testing.T) {
		// The same name in sibling objects, and every valid encoding, are fine.
		tg.must(201, "PUT", "/refused_idx/_doc/4", "{\"a\":{\"x\":1},\"b\":{\"x\":1},\"c\":\"Zoë 日本 🎉\"}")
	})
}

// TestDecodeOrderedUTF8AsJackson holds the UTF-8 check to Jackson's decoder, which
// reads overlong forms and encoded surrogates that Go calls invalid.
func TestDecodeOrderedUTF8AsJackson(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the error, "" for none
	}{
		{"valid multibyte", "[\"é日🎉\"]", ""},
		{"overlong NUL", "[\"\xc0\x80\"]", ""},
		{"encoded surrogate", "[\"\xed\xa0\x80\"]", ""},
		{"5-byte lead", "[\"\xf8\x88\x80\x80\x80\"]", "Invalid UTF-8 start byte 0xf8"},
		{"4-byte sequence cut short", "[\"\xf0\x9f\x8e\"]", "Invalid UTF-8 middle byte 0x22"},
		{"second string invalid", "[\"ok\",\"\xfe\"]", "Invalid UTF-8 start byte 0xfe"},
		{"invalid byte outside a string", "[1,\xff]", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOrdered([]byte(tt.in))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDecodeStoredReadsWhatOlderServersKept reads documents, mappings and alias
// filters stored before the server refused repeated names and invalid UTF-8.
func TestDecodeStoredReadsWhatOlderServersKept(t *testing.T) {
	v, err := decodeStored([]byte("{\"a\":1,\"a\":\"\xff\"}"))
	if err != nil {
		t.Fatalf("decodeStored: %v", err)
	}
	if got, _ := json.Marshal(v); string(got) != "{\"a\":1,\"a\":\"\uFFFD\"}" {
		t.Errorf("value %s", got)
	}
	if _, err := decodeOrdered([]byte(`{"a":1,"a":2}`)); err == nil {
		t.Error("a request body with a repeated name is accepted")
	}
}
