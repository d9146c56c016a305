package esemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Index settings and mappings: what Elasticsearch checks when an index is
// created (known index settings and their ranges; field types and their
// parameters for the types Camunda's indices use), and the GET _mapping and
// GET _settings APIs. The emulator does not add dynamic mappings when
// documents are written: GET _mapping shows what the index was created with.

const (
	getMappingParams  = "allow_no_indices expand_wildcards ignore_unavailable local master_timeout"
	getSettingsParams = "allow_no_indices expand_wildcards ignore_unavailable flat_settings include_defaults local master_timeout"
)

// knownIndexSettings are the index settings (without the "index." prefix)
// Elasticsearch 8 knows by exact name; knownIndexSettingGroups are the
// prefixes of its grouped and affix settings.
var knownIndexSettings = map[string]bool{
	"number_of_shards": true, "number_of_replicas": true, "number_of_routing_shards": true,
	"refresh_interval": true, "hidden": true, "auto_expand_replicas": true, "codec": true, "priority": true,
	"max_result_window": true, "max_inner_result_window": true, "max_rescore_window": true,
	"max_docvalue_fields_search": true, "max_script_fields": true, "max_ngram_diff": true,
	"max_shingle_diff": true, "max_refresh_listeners": true, "max_terms_count": true,
	"max_regex_length": true, "max_slices_per_scroll": true, "max_adjacency_matrix_filters": true,
	"routing_partition_size": true, "gc_deletes": true, "default_pipeline": true, "final_pipeline": true,
	"mode": true, "format": true, "query.default_field": true, "query_string.lenient": true,
	"requests.cache.enable": true, "queries.cache.enabled": true, "load_fixed_bitset_filters_eagerly": true,
	"highlight.max_analyzed_offset": true, "analyze.max_token_count": true, "flush_after_merge": true,
	"write.wait_for_active_shards": true, "routing_path": true, "look_ahead_time": true,
	"frozen": true, "verified_before_close": true, "compound_format": true, "fast_refresh": true,
	"uuid": true, "provided_name": true, "creation_date": true, "version.created": true,
	"dense_vector.hnsw_filter_heuristic": true, "source_only": true,
}

var knownIndexSettingGroups = []string{
	"analysis.", "routing.", "blocks.", "sort.", "lifecycle.", "similarity.", "translog.", "merge.",
	"search.", "indexing.", "store.", "mapping.", "unassigned.", "allocation.", "shard.", "warmer.",
	"soft_deletes.", "time_series.", "recovery.", "history.", "version.", "resize.", "percolator.",
	"seq_no.", "plugins.", "xpack.", "ccr.", "fielddata.", "apm.", "default_allocation.",
}

// errUnknownSetting is Elasticsearch's refusal of a setting it does not know.
func errUnknownSetting(key string) *esError {
	return errIllegalArgument("unknown setting [%s] please check that any required plugins are installed, or check the breaking changes documentation for removed settings", key)
}

// intRange is a numeric index setting's bounds.
type intRange struct{ min, max int }

var intSettingRanges = map[string]intRange{
	"index.number_of_shards":         {1, 1024},
	"index.number_of_replicas":       {0, 1 << 30},
	"index.number_of_routing_shards": {1, 1024 * 1024},
	"index.max_result_window":        {1, 1<<31 - 1},
	"index.max_inner_result_window":  {1, 1<<31 - 1},
	"index.priority":                 {0, 1<<31 - 1},
}

// validateIndexSettings checks flat index settings as Elasticsearch checks
// them at create time: every key known, numbers in range, booleans and
// time values well-formed. Keys are checked in sorted order.
func validateIndexSettings(flat map[string]string) *esError {
	for _, k := range sortedKeys(flat) {
		v := flat[k]
		name := strings.TrimPrefix(k, "index.")
		known := knownIndexSettings[name]
		for _, g := range knownIndexSettingGroups {
			known = known || strings.HasPrefix(name, g)
		}
		if !known {
			return errUnknownSetting(k)
		}
		if r, ok := intSettingRanges[k]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errIllegalArgument("Failed to parse value [%s] for setting [%s]", v, k)
			}
			if n < r.min {
				return errIllegalArgument("Failed to parse value [%s] for setting [%s] must be >= %d", v, k, r.min)
			}
			if n > r.max {
				return errIllegalArgument("Failed to parse value [%s] for setting [%s] must be <= %d", v, k, r.max)
			}
		}
		switch k {
		case "index.hidden", "index.blocks.read_only", "index.blocks.write", "index.blocks.read", "index.blocks.metadata", "index.blocks.read_only_allow_delete":
			if v != "true" && v != "false" {
				return errIllegalArgument("Failed to parse value [%s] as only [true] or [false] are allowed.", v)
			}
		case "index.refresh_interval", "index.gc_deletes":
			if v != "-1" {
				if _, ok := parseTimeValue(v); !ok {
					return errIllegalArgument("failed to parse setting [%s] with value [%s] as a time value: unit is missing or unrecognized", k, v)
				}
			}
		}
	}
	return nil
}

// parseTimeValue reads an Elasticsearch time value such as 1s, 500ms, 1m, 2h, 1d.
func parseTimeValue(v string) (time.Duration, bool) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second},
		{"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			if u.suffix == "s" && (strings.HasSuffix(num, "m") || strings.HasSuffix(num, "o")) {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || f < 0 {
				return 0, false
			}
			return time.Duration(f * float64(u.unit)), true
		}
	}
	return 0, false
}

// fieldParams are the parameters Elasticsearch's mappers accept, by type;
// types without an entry accept any parameter here (their own rules are
// not emulated).
var (
	commonFieldParams  = []string{"type", "meta", "fields", "copy_to", "store", "index", "doc_values", "script", "on_script_error", "boost", "synthetic_source_keep"}
	numericFieldParams = []string{"null_value", "ignore_malformed", "coerce", "time_series_dimension", "time_series_metric"}
	fieldParams        = map[string][]string{
		"keyword": {"null_value", "ignore_above", "normalizer", "eager_global_ordinals", "index_options", "norms", "similarity", "split_queries_on_whitespace", "time_series_dimension"},
		"text": {"analyzer", "search_analyzer", "search_quote_analyzer", "eager_global_ordinals", "fielddata", "fielddata_frequency_filter",
			"index_options", "index_prefixes", "index_phrases", "norms", "position_increment_gap", "similarity", "term_vector"},
		"date":         {"format", "locale", "null_value", "ignore_malformed", "time_series_dimension"},
		"date_nanos":   {"format", "locale", "null_value", "ignore_malformed"},
		"boolean":      {"null_value", "ignore_malformed", "time_series_dimension"},
		"long":         numericFieldParams,
		"integer":      numericFieldParams,
		"short":        numericFieldParams,
		"byte":         numericFieldParams,
		"double":       numericFieldParams,
		"float":        numericFieldParams,
		"half_float":   numericFieldParams,
		"scaled_float": append([]string{"scaling_factor"}, numericFieldParams...),
		"binary":       nil,
	}
	// knownFieldTypes are the field types of Elasticsearch 8's default
	// distribution that the emulator accepts.
	knownFieldTypes = []string{
		"keyword", "text", "match_only_text", "constant_keyword", "wildcard", "long", "integer", "short", "byte",
		"double", "float", "half_float", "scaled_float", "unsigned_long", "date", "date_nanos", "boolean",
		"binary", "object", "nested", "flattened", "join", "search_as_you_type", "completion", "ip",
		"version", "alias", "geo_point", "geo_shape", "point", "shape", "integer_range", "long_range",
		"float_range", "double_range", "date_range", "ip_range", "dense_vector", "sparse_vector",
		"rank_feature", "rank_features", "token_count", "percolator", "histogram", "semantic_text",
		"passthrough", "aggregate_metric_double", "annotated_text", "murmur3",
	}
	rootMappingParams = []string{"properties", "dynamic", "dynamic_templates", "_source", "_routing", "_meta",
		"_field_names", "date_detection", "numeric_detection", "dynamic_date_formats", "runtime", "enabled",
		"subobjects", "_data_stream_timestamp", "_size", "_doc_count"}
	objectParams = []string{"type", "properties", "dynamic", "enabled", "subobjects", "include_in_parent", "include_in_root", "store_array_source", "synthetic_source_keep"}
)

// errMapperParsing is a mapping failure as create index reports it.
func errMapperParsing(format string, args ...any) *esError {
	inner := newError("mapper_parsing_exception", http.StatusBadRequest, format, args...)
	return newError("mapper_parsing_exception", http.StatusBadRequest, "Failed to parse mapping: %s", inner.reason).causedBy(inner)
}

// parseMappings validates the mappings of a create-index request and
// returns them for storage (nil when empty).
func parseMappings(v any) (json.RawMessage, *esError) {
	root, ok := v.(object)
	if !ok || len(root) == 0 {
		return nil, nil
	}
	var unknown []string
	for _, m := range root {
		if !slices.Contains(rootMappingParams, m.Key) {
			unknown = append(unknown, " ["+m.Key+" : "+javaString(m.Value)+"]")
			continue
		}
		switch m.Key {
		case "properties":
			if err := checkProperties("", m.Value); err != nil {
				return nil, err
			}
		case "dynamic":
			if err := checkDynamic(m.Value); err != nil {
				return nil, err
			}
		}
	}
	if len(unknown) > 0 {
		return nil, errMapperParsing("Root mapping definition has unsupported parameters: %s", strings.Join(unknown, ""))
	}
	b, err := json.Marshal(root)
	if err != nil {
		return nil, errMapperParsing("%s", err.Error())
	}
	return b, nil
}

func checkDynamic(v any) *esError {
	switch scalarString(v) {
	case "true", "false", "strict", "runtime":
		return nil
	}
	return errMapperParsing("Could not convert [dynamic] to boolean")
}

// checkProperties validates the fields of an object mapping; prefix is the
// dotted path of the object.
func checkProperties(prefix string, v any) *esError {
	props, ok := v.(object)
	if !ok {
		return errMapperParsing("Expected map for property [properties] on field [%s] but got a %s", strings.TrimSuffix(prefix, "."), javaClass(v))
	}
	for _, f := range props {
		def, ok := f.Value.(object)
		if !ok {
			return errMapperParsing("Expected map for property [fields] on field [%s] but got a %s", f.Key, javaClass(f.Value))
		}
		if err := checkField(f.Key, def); err != nil {
			return err
		}
	}
	return nil
}

// checkField validates one field mapping.
func checkField(name string, def object) *esError {
	tv, hasType := def.get("type")
	typ, _ := tv.(string)
	if hasType && typ == "" {
		return errMapperParsing("No type specified for field [%s]", name)
	}
	if !hasType {
		typ = "object"
	}
	if !slices.Contains(knownFieldTypes, typ) {
		return errMapperParsing("No handler for type [%s] declared on field [%s]", typ, name)
	}
	switch typ {
	case "object", "nested":
		for _, m := range def {
			if !slices.Contains(objectParams, m.Key) {
				// Elasticsearch's object mapper reports leftovers the way the root does.
				return errMapperParsing("Mapping definition for [%s] has unsupported parameters:  [%s : %s]", name, m.Key, javaString(m.Value))
			}
			switch m.Key {
			case "properties":
				if err := checkProperties(name+".", m.Value); err != nil {
					return err
				}
			case "dynamic":
				if err := checkDynamic(m.Value); err != nil {
					return err
				}
			}
		}
		return nil
	}
	extra, checked := fieldParams[typ]
	for _, m := range def {
		if m.Key == "fields" {
			sub, ok := m.Value.(object)
			if !ok {
				return errMapperParsing("Expected map for property [fields] on field [%s] but got a %s", name, javaClass(m.Value))
			}
			for _, sf := range sub {
				sdef, ok := sf.Value.(object)
				if !ok {
					return errMapperParsing("Expected map for property [fields] on field [%s] but got a %s", sf.Key, javaClass(sf.Value))
				}
				if err := checkField(sf.Key, sdef); err != nil {
					return err
				}
			}
			continue
		}
		if checked && !slices.Contains(commonFieldParams, m.Key) && !slices.Contains(extra, m.Key) {
			return errMapperParsing("unknown parameter [%s] on mapper [%s] of type [%s]", m.Key, name, typ)
		}
	}
	return nil
}

// javaString renders a parsed JSON value as Java's Map/List toString, the
// form Elasticsearch's mapping errors print.
func javaString(v any) string {
	switch t := v.(type) {
	case object:
		parts := make([]string, len(t))
		for i, m := range t {
			parts[i] = m.Key + "=" + javaString(m.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case nil:
		return "null"
	}
	return scalarString(v)
}

func javaClass(v any) string {
	switch v.(type) {
	case string:
		return "class java.lang.String"
	case json.Number:
		return "class java.lang.Integer"
	case bool:
		return "class java.lang.Boolean"
	case []any:
		return "class java.util.ArrayList"
	}
	return "class java.lang.Object"
}

// fieldTypes maps every mapped field path (multi-fields included) to its type.
func fieldTypes(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	var root struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &root) != nil {
		return out
	}
	var walk func(prefix string, props map[string]json.RawMessage)
	walk = func(prefix string, props map[string]json.RawMessage) {
		for name, r := range props {
			var f struct {
				Type       string                     `json:"type"`
				Properties map[string]json.RawMessage `json:"properties"`
				Fields     map[string]json.RawMessage `json:"fields"`
			}
			if json.Unmarshal(r, &f) != nil {
				continue
			}
			path := prefix + name
			if f.Type == "" {
				f.Type = "object"
			}
			out[path] = f.Type
			walk(path+".", f.Properties)
			walk(path+".", f.Fields)
		}
	}
	walk("", root.Properties)
	return out
}

// getMapping is GET /_mapping and GET /{index}/_mapping.
func (c *call) getMapping() error {
	s := c.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true, closed: true})
	if err != nil {
		return err
	}
	out := make(object, 0, len(ixs))
	for _, ix := range ixs {
		out = append(out, member{ix.name, object{{"mappings", rawOrEmpty(ix.mappings)}}})
	}
	return c.json(http.StatusOK, out)
}

// defaultIndexSettings are the defaults GET _settings?include_defaults shows
// (a few of Elasticsearch's, those the emulator applies).
var defaultIndexSettings = map[string]string{
	"index.max_result_window":          "10000",
	"index.refresh_interval":           "1s",
	"index.hidden":                     "false",
	"index.max_inner_result_window":    "100",
	"index.mapping.total_fields.limit": "1000",
}

// getSettings is GET /_settings, /{index}/_settings and
// /{index}/_settings/{name}.
func (c *call) getSettings() error {
	s := c.s
	flatOut, err := c.boolParam("flat_settings", false)
	if err != nil {
		return err
	}
	defaults, err := c.boolParam("include_defaults", false)
	if err != nil {
		return err
	}
	names := splitList(c.r.PathValue("name"))
	keep := func(k string) bool {
		if len(names) == 0 || (len(names) == 1 && names[0] == "_all") {
			return true
		}
		for _, n := range names {
			if simpleMatch(n, k) {
				return true
			}
		}
		return false
	}
	render := func(flat map[string]string) any {
		sel := map[string]string{}
		for k, v := range flat {
			if keep(k) {
				sel[k] = v
			}
		}
		if flatOut {
			o := object{}
			for _, k := range sortedKeys(sel) {
				o = append(o, member{k, sel[k]})
			}
			return o
		}
		return nestSettings(sel)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ixs, rerr := c.resolvePath(indicesOptions{allowNoIndices: true, open: true, closed: true})
	if rerr != nil {
		return rerr
	}
	out := make(object, 0, len(ixs))
	for _, ix := range ixs {
		entry := object{{"settings", render(ix.settings)}}
		if defaults {
			d := map[string]string{}
			for k, v := range defaultIndexSettings {
				if _, set := ix.settings[k]; !set {
					d[k] = v
				}
			}
			entry = append(entry, member{"defaults", render(d)})
		}
		out = append(out, member{ix.name, entry})
	}
	return c.json(http.StatusOK, out)
}

// maxResultWindow is the index's index.max_result_window.
func (ix *index) maxResultWindow() int { return ix.intSetting("index.max_result_window", 10000) }

const (
	putMappingParams  = "allow_no_indices expand_wildcards ignore_unavailable master_timeout timeout write_index_only"
	putSettingsParams = "allow_no_indices expand_wildcards flat_settings ignore_unavailable master_timeout preserve_existing reopen timeout"
)

// putMapping is PUT|POST /{index}/_mapping: new fields are added, existing
// object fields merged, and a field's type never changes.
func (c *call) putMapping() error {
	s := c.s
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	if body == nil {
		return errValidation("mapping source is required")
	}
	if _, perr := parseMappings(body); perr != nil {
		return perr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ixs, rerr := c.resolvePath(indicesOptions{open: true})
	if rerr != nil {
		return rerr
	}
	merged := make([]json.RawMessage, len(ixs))
	for i, ix := range ixs {
		var old object
		if len(ix.mappings) > 0 {
			v, derr := decodeStored(ix.mappings)
			if derr != nil {
				return errInternal(derr)
			}
			old, _ = v.(object)
		}
		m, merr := mergeMapping(old, body)
		if merr != nil {
			return merr
		}
		merged[i], _ = json.Marshal(m)
	}
	prev := make([]json.RawMessage, len(ixs))
	for i, ix := range ixs {
		prev[i], ix.mappings = ix.mappings, merged[i]
	}
	if err := s.saveStateLocked(); err != nil {
		for i, ix := range ixs {
			ix.mappings = prev[i]
		}
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

// mergeMapping merges an update into a root mapping.
func mergeMapping(old, upd object) (object, *esError) {
	out := slices.Clone(old)
	for _, m := range upd {
		if m.Key == "properties" {
			oldProps, _ := out.get("properties")
			op, _ := oldProps.(object)
			np, _ := m.Value.(object)
			props, err := mergeProperties("", op, np)
			if err != nil {
				return nil, err
			}
			out = setMember(out, "properties", props)
			continue
		}
		out = setMember(out, m.Key, m.Value)
	}
	return out, nil
}

func mergeProperties(prefix string, old, upd object) (object, *esError) {
	out := slices.Clone(old)
	for _, f := range upd {
		nd, _ := f.Value.(object)
		prev, exists := out.get(f.Key)
		od, _ := prev.(object)
		if !exists {
			out = append(out, f)
			continue
		}
		ot, nt := typeOf(od), typeOf(nd)
		if ot != nt {
			return nil, errIllegalArgument("mapper [%s] cannot be changed from type [%s] to [%s]", prefix+f.Key, ot, nt)
		}
		merged := slices.Clone(od)
		for _, p := range nd {
			switch p.Key {
			case "properties", "fields":
				a, _ := merged.get(p.Key)
				ao, _ := a.(object)
				bo, _ := p.Value.(object)
				sub, err := mergeProperties(prefix+f.Key+".", ao, bo)
				if err != nil {
					return nil, err
				}
				merged = setMember(merged, p.Key, sub)
			default:
				merged = setMember(merged, p.Key, p.Value)
			}
		}
		out = setMember(out, f.Key, merged)
	}
	return out, nil
}

func typeOf(def object) string {
	if t, ok := def.get("type"); ok {
		return scalarString(t)
	}
	return "object"
}

func setMember(o object, key string, v any) object {
	for i, m := range o {
		if m.Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, member{key, v})
}

// staticIndexSettings can only change on a closed index; finalIndexSettings
// never change.
var (
	staticIndexSettings = []string{"index.codec", "index.routing_partition_size", "index.mode", "index.sort.", "index.analysis.",
		"index.number_of_routing_shards", "index.soft_deletes.enabled", "index.load_fixed_bitset_filters_eagerly", "index.shard.check_on_startup"}
	finalIndexSettings = []string{"index.number_of_shards", "index.uuid", "index.provided_name", "index.creation_date", "index.version.created"}
)

// putSettings is PUT /_settings and PUT /{index}/_settings.
func (c *call) putSettings() error {
	s := c.s
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	if len(body) == 1 && body[0].Key == "settings" {
		if inner, ok := body[0].Value.(object); ok {
			body = inner
		}
	}
	flat := map[string]string{}
	if ferr := flattenSettings("", body, flat); ferr != nil {
		return ferr
	}
	if len(flat) == 0 {
		return errValidation("no settings to update")
	}
	if verr := validateIndexSettings(flat); verr != nil {
		return verr
	}
	preserve, err := c.boolParam("preserve_existing", false)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ixs, rerr := c.resolvePath(indicesOptions{open: true})
	if rerr != nil {
		return rerr
	}
	keys := sortedKeys(flat)
	for _, k := range keys {
		for _, f := range finalIndexSettings {
			if k == f {
				return errIllegalArgument("final %s setting [%s], not updateable", "index", k)
			}
		}
		for _, st := range staticIndexSettings {
			if k == st || (strings.HasSuffix(st, ".") && strings.HasPrefix(k, st)) {
				for _, ix := range ixs {
					if !ix.closed {
						return errIllegalArgument("Can't update non dynamic settings [[%s]] for open indices [[%s/%s]]", k, ix.name, ix.uuid)
					}
				}
			}
		}
	}
	prev := make([]map[string]string, len(ixs))
	for i, ix := range ixs {
		prev[i] = ix.settings
		next := cloneMap(ix.settings)
		for _, k := range keys {
			if _, has := next[k]; has && preserve {
				continue
			}
			next[k] = flat[k]
		}
		ix.settings = next
	}
	if err := s.saveStateLocked(); err != nil {
		for i, ix := range ixs {
			ix.settings = prev[i]
		}
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}
