package esemu

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"
)

// Search, count and scroll: the queries tools use to read or check whole
// indices (match_all, ids, term, terms, match, exists, bool, constant_score),
// from/size, sort (fields, _doc, _id, _score), search_after and scroll,
// with Elasticsearch's response shape. Every hit scores 1.0: there is no
// relevance ranking. A scroll keeps the list of its matching documents and
// reads their sources page by page (a document deleted meanwhile is left
// out of later pages, where Elasticsearch would still return it). Alias
// filters apply as in Elasticsearch (see aliasFilters).

const (
	searchParams = "allow_no_indices allow_partial_search_results analyzer analyze_wildcard batched_reduce_size ccs_minimize_roundtrips " +
		"default_operator df docvalue_fields expand_wildcards explain from ignore_throttled ignore_unavailable include_named_queries_score " +
		"lenient max_concurrent_shard_requests pre_filter_shard_size preference q request_cache rest_total_hits_as_int routing scroll " +
		"search_type seq_no_primary_term size sort _source _source_excludes _source_includes stats stored_fields suggest_field " +
		"suggest_mode suggest_size suggest_text terminate_after timeout track_scores track_total_hits typed_keys version"
	scrollParams      = "scroll scroll_id rest_total_hits_as_int"
	clearScrollParams = "scroll_id"
	// maxOpenScrolls is search.max_open_scroll_context's default.
	maxOpenScrolls = 500
	// defaultTrackTotalHits is the count up to which totals are exact by default.
	defaultTrackTotalHits = 10000
)

// hitRef is one matching document.
type hitRef struct {
	ix   *index
	ord  int // position of the index in the request
	id   string
	meta docMeta
	sort []sortValue
}

// searchRequest is a parsed search.
type searchRequest struct {
	query       queryNode
	from, size  int
	sort        []sortKey
	searchAfter []any
	trackTotal  int // -1 exact, 0 off, n: up to n
	source      sourceFilter
	version     bool
	seqNo       bool
	scroll      time.Duration
	totalAsInt  bool
	terminate   int
	pitID       string
	pitKeep     time.Duration
}

// --- queries ---

// queryNode matches documents.
type queryNode interface {
	match(d *docView) bool
	// needsSource reports whether matching reads the document's source.
	needsSource() bool
}

// docView is a document as queries see it.
type docView struct {
	index string
	id    string
	raw   json.RawMessage
	types map[string]string
	src   map[string]any
}

func (d *docView) source() map[string]any {
	if d.src == nil {
		dec := json.NewDecoder(bytes.NewReader(d.raw))
		dec.UseNumber()
		if dec.Decode(&d.src) != nil || d.src == nil {
			d.src = map[string]any{}
		}
	}
	return d.src
}

// values returns the values of a dotted field path, arrays flattened. A
// path ending in .keyword on a field without that mapping reads the base
// field, as the keyword sub-field of Elasticsearch's dynamic string mapping.
func (d *docView) values(path string) []any {
	switch path {
	case "_id":
		return []any{d.id}
	case "_index":
		return []any{d.index}
	}
	vs := lookupPath(d.source(), path)
	if len(vs) == 0 {
		if base, ok := strings.CutSuffix(path, ".keyword"); ok {
			if _, mapped := d.types[path]; !mapped {
				return lookupPath(d.source(), base)
			}
		}
	}
	return vs
}

func lookupPath(v any, path string) []any {
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[path]; ok {
			return flatten(x)
		}
		for i := 0; i < len(path); i++ {
			if path[i] == '.' {
				if x, ok := t[path[:i]]; ok {
					if r := lookupPath(x, path[i+1:]); len(r) > 0 {
						return r
					}
				}
			}
		}
	case []any:
		var out []any
		for _, e := range t {
			out = append(out, lookupPath(e, path)...)
		}
		return out
	}
	return nil
}

func flatten(v any) []any {
	a, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil
		}
		return []any{v}
	}
	var out []any
	for _, e := range a {
		out = append(out, flatten(e)...)
	}
	return out
}

// fieldType is a field's mapped type, or the type Elasticsearch's dynamic
// mapping would give the value v.
func fieldType(types map[string]string, path string, v any) string {
	if t, ok := types[path]; ok {
		return t
	}
	if _, ok := strings.CutSuffix(path, ".keyword"); ok {
		return "keyword"
	}
	switch t := v.(type) {
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return "float"
		}
		return "long"
	case bool:
		return "boolean"
	case string:
		if _, ok := parseDateMillis(t); ok {
			return "date"
		}
		return "text"
	}
	return ""
}

type matchAll struct{ none bool }

func (q matchAll) match(*docView) bool { return !q.none }
func (matchAll) needsSource() bool     { return false }

type idsQuery struct{ ids map[string]bool }

func (q idsQuery) match(d *docView) bool { return q.ids[d.id] }
func (idsQuery) needsSource() bool       { return false }

// termQuery matches documents with a field equal to one of values.
type termQuery struct {
	field           string
	values          []any
	caseInsensitive bool
}

func (q termQuery) needsSource() bool { return q.field != "_id" && q.field != "_index" }

func (q termQuery) match(d *docView) bool {
	for _, have := range d.values(q.field) {
		typ := fieldType(d.types, q.field, have)
		for _, want := range q.values {
			if termEquals(typ, have, want, q.caseInsensitive) {
				return true
			}
		}
	}
	return false
}

// termEquals compares a stored value with a term as the field's type does.
func termEquals(typ string, have, want any, ci bool) bool {
	ws := scalarString(want)
	switch typ {
	case "text", "match_only_text", "search_as_you_type":
		for _, tok := range tokenize(scalarString(have)) {
			if tok == ws {
				return true
			}
		}
		return false
	case "long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long":
		a, err1 := strconv.ParseFloat(scalarString(have), 64)
		b, err2 := strconv.ParseFloat(ws, 64)
		return err1 == nil && err2 == nil && a == b
	case "date", "date_nanos":
		a, ok1 := dateMillis(have)
		b, ok2 := dateMillis(want)
		return ok1 && ok2 && a == b
	case "boolean":
		return scalarString(have) == ws
	}
	if ci {
		return strings.EqualFold(scalarString(have), ws)
	}
	return scalarString(have) == ws
}

// tokenize is the standard analyzer in brief: lower-cased runs of letters and digits.
func tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// matchQuery is a match query: on analysed (text) fields any (or, with
// operator and, every) token of the text; on other fields the value itself.
type matchQuery struct {
	field, text string
	and         bool
}

func (q matchQuery) needsSource() bool { return q.field != "_id" && q.field != "_index" }

func (q matchQuery) match(d *docView) bool {
	vs := d.values(q.field)
	if len(vs) == 0 {
		return false
	}
	switch fieldType(d.types, q.field, vs[0]) {
	case "text", "match_only_text", "search_as_you_type":
	default:
		return termQuery{field: q.field, values: []any{q.text}}.match(d)
	}
	have := map[string]bool{}
	for _, v := range vs {
		for _, tok := range tokenize(scalarString(v)) {
			have[tok] = true
		}
	}
	want := tokenize(q.text)
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		if have[w] != q.and {
			return !q.and
		}
	}
	return q.and
}

func firstKey(o object, i int) string {
	if i < len(o) {
		return o[i].Key
	}
	return ""
}

type existsQuery struct{ field string }

func (q existsQuery) match(d *docView) bool { return len(d.values(q.field)) > 0 }
func (existsQuery) needsSource() bool       { return true }

type boolQuery struct {
	must, should, mustNot []queryNode
	minShould             int
}

func (q boolQuery) needsSource() bool {
	for _, l := range [][]queryNode{q.must, q.should, q.mustNot} {
		for _, c := range l {
			if c.needsSource() {
				return true
			}
		}
	}
	return false
}

func (q boolQuery) match(d *docView) bool {
	for _, c := range q.must {
		if !c.match(d) {
			return false
		}
	}
	for _, c := range q.mustNot {
		if c.match(d) {
			return false
		}
	}
	n := 0
	for _, c := range q.should {
		if c.match(d) {
			n++
		}
	}
	return n >= q.minShould
}

func errParsing(format string, args ...any) *esError {
	return newError("parsing_exception", http.StatusBadRequest, format, args...)
}

// tokenName is the name Elasticsearch's parser gives a JSON value's first token.
func tokenName(v any) string {
	switch v.(type) {
	case object:
		return "START_OBJECT"
	case []any:
		return "START_ARRAY"
	case string:
		return "VALUE_STRING"
	case json.Number:
		return "VALUE_NUMBER"
	case bool:
		return "VALUE_BOOLEAN"
	}
	return "VALUE_NULL"
}

// parseQuery reads a query object.
func parseQuery(v any) (queryNode, *esError) {
	o, ok := v.(object)
	if !ok {
		return nil, errParsing("[_na] query malformed, must start with start_object")
	}
	if len(o) == 0 {
		return matchAll{}, nil
	}
	if len(o) > 1 {
		return nil, errParsing("[%s] malformed query, expected [END_OBJECT] but found [FIELD_NAME]", o[0].Key)
	}
	name, body := o[0].Key, o[0].Value
	bo, isObj := body.(object)
	switch name {
	case "match_all", "match_none":
		if !isObj {
			return nil, errParsing("[%s] query malformed, no start_object after query name", name)
		}
		return matchAll{none: name == "match_none"}, nil
	case "ids":
		if !isObj {
			return nil, errParsing("[ids] query malformed, no start_object after query name")
		}
		q := idsQuery{ids: map[string]bool{}}
		for _, m := range bo {
			switch m.Key {
			case "values":
				l, ok := m.Value.([]any)
				if !ok {
					return nil, errParsing("[ids] failed to parse field [values]")
				}
				for _, e := range l {
					q.ids[scalarString(e)] = true
				}
			case "boost", "_name":
			default:
				return nil, errParsing("[ids] unknown field [%s]", m.Key)
			}
		}
		return q, nil
	case "term", "terms":
		if !isObj || len(bo) == 0 {
			return nil, errParsing("[%s] query malformed, no start_object after query name", name)
		}
		var q termQuery
		for _, m := range bo {
			if m.Key == "boost" || m.Key == "_name" {
				continue
			}
			if q.field != "" {
				return nil, errParsing("[%s] query doesn't support multiple fields, found [%s] and [%s]", name, q.field, m.Key)
			}
			q.field = m.Key
			if name == "terms" {
				l, ok := m.Value.([]any)
				if !ok {
					return nil, errParsing("[terms] query does not support [%s]", m.Key)
				}
				q.values = l
				continue
			}
			switch t := m.Value.(type) {
			case object:
				for _, f := range t {
					switch f.Key {
					case "value":
						q.values = []any{f.Value}
					case "case_insensitive":
						q.caseInsensitive, _ = f.Value.(bool)
					case "boost", "_name":
					default:
						return nil, errParsing("[term] query does not support [%s]", f.Key)
					}
				}
			case []any:
				return nil, errParsing("[term] query does not support array of values")
			default:
				q.values = []any{t}
			}
		}
		if q.field == "" {
			return nil, errIllegalArgument("field name is null or empty")
		}
		return q, nil
	case "match":
		if !isObj || len(bo) != 1 {
			return nil, errParsing("[match] query doesn't support multiple fields, found [%s] and [%s]", firstKey(bo, 0), firstKey(bo, 1))
		}
		q := matchQuery{field: bo[0].Key}
		switch t := bo[0].Value.(type) {
		case object:
			for _, f := range t {
				switch f.Key {
				case "query":
					q.text = scalarString(f.Value)
				case "operator":
					q.and = strings.EqualFold(scalarString(f.Value), "and")
				case "boost", "_name", "analyzer", "lenient", "zero_terms_query", "auto_generate_synonyms_phrase_query":
				default:
					return nil, errParsing("[match] query does not support [%s]", f.Key)
				}
			}
		default:
			q.text = scalarString(t)
		}
		return q, nil
	case "exists":
		f, _ := bo.get("field")
		fs, _ := f.(string)
		if fs == "" {
			return nil, errParsing("[exists] must be provided with a [field]")
		}
		return existsQuery{field: fs}, nil
	case "constant_score":
		f, ok := bo.get("filter")
		if !ok {
			return nil, errParsing("[constant_score] requires a 'filter' element")
		}
		return parseQuery(f)
	case "bool":
		if !isObj {
			return nil, errParsing("[bool] query malformed, no start_object after query name")
		}
		var q boolQuery
		minSet := false
		for _, m := range bo {
			var dst *[]queryNode
			switch m.Key {
			case "must", "filter":
				dst = &q.must
			case "should":
				dst = &q.should
			case "must_not", "mustNot":
				dst = &q.mustNot
			case "minimum_should_match":
				n, err := strconv.Atoi(scalarString(m.Value))
				if err != nil {
					return nil, errIllegalArgument("minimum_should_match [%s] is not supported by this server", scalarString(m.Value))
				}
				q.minShould, minSet = n, true
				continue
			case "boost", "_name", "adjust_pure_negative":
				continue
			default:
				return nil, errParsing("[bool] query does not support [%s]", m.Key)
			}
			clauses, isList := m.Value.([]any)
			if !isList {
				clauses = []any{m.Value}
			}
			for _, c := range clauses {
				n, err := parseQuery(c)
				if err != nil {
					return nil, err
				}
				*dst = append(*dst, n)
			}
		}
		if !minSet && len(q.should) > 0 && len(q.must) == 0 {
			q.minShould = 1
		}
		return q, nil
	}
	return nil, errParsing("unknown query [%s]", name).causedBy(
		newError("named_object_not_found_exception", http.StatusBadRequest, "[1:%d] unknown field [%s]", len(name)+13, name))
}

// parseQ reads the q parameter: *, *:* or field:value.
func parseQ(q string) (queryNode, *esError) {
	if q == "*" || q == "*:*" {
		return matchAll{}, nil
	}
	f, v, ok := strings.Cut(q, ":")
	if !ok || f == "" || v == "" {
		return nil, errIllegalArgument("the q parameter supports *:* and field:value only on this server")
	}
	return termQuery{field: f, values: []any{strings.Trim(v, `"`)}}, nil
}

// --- sort ---

// sortKey is one sort criterion.
type sortKey struct {
	field        string // _doc, _id, _score or a field path
	desc         bool
	missingFirst bool
	unmappedType string
}

// sortValue is one sort value of a hit: a number (n, or i when integral),
// a string, or missing.
type sortValue struct {
	missing bool
	isStr   bool
	isInt   bool
	i       int64
	n       float64
	s       string
}

func (v sortValue) json(k sortKey) any {
	switch {
	case v.missing && v.isStr:
		return nil
	case v.missing && k.desc:
		return int64(math.MinInt64)
	case v.missing:
		return int64(math.MaxInt64)
	case v.isStr:
		return v.s
	case v.isInt:
		return v.i
	}
	return v.n
}

func compareSortValue(a, b sortValue, k sortKey) int {
	if a.missing || b.missing {
		if a.missing == b.missing {
			return 0
		}
		// Missing values go last (or first with missing: _first) whatever the order.
		r := 1
		if a.missing == k.missingFirst {
			r = -1
		}
		if k.desc {
			r = -r
		}
		return r
	}
	var r int
	switch {
	case a.isStr || b.isStr:
		r = strings.Compare(a.s, b.s)
	case a.isInt && b.isInt:
		r = cmp.Compare(a.i, b.i)
	default:
		r = cmp.Compare(a.n, b.n)
	}
	if k.desc {
		return -r
	}
	return r
}

func parseSort(v any) ([]sortKey, *esError) {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	default:
		items = []any{t}
	}
	var keys []sortKey
	for _, it := range items {
		switch t := it.(type) {
		case string:
			keys = append(keys, newSortKey(t, ""))
		case object:
			for _, m := range t {
				k := newSortKey(m.Key, "")
				switch o := m.Value.(type) {
				case string:
					if o != "asc" && o != "desc" {
						return nil, errIllegalArgument("Unknown SortOrder [%s]", o)
					}
					k.desc = o == "desc"
				case object:
					for _, f := range o {
						switch f.Key {
						case "order":
							s := scalarString(f.Value)
							if s != "asc" && s != "desc" {
								return nil, errIllegalArgument("Unknown SortOrder [%s]", s)
							}
							k.desc = s == "desc"
						case "missing":
							k.missingFirst = scalarString(f.Value) == "_first"
						case "unmapped_type":
							k.unmappedType = scalarString(f.Value)
						case "mode", "numeric_type", "format", "nested":
						default:
							return nil, errParsing("[%s] unknown field [%s]", m.Key, f.Key)
						}
					}
				default:
					return nil, errParsing("[sort] failed to parse field [%s]", m.Key)
				}
				keys = append(keys, k)
			}
		default:
			return nil, errParsing("[sort] failed to parse field [sort]")
		}
	}
	return keys, nil
}

// newSortKey makes a key with the default order of its field; spec is a
// field or field:order.
func newSortKey(spec, order string) sortKey {
	f, o, ok := strings.Cut(spec, ":")
	if ok {
		order = o
	}
	k := sortKey{field: f, desc: f == "_score"}
	switch order {
	case "asc":
		k.desc = false
	case "desc":
		k.desc = true
	}
	return k
}

// sortValueOf computes the sort value of a hit for k.
func sortValueOf(h *hitRef, d *docView, k sortKey) sortValue {
	switch k.field {
	case "_doc":
		return sortValue{isInt: true, i: h.meta.seqNo, n: float64(h.meta.seqNo)}
	case shardDocSort:
		v := int64(h.ord)<<32 | h.meta.seqNo&(1<<32-1)
		return sortValue{isInt: true, i: v, n: float64(v)}
	case "_id":
		return sortValue{isStr: true, s: h.id}
	case "_score":
		return sortValue{n: 1}
	}
	vs := d.values(k.field)
	if len(vs) == 0 {
		t := d.types[k.field]
		if t == "" {
			t = k.unmappedType
		}
		return sortValue{missing: true, isStr: t == "keyword" || t == "" || t == "text"}
	}
	// A multi-valued field sorts by its minimum (ascending) or maximum (descending).
	var best sortValue
	for i, v := range vs {
		sv := toSortValue(fieldType(d.types, k.field, v), v)
		if i == 0 || compareSortValue(sv, best, k) < 0 {
			best = sv
		}
	}
	return best
}

func toSortValue(typ string, v any) sortValue {
	switch typ {
	case "date", "date_nanos":
		if ms, ok := dateMillis(v); ok {
			return sortValue{isInt: true, i: ms, n: float64(ms)}
		}
	case "boolean":
		if scalarString(v) == "true" {
			return sortValue{isInt: true, i: 1, n: 1}
		}
		return sortValue{isInt: true}
	case "long", "integer", "short", "byte", "unsigned_long":
		s := scalarString(v)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return sortValue{isInt: true, i: i, n: float64(i)}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return sortValue{isInt: true, i: int64(f), n: math.Trunc(f)}
		}
	case "double", "float", "half_float", "scaled_float":
		if f, err := strconv.ParseFloat(scalarString(v), 64); err == nil {
			return sortValue{n: f}
		}
	}
	return sortValue{isStr: true, s: scalarString(v)}
}

// afterValue converts a search_after value for comparison with key k.
func afterValue(v any, sample sortValue) sortValue {
	if v == nil {
		return sortValue{missing: true, isStr: sample.isStr}
	}
	if sample.isStr {
		return sortValue{isStr: true, s: scalarString(v)}
	}
	s := scalarString(v)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if sample.isInt && (i == math.MaxInt64 || i == math.MinInt64) {
			return sortValue{missing: true}
		}
		return sortValue{isInt: true, i: i, n: float64(i)}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return sortValue{n: f}
}

func dateMillis(v any) (int64, bool) {
	switch t := v.(type) {
	case json.Number:
		i, err := t.Int64()
		return i, err == nil
	case string:
		return parseDateMillis(t)
	}
	return 0, false
}

// parseDateMillis reads the date forms of Elasticsearch's default date
// format (strict_date_optional_time||epoch_millis).
func parseDateMillis(s string) (int64, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// --- _source filtering ---

type sourceFilter struct {
	exclude            bool // _source: false
	includes, excludes []string
}

func (f sourceFilter) active() bool { return len(f.includes) > 0 || len(f.excludes) > 0 }

func parseSourceFilter(v any) (sourceFilter, *esError) {
	var f sourceFilter
	switch t := v.(type) {
	case bool:
		f.exclude = !t
	case string:
		f.includes = []string{t}
	case []any:
		for _, e := range t {
			f.includes = append(f.includes, scalarString(e))
		}
	case object:
		for _, m := range t {
			l := flatten(m.Value)
			var names []string
			for _, e := range l {
				names = append(names, scalarString(e))
			}
			switch m.Key {
			case "includes", "include":
				f.includes = names
			case "excludes", "exclude":
				f.excludes = names
			default:
				return f, errParsing("Unknown key for a START_ARRAY in [%s].", m.Key)
			}
		}
	default:
		return f, errParsing("Unknown key for a %s in [_source].", tokenName(v))
	}
	return f, nil
}

// apply filters a document source.
func (f sourceFilter) apply(src json.RawMessage) json.RawMessage {
	if !f.active() {
		return src
	}
	v, err := decodeStored(src)
	o, ok := v.(object)
	if err != nil || !ok {
		return src
	}
	out, _ := json.Marshal(f.filterObject(o, "", len(f.includes) == 0))
	return out
}

func (f sourceFilter) filterObject(o object, prefix string, included bool) object {
	out := object{}
	for _, m := range o {
		path := prefix + m.Key
		if matchAny(f.excludes, path) {
			continue
		}
		in := included || matchAny(f.includes, path)
		switch t := m.Value.(type) {
		case object:
			sub := f.filterObject(t, path+".", in)
			if in || len(sub) > 0 {
				out = append(out, member{m.Key, sub})
			}
		case []any:
			var arr []any
			for _, e := range t {
				if eo, isObj := e.(object); isObj {
					if sub := f.filterObject(eo, path+".", in); in || len(sub) > 0 {
						arr = append(arr, sub)
					}
				} else if in {
					arr = append(arr, e)
				}
			}
			if in || len(arr) > 0 {
				if arr == nil {
					arr = []any{}
				}
				out = append(out, member{m.Key, arr})
			}
		default:
			if in {
				out = append(out, m)
			}
		}
	}
	return out
}

func matchAny(patterns []string, path string) bool {
	for _, p := range patterns {
		if simpleMatch(p, path) {
			return true
		}
	}
	return false
}

// --- request parsing ---

func (c *call) parseSearch(allowBody bool) (searchRequest, *esError) {
	req := searchRequest{query: matchAll{}, size: 10, trackTotal: defaultTrackTotalHits}
	var err *esError
	var body object
	if allowBody {
		if body, err = c.bodyObject(); err != nil {
			return req, err
		}
	}
	fromSet, trackSet := false, false
	for _, m := range body {
		switch m.Key {
		case "query":
			if req.query, err = parseQuery(m.Value); err != nil {
				return req, err
			}
		case "from", "size", "terminate_after":
			n, perr := strconv.Atoi(scalarString(m.Value))
			if perr != nil {
				return req, errParsing("[%s] failed to parse field [%s]", "search_source", m.Key)
			}
			switch m.Key {
			case "from":
				req.from, fromSet = n, true
			case "size":
				req.size = n
			default:
				req.terminate = n
			}
		case "sort":
			if req.sort, err = parseSort(m.Value); err != nil {
				return req, err
			}
		case "search_after":
			l, ok := m.Value.([]any)
			if !ok {
				return req, errParsing("Unknown key for a %s in [search_after].", tokenName(m.Value))
			}
			req.searchAfter = l
		case "_source":
			if req.source, err = parseSourceFilter(m.Value); err != nil {
				return req, err
			}
		case "track_total_hits":
			req.trackTotal, trackSet = trackTotal(scalarString(m.Value)), true
		case "version", "seq_no_primary_term":
			b, _ := m.Value.(bool)
			if m.Key == "version" {
				req.version = b
			} else {
				req.seqNo = b
			}
		case "stored_fields", "docvalue_fields", "fields", "timeout", "explain", "profile", "stats", "track_scores", "min_score", "indices_boost":
			// Accepted; they change nothing the emulator returns.
		case "pit":
			po, ok := m.Value.(object)
			if !ok {
				return req, errParsing("[pit] failed to parse field [pit]")
			}
			for _, f := range po {
				switch f.Key {
				case "id":
					req.pitID = scalarString(f.Value)
				case "keep_alive":
					d, ok := parseTimeValue(scalarString(f.Value))
					if !ok {
						return req, errParse("failed to parse setting [keep_alive] with value [%s] as a time value: unit is missing or unrecognized", scalarString(f.Value))
					}
					req.pitKeep = d
				default:
					return req, errParsing("[pit] unknown field [%s]", f.Key)
				}
			}
		case "aggs", "aggregations", "post_filter", "collapse", "highlight", "suggest", "rescore", "slice", "script_fields", "runtime_mappings", "knn", "retriever":
			return req, errIllegalArgument("[%s] is not supported by this server", m.Key)
		default:
			return req, errParsing("Unknown key for a %s in [%s].", tokenName(m.Value), m.Key)
		}
	}
	if q := c.param("q"); q != "" {
		if req.query, err = parseQ(q); err != nil {
			return req, err
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"from", &req.from}, {"size", &req.size}, {"terminate_after", &req.terminate}} {
		if c.has(p.name) {
			if *p.dst, err = c.intParam(p.name, *p.dst); err != nil {
				return req, err
			}
			fromSet = fromSet || p.name == "from"
		}
	}
	if s := c.param("sort"); s != "" {
		req.sort = nil
		for _, spec := range splitList(s) {
			req.sort = append(req.sort, newSortKey(spec, ""))
		}
	}
	if c.has("track_total_hits") {
		req.trackTotal, trackSet = trackTotal(c.param("track_total_hits")), true
	}
	if c.has("_source") {
		switch v := c.param("_source"); v {
		case "true", "":
		case "false":
			req.source.exclude = true
		default:
			req.source.includes = splitList(v)
		}
	}
	if c.has("_source_includes") {
		req.source.includes = splitList(c.param("_source_includes"))
	}
	if c.has("_source_excludes") {
		req.source.excludes = splitList(c.param("_source_excludes"))
	}
	if req.version, err = c.boolParam("version", req.version); err != nil {
		return req, err
	}
	if req.seqNo, err = c.boolParam("seq_no_primary_term", req.seqNo); err != nil {
		return req, err
	}
	if req.totalAsInt, err = c.boolParam("rest_total_hits_as_int", false); err != nil {
		return req, err
	}
	if req.totalAsInt {
		req.trackTotal = -1
	}
	if c.has("scroll") {
		d, ok := parseTimeValue(c.param("scroll"))
		if !ok {
			return req, errParse("failed to parse setting [scroll] with value [%s] as a time value: unit is missing or unrecognized", c.param("scroll"))
		}
		req.scroll = max(d, time.Millisecond)
		if !trackSet {
			// A scroll counts its hits exactly unless told otherwise.
			req.trackTotal = -1
		}
	}
	if req.from < 0 {
		return req, errIllegalArgument("[from] parameter cannot be negative, found [%d]", req.from)
	}
	if req.size < 0 {
		return req, errIllegalArgument("[size] parameter cannot be negative, found [%d]", req.size)
	}
	var msgs []string
	if req.scroll > 0 {
		if fromSet && req.from > 0 {
			msgs = append(msgs, "using [from] is not allowed in a scroll context")
		}
		if req.searchAfter != nil {
			msgs = append(msgs, "[search_after] cannot be used in a scroll context")
		}
		if req.trackTotal == 0 {
			msgs = append(msgs, "disabling [track_total_hits] is not allowed in a scroll context")
		}
		if req.size == 0 {
			msgs = append(msgs, "[size] cannot be [0] in a scroll context")
		}
	}
	if req.searchAfter != nil && req.from > 0 {
		msgs = append(msgs, "[from] parameter must be set to 0 when [search_after] is used")
	}
	if req.pitID != "" {
		if req.scroll > 0 {
			msgs = append(msgs, "using [point in time] is not allowed in a scroll context")
		}
		if c.r.PathValue("index") != "" {
			msgs = append(msgs, "[indices] cannot be used with point in time. Do not specify any index with point in time.")
		}
		if len(req.sort) > 0 && req.sort[len(req.sort)-1].field != shardDocSort {
			// The implicit tiebreaker of searches with a point in time.
			req.sort = append(req.sort, sortKey{field: shardDocSort})
		}
	}
	if len(msgs) > 0 {
		return req, errValidation(msgs...)
	}
	return req, nil
}

func trackTotal(v string) int {
	switch v {
	case "true", "":
		return -1
	case "false":
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return n
	}
	return defaultTrackTotalHits
}

// errSearchPhase wraps a shard-level failure the way a search reports it.
func errSearchPhase(cause *esError, indices []string) *esError {
	failed := make([]any, 0, len(indices))
	for _, n := range indices {
		failed = append(failed, object{{"shard", 0}, {"index", n}, {"node", nil}, {"reason", json.RawMessage(cause.appendObject(nil, true))}})
	}
	e := newError("search_phase_execution_exception", cause.status, "all shards failed").with("phase", "query")
	e.rawMeta = []member{{"grouped", true}, {"failed_shards", failed}}
	return e.causedBy(cause)
}

// --- execution ---

// searchResult is the outcome of running a search over indices.
type searchResult struct {
	hits   []*hitRef
	total  int
	shards int
}

// runSearch resolves the indices and finds, sorts and pages the matching
// documents (sources are read for the page only, unless the query or sort
// needs them).
func (c *call) runSearch(req searchRequest) (searchResult, *esError) {
	s := c.s
	var res searchResult
	s.mu.RLock()
	var ixs []*index
	var err *esError
	exprs := splitList(c.r.PathValue("index"))
	if req.pitID != "" {
		ixs, exprs, err = s.pitIndices(req.pitID, req.pitKeep)
	} else {
		ixs, err = c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
	}
	if err != nil {
		s.mu.RUnlock()
		return res, err
	}
	filters, ferr := s.aliasFilters(exprs, ixs)
	if ferr != nil {
		s.mu.RUnlock()
		return res, ferr
	}
	var refs []*hitRef
	for ord, ix := range ixs {
		if ix.closed {
			s.mu.RUnlock()
			return res, errIndexClosed(ix.name, ix.uuid)
		}
		res.shards += ix.shards()
		start := len(refs)
		for id, m := range ix.docs {
			refs = append(refs, &hitRef{ix: ix, ord: ord, id: id, meta: m})
		}
		part := refs[start:]
		slices.SortFunc(part, func(a, b *hitRef) int { return cmp.Compare(a.meta.seqNo, b.meta.seqNo) })
	}
	// Mappings and settings change under s.mu: read them before letting go.
	names := make([]string, len(ixs))
	window := math.MaxInt
	types := map[*index]map[string]string{}
	for i, ix := range ixs {
		names[i] = ix.name
		window = min(window, ix.maxResultWindow())
		types[ix] = fieldTypes(ix.mappings)
	}
	s.mu.RUnlock()
	if req.scroll > 0 && req.size > window {
		return res, errSearchPhase(errIllegalArgument("Batch size is too large, size must be less than or equal to: [%d] but was [%d]. Scroll batch sizes cost as much memory as result windows so they are controlled by the [index.max_result_window] index level setting.", window, req.size), names)
	}
	if req.scroll == 0 && req.from+req.size > window {
		return res, errSearchPhase(errIllegalArgument("Result window is too large, from + size must be less than or equal to: [%d] but was [%d]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", window, req.from+req.size), names)
	}
	needSource := req.query.needsSource() || len(filters) > 0
	for _, k := range req.sort {
		if !strings.HasPrefix(k.field, "_") {
			needSource = true
		}
	}
	var matched []*hitRef
	rerr := s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, h := range refs {
			d := &docView{index: h.ix.name, id: h.id, types: types[h.ix]}
			if needSource {
				b := docs.Bucket([]byte(h.ix.uuid))
				if b == nil {
					continue
				}
				v := b.Get([]byte(h.id))
				if v == nil {
					continue // deleted since the list was taken
				}
				_, src, derr := decodeDoc(v)
				if derr != nil {
					return derr
				}
				d.raw = src
			}
			if f := filters[h.ix]; f != nil && !f.match(d) {
				continue
			}
			if !req.query.match(d) {
				continue
			}
			if len(req.sort) > 0 {
				h.sort = make([]sortValue, len(req.sort))
				for i, k := range req.sort {
					h.sort[i] = sortValueOf(h, d, k)
				}
			}
			matched = append(matched, h)
		}
		return nil
	})
	if rerr != nil {
		return res, errInternal(rerr)
	}
	if serr := checkSortable(req.sort, types, matched, names); serr != nil {
		return res, serr
	}
	if len(req.sort) > 0 {
		slices.SortStableFunc(matched, func(a, b *hitRef) int {
			for i, k := range req.sort {
				if r := compareSortValue(a.sort[i], b.sort[i], k); r != 0 {
					return r
				}
			}
			return 0
		})
	}
	if req.terminate > 0 && len(matched) > req.terminate {
		matched = matched[:req.terminate]
	}
	res.total = len(matched)
	if req.searchAfter != nil {
		if len(req.searchAfter) != len(req.sort) {
			return res, errSearchPhase(errIllegalArgument("search_after has %d value(s) but sort has %d.", len(req.searchAfter), len(req.sort)), names)
		}
		i := 0
		for ; i < len(matched); i++ {
			r := 0
			for j, k := range req.sort {
				if r = compareSortValue(matched[i].sort[j], afterValue(req.searchAfter[j], matched[i].sort[j]), k); r != 0 {
					break
				}
			}
			if r > 0 {
				break
			}
		}
		matched = matched[i:]
	}
	if req.scroll == 0 {
		lo := min(req.from, len(matched))
		hi := min(lo+req.size, len(matched))
		matched = matched[lo:hi]
	}
	res.hits = matched
	return res, nil
}

// checkSortable refuses sorts Elasticsearch refuses: on text fields, and
// on fields no searched index knows (without unmapped_type).
func checkSortable(keys []sortKey, types map[*index]map[string]string, hits []*hitRef, names []string) *esError {
	for i, k := range keys {
		if strings.HasPrefix(k.field, "_") || k.unmappedType != "" {
			continue
		}
		known := false
		for _, t := range types {
			if typ, ok := t[k.field]; ok {
				known = true
				if typ == "text" {
					return errSearchPhase(errIllegalArgument(textSortRefusal, k.field), names)
				}
			}
		}
		for _, h := range hits {
			if !h.sort[i].missing {
				known = true
				break
			}
		}
		if !known && len(hits) > 0 {
			return errSearchPhase(newError("query_shard_exception", http.StatusBadRequest, "No mapping found for [%s] in order to sort on", k.field).
				with("index_uuid", "_na_").with("index", names[0]), names)
		}
	}
	return nil
}

const textSortRefusal = "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [%s] in order to load field data by uninverting the inverted index. Note that this can use significant memory."

// renderHits reads the sources of a page and renders the hits object.
func (c *call) renderHits(req searchRequest, page []*hitRef, total int) (object, *esError) {
	s := c.s
	out := make([]any, 0, len(page))
	scored := len(req.sort) == 0
	for _, k := range req.sort {
		scored = scored || k.field == "_score"
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, h := range page {
			b := docs.Bucket([]byte(h.ix.uuid))
			if b == nil {
				continue
			}
			v := b.Get([]byte(h.id))
			if v == nil {
				continue
			}
			m, src, derr := decodeDoc(v)
			if derr != nil {
				return derr
			}
			hit := object{{"_index", h.ix.name}, {"_id", h.id}}
			if req.version {
				hit = append(hit, member{"_version", m.version})
			}
			if req.seqNo {
				hit = append(hit, member{"_seq_no", m.seqNo}, member{"_primary_term", 1})
			}
			if scored {
				hit = append(hit, member{"_score", 1.0})
			} else {
				hit = append(hit, member{"_score", nil})
			}
			if !req.source.exclude {
				hit = append(hit, member{"_source", req.source.apply(slices.Clone(src))})
			}
			if len(req.sort) > 0 {
				vals := make([]any, len(req.sort))
				for i, k := range req.sort {
					vals[i] = h.sort[i].json(k)
				}
				hit = append(hit, member{"sort", vals})
			}
			out = append(out, hit)
		}
		return nil
	})
	if err != nil {
		return nil, errInternal(err)
	}
	var maxScore any
	if scored && total > 0 {
		maxScore = 1.0
	}
	hits := object{}
	switch {
	case req.totalAsInt:
		hits = append(hits, member{"total", total})
	case req.trackTotal == 0:
	case req.trackTotal > 0 && total > req.trackTotal:
		hits = append(hits, member{"total", object{{"value", req.trackTotal}, {"relation", "gte"}}})
	default:
		hits = append(hits, member{"total", object{{"value", total}, {"relation", "eq"}}})
	}
	return append(hits, member{"max_score", maxScore}, member{"hits", out}), nil
}

// search is GET|POST /_search and /{index}/_search.
func (c *call) search() error {
	start := time.Now()
	req, err := c.parseSearch(true)
	if err != nil {
		return err
	}
	res, err := c.runSearch(req)
	if err != nil {
		return err
	}
	page := res.hits
	var scrollID string
	if req.scroll > 0 {
		page = res.hits[:min(req.size, len(res.hits))]
		if scrollID, err = c.s.openScroll(&scrollContext{hits: res.hits, pos: len(page), req: req, total: res.total, shards: res.shards}); err != nil {
			return err
		}
	}
	hits, err := c.renderHits(req, page, res.total)
	if err != nil {
		return err
	}
	out := object{}
	if req.pitID != "" {
		out = append(out, member{"pit_id", req.pitID})
	}
	if scrollID != "" {
		out = append(out, member{"_scroll_id", scrollID})
	}
	out = append(out, member{"took", time.Since(start).Milliseconds()}, member{"timed_out", false},
		member{"_shards", object{{"total", res.shards}, {"successful", res.shards}, {"skipped", 0}, {"failed", 0}}},
		member{"hits", hits})
	return c.json(http.StatusOK, out)
}

// countQuery is GET|POST /_count and /{index}/_count, with an optional query.
func (c *call) countQuery() error {
	req := searchRequest{query: matchAll{}, scroll: time.Nanosecond}
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	for _, m := range body {
		if m.Key != "query" {
			return errParsing("request does not support [%s]", m.Key)
		}
		if req.query, err = parseQuery(m.Value); err != nil {
			return err
		}
	}
	if q := c.param("q"); q != "" {
		if req.query, err = parseQ(q); err != nil {
			return err
		}
	}
	if req.terminate, err = c.intParam("terminate_after", 0); err != nil {
		return err
	}
	if q, ok := req.query.(matchAll); ok && !q.none && req.terminate == 0 && !c.s.hasFilteredAliases() {
		return c.countAll()
	}
	res, err := c.runSearch(req)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"count", res.total},
		{"_shards", object{{"total", res.shards}, {"successful", res.shards}, {"skipped", 0}, {"failed", 0}}}})
}

// countAll counts every document of the selected indices from the
// in-memory tables, without listing them.
func (c *call) countAll() error {
	s := c.s
	s.mu.RLock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	n, shards := 0, 0
	for _, ix := range ixs {
		if ix.closed {
			s.mu.RUnlock()
			return errIndexClosed(ix.name, ix.uuid)
		}
		n += ix.count()
		shards += ix.shards()
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, object{{"count", n},
		{"_shards", object{{"total", shards}, {"successful", shards}, {"skipped", 0}, {"failed", 0}}}})
}

// --- scroll ---

// scrollContext is an open scroll: the matching documents and the position
// of the next page.
type scrollContext struct {
	hits    []*hitRef
	pos     int
	req     searchRequest
	total   int
	shards  int
	expires time.Time
	n       int64
}

const scrollIDPrefix = "esemu-scroll:"

func (s *Server) openScroll(sc *scrollContext) (string, *esError) {
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	s.sweepScrollsLocked()
	if len(s.ext.scrolls) >= maxOpenScrolls {
		return "", newError("too_many_scroll_contexts_exception", http.StatusTooManyRequests,
			"Trying to create too many scroll contexts. Must be less than or equal to: [%d]. This limit can be set by changing the [search.max_open_scroll_context] setting.", maxOpenScrolls)
	}
	if s.ext.scrolls == nil {
		s.ext.scrolls = map[string]*scrollContext{}
	}
	s.ext.scrollN++
	sc.n = s.ext.scrollN
	sc.expires = s.now().Add(sc.req.scroll)
	id := base64.RawURLEncoding.EncodeToString([]byte(scrollIDPrefix + strconv.FormatInt(sc.n, 10) + ":" + newUUID()))
	s.ext.scrolls[id] = sc
	return id, nil
}

// sweepScrollsLocked frees expired scroll contexts and points in time;
// s.ext.mu must be held.
func (s *Server) sweepScrollsLocked() {
	now := s.now()
	for id, sc := range s.ext.scrolls {
		if now.After(sc.expires) {
			delete(s.ext.scrolls, id)
		}
	}
	for id, pc := range s.ext.pits {
		if now.After(pc.expires) {
			delete(s.ext.pits, id)
		}
	}
}

// parseScrollID checks a scroll id's form, returning its context number.
func parseScrollID(id string) (int64, *esError) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(id, "="))
	rest, ok := strings.CutPrefix(string(b), scrollIDPrefix)
	if err != nil || !ok {
		return 0, errIllegalArgument("Cannot parse scroll id").causedBy(errIllegalArgument("invalid scroll id"))
	}
	n, _, _ := strings.Cut(rest, ":")
	v, perr := strconv.ParseInt(n, 10, 64)
	if perr != nil {
		return 0, errIllegalArgument("Cannot parse scroll id")
	}
	return v, nil
}

// scrollIDs reads scroll ids from the path, the query and the body.
func (c *call) scrollIDs(body object) ([]string, *esError) {
	var ids []string
	if id := c.r.PathValue("scroll_id"); id != "" {
		ids = append(ids, splitList(id)...)
	}
	if c.has("scroll_id") {
		ids = append(ids, splitList(c.param("scroll_id"))...)
	}
	for _, m := range body {
		switch m.Key {
		case "scroll_id":
			for _, v := range flatten(m.Value) {
				ids = append(ids, scalarString(v))
			}
		case "scroll", "rest_total_hits_as_int":
		default:
			return nil, errIllegalArgument("Unknown parameter [%s] in request body or parameter is of the wrong type[%s] ", m.Key, tokenName(m.Value))
		}
	}
	return ids, nil
}

// scroll is GET|POST /_search/scroll[/{scroll_id}].
func (c *call) scroll() error {
	start := time.Now()
	s := c.s
	var body object
	if c.hasBody() {
		var err *esError
		if body, err = c.bodyObject(); err != nil {
			return err
		}
	}
	ids, err := c.scrollIDs(body)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errValidation("scrollId is missing")
	}
	id := ids[0]
	n, err := parseScrollID(id)
	if err != nil {
		return err
	}
	keep := c.param("scroll")
	if v, ok := body.get("scroll"); ok {
		keep = scalarString(v)
	}
	var d time.Duration
	if keep != "" {
		var ok bool
		if d, ok = parseTimeValue(keep); !ok {
			return errParse("failed to parse setting [scroll] with value [%s] as a time value: unit is missing or unrecognized", keep)
		}
	}
	totalAsInt, err := c.boolParam("rest_total_hits_as_int", false)
	if err != nil {
		return err
	}
	s.ext.mu.Lock()
	s.sweepScrollsLocked()
	sc, ok := s.ext.scrolls[id]
	if !ok {
		s.ext.mu.Unlock()
		missing := newError("search_context_missing_exception", http.StatusNotFound, "No search context found for id [%d]", n)
		e := newError("search_phase_execution_exception", http.StatusNotFound, "all shards failed").with("phase", "query")
		e.rawMeta = []member{{"grouped", true}, {"failed_shards", []any{object{{"shard", -1}, {"index", nil},
			{"reason", json.RawMessage(missing.appendObject(nil, true))}}}}}
		return e.causedBy(missing)
	}
	if d > 0 {
		sc.req.scroll = d
	}
	sc.expires = s.now().Add(sc.req.scroll)
	lo := sc.pos
	hi := min(lo+sc.req.size, len(sc.hits))
	page := sc.hits[lo:hi]
	sc.pos = hi
	req, total, shards := sc.req, sc.total, sc.shards
	s.ext.mu.Unlock()
	req.totalAsInt = req.totalAsInt || totalAsInt
	hits, err := c.renderHits(req, page, total)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"_scroll_id", id}, {"took", time.Since(start).Milliseconds()}, {"timed_out", false},
		{"_shards", object{{"total", shards}, {"successful", shards}, {"skipped", 0}, {"failed", 0}}},
		{"hits", hits}})
}

// clearScroll is DELETE /_search/scroll[/{scroll_id}].
func (c *call) clearScroll() error {
	s := c.s
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	ids, err := c.scrollIDs(body)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errValidation("no scroll ids specified")
	}
	all := slices.Contains(ids, "_all")
	if !all {
		for _, id := range ids {
			if _, perr := parseScrollID(id); perr != nil {
				return perr
			}
		}
	}
	s.ext.mu.Lock()
	freed := 0
	if all {
		freed = len(s.ext.scrolls)
		s.ext.scrolls = nil
	} else {
		for _, id := range ids {
			if _, ok := s.ext.scrolls[id]; ok {
				delete(s.ext.scrolls, id)
				freed++
			}
		}
	}
	s.ext.mu.Unlock()
	status := http.StatusOK
	if freed == 0 && !all {
		status = http.StatusNotFound
	}
	return c.json(status, object{{"succeeded", true}, {"num_freed", freed}})
}

// OpenScrolls reports the number of open scroll contexts.
func (s *Server) OpenScrolls() int {
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	s.sweepScrollsLocked()
	return len(s.ext.scrolls)
}
