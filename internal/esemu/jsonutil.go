package esemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
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
// numbers json.Number). It refuses what Elasticsearch's parser (Jackson, with
// the strict duplicate detection Elasticsearch turns on) refuses: a name
// repeated within an object, invalid UTF-8 in a string, nesting deeper than
// maxNestingDepth, and anything after the value. It keeps its own stack instead
// of recursing, so no input can exhaust the goroutine stack or grow memory
// beyond a bounded multiple of its size.
func decodeOrdered(data []byte) (any, error) { return decodeJSON(data, false) }

// decodeStored parses JSON this server stored, as decodeOrdered does but
// keeping a repeated name as a second member and reading invalid UTF-8 as
// U+FFFD: data directories written before the server refused them stay
// readable.
func decodeStored(data []byte) (any, error) { return decodeJSON(data, true) }

func decodeJSON(data []byte, stored bool) (any, error) {
	// Names are compared by jsontext; UTF-8 is checked here by Jackson's rules
	// (checkUTF8), which differ from Go's: Jackson decodes overlong forms and
	// encoded surrogates, and keeps a lone escaped surrogate (Go reads it as
	// U+FFFD here). A bytes.Buffer is parsed in place, without a copy.
	d := jsontext.NewDecoder(bytes.NewBuffer(data),
		jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(stored))
	var stack []frame
	var result any
	for done := false; !done; {
		off := d.InputOffset()
		var v any
		switch kind := d.PeekKind(); kind {
		case '{', '[':
			if len(stack) >= maxNestingDepth {
				return nil, &errTooDeep{depth: len(stack) + 1, offset: int64(skipSpace(data, int(off)))}
			}
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			stack = append(stack, frame{isObj: kind == '{', obj: object{}, arr: []any{}})
			continue
		case '}', ']':
			if _, err := d.ReadToken(); err != nil {
				return nil, err
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.isObj {
				v = top.obj
			} else {
				v = top.arr
			}
		case '0':
			raw, err := d.ReadValue()
			if err != nil {
				return nil, err
			}
			v = json.Number(raw)
		default: // strings, literals, and what is not JSON (ReadToken reports it)
			tok, err := d.ReadToken()
			if err != nil {
				return nil, duplicateName(data, err)
			}
			switch tok.Kind() {
			case 'n':
				v = nil
			case 't', 'f':
				v = tok.Bool()
			default:
				if !stored {
					if err := checkUTF8(data, off, d.InputOffset()); err != nil {
						return nil, err
					}
				}
				s := tok.String()
				if len(stack) > 0 {
					if top := &stack[len(stack)-1]; top.isObj && !top.hasKey {
						top.key, top.hasKey = s, true
						continue
					}
				}
				v = s
			}
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
	switch _, err := d.ReadToken(); {
	case errors.Is(err, io.EOF):
		return result, nil
	case err == nil:
		return nil, &jsontext.SyntacticError{ByteOffset: d.InputOffset(), Err: errTrailingData}
	default:
		return nil, err
	}
}

// errTrailingData reports a value followed by more than whitespace.
var errTrailingData = errors.New("trailing data after JSON value")

// errDuplicateName reports a name repeated within one object.
type errDuplicateName struct {
	name   string
	offset int64
}

func (e *errDuplicateName) Error() string {
	// Jackson's wording (its strict duplicate detection); unconfirmed against a
	// running 8.19 node, which wraps it as an x_content_parse_exception.
	return "Duplicate field '" + e.name + "'"
}

// duplicateName turns jsontext's report of a repeated name into
// errDuplicateName, naming it; other errors are returned as they are.
func duplicateName(data []byte, err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) || !errors.Is(se.Err, jsontext.ErrDuplicateName) || se.ByteOffset >= int64(len(data)) {
		return err
	}
	at := int64(skipSpace(data, int(se.ByteOffset)))
	tok, terr := jsontext.NewDecoder(bytes.NewReader(data[at:]), jsontext.AllowInvalidUTF8(true)).ReadToken()
	if terr != nil || tok.Kind() != '"' {
		return err
	}
	return &errDuplicateName{name: tok.String(), offset: at}
}

// errInvalidUTF8 reports a byte that Jackson's UTF-8 decoder refuses in a string.
type errInvalidUTF8 struct {
	b      byte
	middle bool // a continuation byte was expected
	offset int64
}

func (e *errInvalidUTF8) Error() string {
	// Jackson's wording (UTF8StreamJsonParser); unconfirmed against a running
	// 8.19 node.
	if e.middle {
		return "Invalid UTF-8 middle byte 0x" + strconv.FormatUint(uint64(e.b), 16)
	}
	return "Invalid UTF-8 start byte 0x" + strconv.FormatUint(uint64(e.b), 16)
}

// checkUTF8 checks data[from:to] (a token read, with what precedes it since
// the previous one: only ASCII outside strings) by Jackson's rules: a byte of
// 0xC0-0xDF, 0xE0-0xEF or 0xF0-0xF7 starts a sequence of 2, 3 or 4 bytes
// whose others are 0x80-0xBF; any other byte of 0x80 or more cannot start one.
func checkUTF8(data []byte, from, to int64) error {
	b := data[from:to]
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		c := b[i]
		n := 0
		switch {
		case c < 0x80:
			i++
			continue
		case c&0xE0 == 0xC0:
			n = 2
		case c&0xF0 == 0xE0:
			n = 3
		case c&0xF8 == 0xF0:
			n = 4
		default:
			return &errInvalidUTF8{b: c, offset: from + int64(i)}
		}
		for j := 1; j < n; j++ {
			if i+j >= len(b) || b[i+j]&0xC0 != 0x80 {
				k := min(i+j, len(b)-1)
				return &errInvalidUTF8{b: b[k], middle: true, offset: from + int64(k)}
			}
		}
		i += n
	}
	return nil // Go refuses it, Jackson does not: an overlong form or an encoded surrogate
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
	var (
		deep *errTooDeep
		dup  *errDuplicateName
		utf  *errInvalidUTF8
		se   *jsontext.SyntacticError
	)
	switch {
	case errors.As(err, &deep):
		l, c := lineCol(data, deep.offset+1)
		return errXContentParse(l, c, deep.Error())
	case errors.As(err, &dup):
		l, c := lineCol(data, dup.offset+1)
		return errXContentParse(l, c, dup.Error())
	case errors.As(err, &utf):
		l, c := lineCol(data, utf.offset+1)
		return errXContentParse(l, c, utf.Error())
	case errors.As(err, &se) && !errors.Is(se.Err, io.ErrUnexpectedEOF):
		l, c := lineCol(data, se.ByteOffset)
		return errXContentParse(l, c, "Unexpected character: "+strings.TrimPrefix(se.Error(), "jsontext: "))
	}
	l, c := lineCol(data, int64(len(data)))
	return errXContentParse(l, c, "Unexpected end-of-input: "+strings.TrimPrefix(err.Error(), "jsontext: "))
}
