package esemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// member is one key of an ordered JSON object.
type member struct {
	Key   string
	Value any
}

// object is a JSON object that keeps its key order (Elasticsearch's responses
// list repositories, indices and settings in a meaningful order).
type object []member

// MarshalJSON encodes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Key)
		b = append(b, ':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// (without HTML escaping).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func itoa(n int) string { return strconv.Itoa(n) }

// maxNestingDepth is the deepest nesting of arrays and objects accepted in a
// request body, the limit of Elasticsearch's JSON parser (Jackson's
// StreamReadConstraints default of 1,000 levels).
const maxNestingDepth = 1000

// errTooDeep reports input nested deeper than maxNestingDepth; offset is where
// the level that crossed the limit opened.
type errTooDeep struct {
	depth  int
	offset int64
}

func (e *errTooDeep) Error() string {
	// Jackson's wording (StreamConstraintsException); unconfirmed against a
	// running 8.19 node, which wraps it as an x_content_parse_exception.
	return fmt.Sprintf("Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", e.depth, maxNestingDepth)
}

// frame is one open array or object of decodeOrdered's explicit stack.
type frame struct {
	obj    object
	arr    []any
	isObj  bool
	key    string
	hasKey bool
}

// decodeOrdered parses JSON keeping object key order (objects become object,
// numbers json.Number). It keeps its own stack instead of recursing, and
// refuses nesting deeper than maxNestingDepth, so no input can exhaust the
// goroutine stack or grow memory beyond a bounded multiple of its size.
func decodeOrdered(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var stack []frame
	var result any
	done := false
	for !done {
		off := d.InputOffset()
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		var v any
		switch t := t.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxNestingDepth {
					return nil, &errTooDeep{depth: len(stack) + 1, offset: off}
				}
				stack = append(stack, frame{isObj: t == '{', obj: object{}, arr: []any{}})
				continue
			default: // '}' or ']': the decoder has checked that it matches
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.isObj {
					v = top.obj
				} else {
					v = top.arr
				}
			}
		default:
			if len(stack) > 0 {
				if top := &stack[len(stack)-1]; top.isObj && !top.hasKey {
					top.key, top.hasKey = t.(string) // object keys are always strings
					continue
				}
			}
			v = t
		}
		if len(stack) == 0 {
			result, done = v, true
			continue
		}
		top := &stack[len(stack)-1]
		if top.isObj {
			top.obj = append(top.obj, member{Key: top.key, Value: v})
			top.key, top.hasKey = "", false
		} else {
			top.arr = append(top.arr, v)
		}
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after JSON value")
	}
	return result, nil
}

// lineCol converts a byte offset in data to a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// parseJSONError turns a decoding error into Elasticsearch's parse error.
func parseJSONError(data []byte, err error) *esError {
	var deep *errTooDeep
	if errors.As(err, &deep) {
		l, c := lineCol(data, deep.offset+1)
		return errXContentParse(l, c, deep.Error())
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		l, c := lineCol(data, se.Offset)
		return errXContentParse(l, c, "Unexpected character: "+se.Error())
	}
	l, c := lineCol(data, int64(len(data)))
	return errXContentParse(l, c, "Unexpected end-of-input: "+err.Error())
}
