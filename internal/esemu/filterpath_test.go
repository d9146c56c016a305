package esemu

import (
	"bytes"
	"encoding/json"
	"testing"
)

// snapshotsDoc is a get-snapshots answer with the fields filter_path is used on.
const snapshotsDoc = `{"snapshots":[` +
	`{"snapshot":"a","indices":["i1","i2"],"metadata":{"partNo":1,"v":"x"},"state":"SUCCESS","failures":[],"shards":{"total":1,"failed":0}},` +
	`{"snapshot":"b","indices":[],"metadata":{"partNo":2},"state":"FAILED","failures":[{"index":"i1","reason":"disk"},{"index":"i2","reason":"gone"}],"shards":{"total":2,"failed":2}}` +
	`],"total":2,"remaining":0}`

func TestFilterJSON(t *testing.T) {
	tests := []struct{ name, doc, filter, want string }{
		{"one field of each element", snapshotsDoc, "snapshots.snapshot",
			`{"snapshots":[{"snapshot":"a"},{"snapshot":"b"}]}`},
		{"the driver's fields", snapshotsDoc, "snapshots.snapshot,snapshots.state,snapshots.metadata,snapshots.failures.reason,error,status",
			`{"snapshots":[{"snapshot":"a","metadata":{"partNo":1,"v":"x"},"state":"SUCCESS"},` +
				`{"snapshot":"b","metadata":{"partNo":2},"state":"FAILED","failures":[{"reason":"disk"},{"reason":"gone"}]}]}`},
		{"a whole empty array is kept", snapshotsDoc, "snapshots.failures",
			`{"snapshots":[{"failures":[]},{"failures":[{"index":"i1","reason":"disk"},{"index":"i2","reason":"gone"}]}]}`},
		{"wildcard segment", snapshotsDoc, "snapshots.*e", `{"snapshots":[{"state":"SUCCESS"},{"state":"FAILED"}]}`},
		{"wildcard prefix", snapshotsDoc, "tot*", `{"total":2}`},
		{"double wildcard", snapshotsDoc, "**.reason", `{"snapshots":[{"failures":[{"reason":"disk"},{"reason":"gone"}]}]}`},
		{"double wildcard at the end", snapshotsDoc, "snapshots.shards.**",
			`{"snapshots":[{"shards":{"total":1,"failed":0}},{"shards":{"total":2,"failed":2}}]}`},
		{"nothing selected", snapshotsDoc, "nothing", `{}`},
		{"a scalar is not walked into", snapshotsDoc, "total.value", `{}`},
		{"empty expressions are no filter", `{"a":1}`, ",", `{"a":1}`},
		{"escaped dot", `{"a.b":1,"a":{"b":2}}`, `a\.b`, `{"a.b":1}`},
		{"escaped key", `{"a\"b":1,"c":2}`, `a"b`, `{"a\"b":1}`},
		{"exclusion", snapshotsDoc, "-snapshots.indices,-snapshots.failures,-snapshots.shards,-snapshots.metadata,-total",
			`{"snapshots":[{"snapshot":"a","state":"SUCCESS"},{"snapshot":"b","state":"FAILED"}],"remaining":0}`},
		{"exclusion keeps an empty object, drops an emptied one", `{"a":{},"b":{"c":1},"d":2}`, "-b.c", `{"a":{},"d":2}`},
		{"inclusion then exclusion", snapshotsDoc, "snapshots.failures,-snapshots.failures.index",
			`{"snapshots":[{"failures":[]},{"failures":[{"reason":"disk"},{"reason":"gone"}]}]}`},
		{"whitespace in the document", "{ \"a\" : [ 1 , { \"b\" : 2 } ] ,\n\"c\":3 }", "a.b", `{"a":[{"b":2}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := filterJSON([]byte(tt.doc), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("filter_path=%s\n got %s\nwant %s", tt.filter, got, tt.want)
			}
		})
	}
}

func TestFilterJSONRejectsMalformed(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"a":}`, `{"a" 1}`, `[1 2]`, `{"a":1}x`, `{"a":"x`} {
		if got, err := filterJSON([]byte(doc), "a"); err == nil {
			t.Errorf("%q: filtered to %q, want an error", doc, got)
		}
	}
}

// FuzzFilterJSON checks the byte-level filter against a plain filter of the decoded
// document: the same members, in the same order.
func FuzzFilterJSON(f *testing.F) {
	f.Add(snapshotsDoc, "snapshots.snapshot,snapshots.failures.reason")
	f.Add(snapshotsDoc, "**.total,snapshots.*")
	f.Add(`[{"a":[[{"b":1}]]},2]`, "a.b")
	f.Add(`{"a\u00e9":{"b\\"c":1}}`, `a*.b"c`)
	f.Fuzz(func(t *testing.T, doc, filter string) {
		v, err := decodeOrdered([]byte(doc))
		got, ferr := filterJSON([]byte(doc), filter)
		if err != nil {
			return // the filter only ever sees the emulator's own, valid, documents
		}
		if ferr != nil {
			t.Fatalf("valid %q: %v", doc, ferr)
		}
		include, exclude := compileFilterPath(filter)
		if exclude != nil || include == nil {
			return
		}
		want, ok := referenceFilter(v, include.paths)
		if !ok {
			switch v.(type) {
			case object:
				want = object{}
			case []any:
				want = []any{}
			default:
				want = nil
			}
		}
		wantJSON, _ := json.Marshal(want)
		var gotCompact bytes.Buffer
		if len(got) > 0 {
			if err := json.Compact(&gotCompact, got); err != nil {
				t.Fatalf("%q filtered by %q: invalid %q", doc, filter, got)
			}
		} else {
			gotCompact.WriteString("null")
		}
		gv, _ := decodeOrdered(gotCompact.Bytes())
		gotJSON, _ := json.Marshal(gv)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Fatalf("%q filtered by %q:\n got %s\nwant %s", doc, filter, gotJSON, wantJSON)
		}
	})
}

// referenceFilter is filter_path inclusion on a decoded document, written plainly.
func referenceFilter(v any, paths [][]string) (any, bool) {
	for _, p := range paths {
		if len(p) == 0 {
			return v, true
		}
	}
	switch t := v.(type) {
	case object:
		out := object{}
		for _, m := range t {
			var sub [][]string
			for _, p := range paths {
				if p[0] == "**" {
					sub = append(sub, p, p[1:])
				} else if simpleMatch(p[0], m.Key) {
					sub = append(sub, p[1:])
				}
			}
			if len(sub) == 0 {
				continue
			}
			if fv, ok := referenceFilter(m.Value, sub); ok {
				out = append(out, member{Key: m.Key, Value: fv})
			}
		}
		return out, len(out) > 0
	case []any:
		out := []any{}
		for _, e := range t {
			if fv, ok := referenceFilter(e, paths); ok {
				out = append(out, fv)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}
