package esemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// pathFilter is a compiled set of filter_path expressions of one kind: inclusions (keep
// only what they select) or exclusions (drop what they select). It filters an encoded JSON
// document in one pass over its bytes, copying the selected values as they are.
//
// Its semantics are Elasticsearch's: expressions are dotted paths ('\.' is a literal dot),
// a segment may hold '*' wildcards, '**' matches any number of levels, arrays are
// transparent, and an object or array that filtering leaves empty is dropped.
type pathFilter struct {
	paths     [][]string
	inclusive bool
	levels    [][]position // the match state of each nesting level, reused
}

// position is a place in one expression: paths[path][seg] is the segment still to match.
type position struct{ path, seg int }

// errMalformed reports a document the filter cannot walk.
var errMalformed = errors.New("filter_path: malformed JSON")

// compileFilterPath splits a filter_path parameter into its inclusion and exclusion
// filters; either is nil when the parameter has no expression of that kind.
func compileFilterPath(param string) (include, exclude *pathFilter) {
	for _, e := range splitList(param) {
		f := &include
		if e[0] == '-' {
			f, e = &exclude, e[1:]
		}
		if e == "" {
			continue
		}
		if *f == nil {
			*f = &pathFilter{inclusive: f == &include}
		}
		(*f).paths = append((*f).paths, splitDotted(e))
	}
	return include, exclude
}

// splitDotted splits an expression on its dots, except escaped ones.
func splitDotted(s string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '.' {
			cur.WriteByte('.')
			i++
			continue
		}
		if s[i] == '.' {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(s[i])
	}
	return append(parts, cur.String())
}

// filterJSON applies the filter_path parameter to an encoded document: inclusions first,
// then exclusions, as Elasticsearch chains them.
func filterJSON(doc []byte, param string) ([]byte, error) {
	include, exclude := compileFilterPath(param)
	for _, f := range []*pathFilter{include, exclude} {
		if f == nil {
			continue
		}
		out, err := f.apply(doc)
		if err != nil {
			return nil, err
		}
		doc = out
	}
	return doc, nil
}

// apply returns the filtered copy of doc. A document nothing of which is selected is
// answered as its empty container ({} for an object), as Elasticsearch does.
func (f *pathFilter) apply(doc []byte) ([]byte, error) {
	start := f.level(0)
	for p := range f.paths {
		start = append(start, position{p, 0})
	}
	f.levels[0] = start
	i := skipSpace(doc, 0)
	if i >= len(doc) {
		return nil, errMalformed
	}
	out := make([]byte, 0, len(doc)/2)
	out, i, kept, err := f.value(out, doc, i, 0)
	if err != nil {
		return nil, err
	}
	if skipSpace(doc, i) != len(doc) {
		return nil, errMalformed
	}
	if !kept {
		switch doc[skipSpace(doc, 0)] {
		case '{':
			return []byte("{}"), nil
		case '[':
			return []byte("[]"), nil
		}
		return nil, nil
	}
	return out, nil
}

// level returns the emptied state buffer of nesting level n.
func (f *pathFilter) level(n int) []position {
	for len(f.levels) <= n {
		f.levels = append(f.levels, nil)
	}
	return f.levels[n][:0]
}

// value appends the selected parts of the value at doc[i:] under the state of level n.
// It returns the index after the value and whether anything of it was kept (out is
// unchanged when not).
func (f *pathFilter) value(out, doc []byte, i, n int) ([]byte, int, bool, error) {
	switch doc[i] {
	case '{':
		return f.object(out, doc, i, n)
	case '[':
		return f.array(out, doc, i, n)
	}
	end, err := valueEnd(doc, i)
	if err != nil || f.inclusive {
		return out, end, false, err // a scalar is selected only by a whole path
	}
	return append(out, doc[i:end]...), end, true, nil
}

// object filters the object at doc[i:] member by member.
func (f *pathFilter) object(out, doc []byte, i, n int) ([]byte, int, bool, error) {
	mark := len(out)
	out = append(out, '{')
	members, kept := 0, 0
	i = skipSpace(doc, i+1)
	for i < len(doc) && doc[i] != '}' {
		if members > 0 {
			if doc[i] != ',' {
				return out, i, false, errMalformed
			}
			i = skipSpace(doc, i+1)
		}
		members++
		keyStart := i
		keyEnd, err := stringEnd(doc, i)
		if err != nil {
			return out, i, false, err
		}
		i = skipSpace(doc, keyEnd)
		if i >= len(doc) || doc[i] != ':' {
			return out, i, false, errMalformed
		}
		i = skipSpace(doc, i+1)
		if i >= len(doc) {
			return out, i, false, errMalformed
		}
		whole, partial := f.step(doc[keyStart:keyEnd], n)
		memberMark := len(out)
		if kept > 0 {
			out = append(out, ',')
		}
		out = append(out, doc[keyStart:keyEnd]...)
		out = append(out, ':')
		var ok bool
		switch {
		case whole == f.inclusive && (whole || !partial):
			// Selected as a whole by an inclusion, or untouched by the exclusions.
			var end int
			if end, err = valueEnd(doc, i); err == nil {
				out, i, ok = append(out, doc[i:end]...), end, true
			}
		case partial && !whole:
			out, i, ok, err = f.value(out, doc, i, n+1)
		default:
			i, err = valueEnd(doc, i)
		}
		if err != nil {
			return out, i, false, err
		}
		if ok {
			kept++
		} else {
			out = out[:memberMark]
		}
		i = skipSpace(doc, i)
	}
	if i >= len(doc) {
		return out, i, false, errMalformed
	}
	// An exclusion keeps an object that was empty already; one it emptied goes.
	if kept == 0 && (f.inclusive || members > 0) {
		return out[:mark], i + 1, false, nil
	}
	return append(out, '}'), i + 1, true, nil
}

// array filters each element of the array at doc[i:] under the array's own state (level n:
// arrays are transparent).
func (f *pathFilter) array(out, doc []byte, i, n int) ([]byte, int, bool, error) {
	mark := len(out)
	out = append(out, '[')
	elements, kept := 0, 0
	i = skipSpace(doc, i+1)
	for i < len(doc) && doc[i] != ']' {
		if elements > 0 {
			if doc[i] != ',' {
				return out, i, false, errMalformed
			}
			i = skipSpace(doc, i+1)
			if i >= len(doc) {
				return out, i, false, errMalformed
			}
		}
		elements++
		elementMark := len(out)
		if kept > 0 {
			out = append(out, ',')
		}
		var ok bool
		var err error
		if out, i, ok, err = f.value(out, doc, i, n); err != nil {
			return out, i, false, err
		}
		if ok {
			kept++
		} else {
			out = out[:elementMark]
		}
		i = skipSpace(doc, i)
	}
	if i >= len(doc) {
		return out, i, false, errMalformed
	}
	if kept == 0 && (f.inclusive || elements > 0) {
		return out[:mark], i + 1, false, nil
	}
	return append(out, ']'), i + 1, true, nil
}

// step matches the quoted key against the state of level n: whole reports an expression
// that ends on it, partial one that goes on below it (its state is then level n+1).
func (f *pathFilter) step(quoted []byte, n int) (whole, partial bool) {
	key := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(key, '\\') >= 0 {
		key = unquote(quoted)
	}
	next := f.level(n + 1)
	for _, p := range f.levels[n] {
		seg := f.paths[p.path][p.seg]
		doubleWildcard := seg == "**"
		if !doubleWildcard && !segmentMatch(seg, key) {
			continue
		}
		if p.seg+1 == len(f.paths[p.path]) {
			whole = true
			continue
		}
		if doubleWildcard {
			next = append(next, p)
		}
		next = append(next, position{p.path, p.seg + 1})
	}
	f.levels[n+1] = next
	return whole, len(next) > 0
}

// unquote decodes a quoted key that holds escapes.
func unquote(quoted []byte) []byte {
	var s string
	_ = json.Unmarshal(quoted, &s)
	return []byte(s)
}

// segmentMatch reports whether the key matches one segment of an expression.
func segmentMatch(seg string, key []byte) bool {
	switch {
	case seg == "*":
		return true
	case strings.IndexByte(seg, '*') < 0:
		return string(key) == seg
	}
	return simpleMatch(seg, string(key))
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\n' || doc[i] == '\r' || doc[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at doc[i].
func stringEnd(doc []byte, i int) (int, error) {
	if i >= len(doc) || doc[i] != '"' {
		return i, errMalformed
	}
	for j := i + 1; ; {
		k := bytes.IndexByte(doc[j:], '"')
		if k < 0 {
			return len(doc), errMalformed
		}
		j += k
		backslashes := 0
		for doc[j-1-backslashes] == '\\' {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j + 1, nil
		}
		j++
	}
}

// valueEnd returns the index after the value starting at doc[i].
func valueEnd(doc []byte, i int) (int, error) {
	start, depth := i, 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			end, err := stringEnd(doc, i)
			if err != nil {
				return end, err
			}
			i = end
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, emptyValue(start, i)
			}
			depth--
			i++
		case ',', ' ', '\n', '\r', '\t':
			if depth == 0 {
				return i, emptyValue(start, i)
			}
			i++
		default:
			i++
		}
		if depth == 0 && i > 0 && (doc[i-1] == '"' || doc[i-1] == '}' || doc[i-1] == ']') {
			return i, nil
		}
	}
	if depth != 0 {
		return i, errMalformed
	}
	return i, emptyValue(start, i)
}

// emptyValue reports a value of no bytes (a separator where a value should be).
func emptyValue(start, end int) error {
	if start == end {
		return errMalformed
	}
	return nil
}
