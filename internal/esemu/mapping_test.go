package esemu

import (
	"testing"
)

func TestCreateIndexValidation(t *testing.T) {
	tg := newTarget(t)
	unknown := "unknown setting [index.foo] please check that any required plugins are installed, or check the breaking changes documentation for removed settings"
	tests := []struct {
		name, body  string
		typ, reason string
		rootReason  string
	}{
		{"unknown index setting", `{"settings":{"index":{"foo":1}}}`, "illegal_argument_exception", unknown, ""},
		{"unknown setting without the index prefix", `{"settings":{"foo":"x"}}`, "illegal_argument_exception", unknown, ""},
		{"zero shards", `{"settings":{"number_of_shards":0}}`, "illegal_argument_exception",
			"Failed to parse value [0] for setting [index.number_of_shards] must be >= 1", ""},
		{"too many shards", `{"settings":{"index.number_of_shards":1025}}`, "illegal_argument_exception",
			"Failed to parse value [1025] for setting [index.number_of_shards] must be <= 1024", ""},
		{"negative replicas", `{"settings":{"number_of_replicas":-1}}`, "illegal_argument_exception",
			"Failed to parse value [-1] for setting [index.number_of_replicas] must be >= 0", ""},
		{"shards not a number", `{"settings":{"number_of_shards":"two"}}`, "illegal_argument_exception",
			"Failed to parse value [two] for setting [index.number_of_shards]", ""},
		{"hidden not a boolean", `{"settings":{"hidden":"yes"}}`, "illegal_argument_exception",
			"Failed to parse value [yes] as only [true] or [false] are allowed.", ""},
		{"bad refresh interval", `{"settings":{"refresh_interval":"often"}}`, "illegal_argument_exception",
			"failed to parse setting [index.refresh_interval] with value [often] as a time value: unit is missing or unrecognized", ""},
		{"unknown field type", `{"mappings":{"properties":{"f":{"type":"strng"}}}}`, "mapper_parsing_exception",
			"Failed to parse mapping: No handler for type [strng] declared on field [f]", "No handler for type [strng] declared on field [f]"},
		{"unknown type in an object", `{"mappings":{"properties":{"o":{"properties":{"g":{"type":"nope"}}}}}}`, "mapper_parsing_exception",
			"Failed to parse mapping: No handler for type [nope] declared on field [g]", ""},
		{"unknown type in a multi-field", `{"mappings":{"properties":{"f":{"type":"text","fields":{"raw":{"type":"kw"}}}}}}`, "mapper_parsing_exception",
			"Failed to parse mapping: No handler for type [kw] declared on field [raw]", ""},
		{"unknown parameter", `{"mappings":{"properties":{"f":{"type":"keyword","analyzer":"standard"}}}}`, "mapper_parsing_exception",
			"Failed to parse mapping: unknown parameter [analyzer] on mapper [f] of type [keyword]", ""},
		{"mapping type name of 7.x", `{"mappings":{"_doc":{"properties":{"f":{"type":"keyword"}}}}}`, "mapper_parsing_exception",
			"Failed to parse mapping: Root mapping definition has unsupported parameters:  [_doc : {properties={f={type=keyword}}}]", ""},
		{"bad dynamic", `{"mappings":{"dynamic":"sometimes"}}`, "mapper_parsing_exception", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.do("PUT", "/bad-index", tc.body)
			if r.status == 200 {
				tg.do("DELETE", "/bad-index", nil)
			}
			expectError(t, r, 400, tc.typ, tc.reason)
			if tc.rootReason != "" && get(r.body, "error.root_cause.0.reason") != tc.rootReason {
				t.Fatalf("root cause: %s", r.raw)
			}
			if tg.do("HEAD", "/bad-index", nil).status != 404 {
				t.Fatal("a refused index was created")
			}
		})
	}
}

// camundaLikeMapping uses the field types and parameters of Camunda's index templates.
const camundaLikeMapping = `{
 "settings":{"index":{"number_of_shards":1,"number_of_replicas":0,"refresh_interval":"1s","mapping.total_fields.limit":2000,
   "analysis":{"normalizer":{"case_insensitive":{"filter":["lowercase"]}}}}},
 "mappings":{"dynamic":"strict","_source":{"enabled":true},"properties":{
   "id":{"type":"keyword"},"key":{"type":"long"},"partitionId":{"type":"integer"},"position":{"type":"long"},
   "bpmnProcessId":{"type":"keyword","normalizer":"case_insensitive"},"startDate":{"type":"date","format":"date_time || epoch_millis"},
   "incident":{"type":"boolean"},"state":{"type":"keyword","ignore_above":256},"text":{"type":"text","fields":{"raw":{"type":"keyword"}}},
   "variables":{"type":"nested","properties":{"name":{"type":"keyword"},"value":{"type":"keyword","ignore_above":8191}}},
   "customHeaders":{"type":"flattened"},"joinRelation":{"type":"join","relations":{"processInstance":["activity","variable"]},"eager_global_ordinals":true},
   "metrics":{"type":"object","enabled":false},"score":{"type":"double"},"ratio":{"type":"float"},"small":{"type":"short"},"tiny":{"type":"byte"},
   "payload":{"type":"binary"},"search":{"type":"search_as_you_type"}}}}`

func TestMappingsAndSettings(t *testing.T) {
	tg := newTarget(t)
	es := tg.es
	r := tg.do("PUT", "/ms-camunda", camundaLikeMapping)
	if r.status != 200 {
		t.Fatalf("create with Camunda's field types: %s", r.raw)
	}
	t.Cleanup(func() { tg.do("DELETE", "/ms-camunda", nil) })
	tg.must(200, "POST", "/_aliases", `{"actions":[{"add":{"index":"ms-camunda","alias":"ms-alias"}}]}`)

	r = read(t)(es.Indices.GetMapping(es.Indices.GetMapping.WithIndex("ms-alias")))
	if r.status != 200 || get(r.body, "ms-camunda.mappings.properties.joinRelation.type") != "join" || get(r.body, "ms-camunda.mappings.dynamic") != "strict" {
		t.Fatalf("GET _mapping: %s", r.raw)
	}
	r = read(t)(es.Indices.GetMapping())
	if get(r.body, "ms-camunda.mappings.properties.key.type") != "long" {
		t.Fatalf("GET /_mapping: %s", r.raw)
	}
	r = read(t)(es.Indices.GetSettings(es.Indices.GetSettings.WithIndex("ms-camunda")))
	if get(r.body, "ms-camunda.settings.index.number_of_shards") != "1" || get(r.body, "ms-camunda.settings.index.mapping.total_fields.limit") != "2000" ||
		get(r.body, "ms-camunda.settings.index.analysis.normalizer.case_insensitive.filter") == nil || get(r.body, "ms-camunda.settings.index.uuid") == nil {
		t.Fatalf("GET _settings: %s", r.raw)
	}
	r = read(t)(es.Indices.GetSettings(es.Indices.GetSettings.WithIndex("ms-camunda"), es.Indices.GetSettings.WithFlatSettings(true),
		es.Indices.GetSettings.WithName("index.number_of_*")))
	if s, _ := get(r.body, "ms-camunda.settings").(map[string]any); len(s) != 2 || s["index.number_of_replicas"] != "0" {
		t.Fatalf("GET _settings/index.number_of_* flat: %s", r.raw)
	}
	r = read(t)(es.Indices.GetSettings())
	if get(r.body, "ms-camunda.settings.index.provided_name") != "ms-camunda" {
		t.Fatalf("GET /_settings: %s", r.raw)
	}
	r = read(t)(es.Indices.GetMapping(es.Indices.GetMapping.WithIndex("ms-none")))
	expectError(t, r, 404, "index_not_found_exception", "no such index [ms-none]")
}

func TestPutMappingAndSettings(t *testing.T) {
	tg := newTarget(t)
	es := tg.es
	tg.must(200, "PUT", "/pm-a", `{"settings":{"number_of_shards":1,"number_of_replicas":0},"aliases":{"pm-alias":{}},
	  "mappings":{"properties":{"k":{"type":"keyword"},"o":{"properties":{"x":{"type":"long"}}}}}}`)
	t.Cleanup(func() { tg.do("DELETE", "/pm-a", nil) })

	r := read(t)(es.Indices.PutMapping([]string{"pm-alias"}, body(`{"properties":{"n":{"type":"long"},"o":{"properties":{"y":{"type":"date"}}},"k":{"type":"keyword","fields":{"t":{"type":"text"}}}}}`)))
	if r.status != 200 || get(r.body, "acknowledged") != true {
		t.Fatalf("put mapping: %s", r.raw)
	}
	r = tg.must(200, "GET", "/pm-a/_mapping", nil)
	for path, want := range map[string]string{"n": "long", "o.properties.x": "long", "o.properties.y": "date", "k": "keyword", "k.fields.t": "text"} {
		if got := get(r.body, "pm-a.mappings.properties."+path+".type"); got != want {
			t.Fatalf("%s: %v, want %s: %s", path, got, want, r.raw)
		}
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		typ, reason              string
	}{
		{"type change", "PUT", "/pm-a/_mapping", `{"properties":{"k":{"type":"long"}}}`, 400, "illegal_argument_exception", "mapper [k] cannot be changed from type [keyword] to [long]"},
		{"nested type change", "PUT", "/pm-a/_mapping", `{"properties":{"o":{"properties":{"x":{"type":"text"}}}}}`, 400, "illegal_argument_exception", "mapper [o.x] cannot be changed from type [long] to [text]"},
		{"unknown type", "PUT", "/pm-a/_mapping", `{"properties":{"z":{"type":"nope"}}}`, 400, "mapper_parsing_exception", "Failed to parse mapping: No handler for type [nope] declared on field [z]"},
		{"missing index", "PUT", "/pm-none/_mapping", `{"properties":{}}`, 404, "index_not_found_exception", "no such index [pm-none]"},
		{"unknown setting", "PUT", "/pm-a/_settings", `{"index":{"nope":1}}`, 400, "illegal_argument_exception", ""},
		{"static setting on an open index", "PUT", "/pm-a/_settings", `{"index.codec":"best_compression"}`, 400, "illegal_argument_exception", ""},
		{"final setting", "PUT", "/pm-a/_settings", `{"number_of_shards":2}`, 400, "illegal_argument_exception", "final index setting [index.number_of_shards], not updateable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, tg.do(tc.method, tc.path, tc.body), tc.status, tc.typ, tc.reason)
		})
	}
	r = read(t)(es.Indices.PutSettings(body(`{"index":{"number_of_replicas":2,"refresh_interval":"30s"}}`), es.Indices.PutSettings.WithIndex("pm-alias")))
	if r.status != 200 {
		t.Fatalf("put settings: %s", r.raw)
	}
	r = tg.must(200, "GET", "/pm-a/_settings", nil)
	if get(r.body, "pm-a.settings.index.number_of_replicas") != "2" || get(r.body, "pm-a.settings.index.refresh_interval") != "30s" {
		t.Fatalf("settings after update: %s", r.raw)
	}
}
