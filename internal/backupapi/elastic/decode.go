package elastic

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// decodeSnapshots reads the answer of a get-snapshots call (data, the whole body): the backup
// parts among its snapshots, in the order given.
//
// It reads {"snapshots":[...]} in one pass over the bytes, keeping only the fields of
// snapshotInfo, and accepts what encoding/json accepts into snapshotInfo with the same result:
// keys match case-insensitively, a repeated key merges into what came before it as
// encoding/json does, and anything after the answer's object is ignored. Malformed JSON, a
// value of the wrong type and nesting deeper than encoding/json's limit are errors.
func decodeSnapshots(data []byte) ([]backupapi.Snapshot, error) {
	d := snapshotsDecoder{data: data}
	infos, err := d.answer()
	if err != nil {
		return nil, err
	}
	out := make([]backupapi.Snapshot, 0, len(infos))
	for i := range infos {
		if s, ok := infos[i].snapshot(); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// maxDepth is encoding/json's limit on nested arrays and objects.
const maxDepth = 10000

// decodedSnapshot is one element of the answer's "snapshots", as decoded so far.
type decodedSnapshot struct {
	name, state string
	start, end  int64
	metadata    backupapi.StoredMetadata
	failures    mergedSlice[string]
}

// snapshot converts the decoded element into a backup part; ok is false for a snapshot that
// is part of no backup.
func (ds *decodedSnapshot) snapshot() (backupapi.Snapshot, bool) {
	m, ok := backupapi.ResolveStoredMetadata(ds.name, ds.metadata)
	if !ok {
		return backupapi.Snapshot{}, false
	}
	return backupapi.Snapshot{
		Name:      ds.name,
		State:     ds.state,
		StartTime: millis(ds.start),
		EndTime:   millis(ds.end),
		Metadata:  m,
		Failures:  append(make([]string, 0, ds.failures.n), ds.failures.items()...),
	}, true
}

// mergedSlice is a JSON array decoded the way encoding/json decodes into a Go slice: a
// repeated key's array decodes element by element into the elements of the earlier one, and
// an empty array or null starts afresh.
type mergedSlice[T any] struct {
	all []T // every element ever decoded, the first n of them current
	n   int
}

// items returns the current elements.
func (s *mergedSlice[T]) items() []T { return s.all[:s.n] }

// element returns element i of the array being decoded, merged with what it held before.
func (s *mergedSlice[T]) element(i int) *T {
	if i == len(s.all) {
		var zero T
		s.all = append(s.all, zero)
	}
	return &s.all[i]
}

// end closes an array of n elements.
func (s *mergedSlice[T]) end(n int) {
	s.n = n
	if n == 0 {
		s.all = nil
	}
}

// snapshotsDecoder reads a get-snapshots answer from data, at off.
type snapshotsDecoder struct {
	data []byte
	off  int
	// state and version hold the last values read, to share the string among the many
	// snapshots that have the same.
	state, version string
}

// errUnexpectedEnd reports an answer cut short.
var errUnexpectedEnd = errors.New("unexpected end of JSON input")

// syntaxError reports a byte that cannot be there.
func (d *snapshotsDecoder) syntaxError(what string) error {
	if d.off >= len(d.data) {
		return errUnexpectedEnd
	}
	return fmt.Errorf("invalid character %q %s at offset %d", d.data[d.off], what, d.off)
}

// typeError reports a value of the wrong JSON type.
func (d *snapshotsDecoder) typeError(field string) error {
	return fmt.Errorf("cannot read %s: unexpected %s at offset %d", field, d.kind(), d.off)
}

// kind names the type of the value at off.
func (d *snapshotsDecoder) kind() string {
	switch d.peek() {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	default:
		return "number"
	}
}

// answer reads the top-level value: an object, or null (no snapshots).
func (d *snapshotsDecoder) answer() ([]decodedSnapshot, error) {
	d.space()
	// Room for every snapshot at once, rather than growing from nothing: each has an object
	// of its own and one of metadata, and counting bytes costs little.
	snaps := mergedSlice[decodedSnapshot]{all: make([]decodedSnapshot, 0, bytes.Count(d.data, []byte("{"))/2)}
	switch d.peek() {
	case 'n':
		return nil, d.literal("null")
	case '{':
	default:
		if d.off >= len(d.data) {
			return nil, errUnexpectedEnd
		}
		return nil, d.typeError("the get-snapshots answer")
	}
	err := d.object(1, func(key []byte, depth int) error {
		if !bytes.EqualFold(key, []byte("snapshots")) {
			return d.skip(depth, false)
		}
		return d.array(depth, "snapshots", func(i, depth int) error {
			return d.snapshot(snaps.element(i), depth)
		}, snaps.end)
	})
	return snaps.items(), err
}

// snapshot reads one element of "snapshots" into ds.
func (d *snapshotsDecoder) snapshot(ds *decodedSnapshot, depth int) error {
	if d.peek() == 'n' {
		return d.literal("null")
	}
	if d.peek() != '{' {
		return d.nonNull(depth, "a snapshot")
	}
	return d.object(depth+1, func(key []byte, depth int) error {
		switch field(key, snapshotFieldNames) {
		case fieldSnapshot:
			return d.stringField(depth, "snapshot", &ds.name, nil)
		case fieldState:
			return d.stringField(depth, "state", &ds.state, &d.state)
		case fieldStart:
			return d.intField(depth, "start_time_in_millis", &ds.start)
		case fieldEnd:
			return d.intField(depth, "end_time_in_millis", &ds.end)
		case fieldMetadata:
			return d.metadata(depth, &ds.metadata)
		case fieldFailures:
			return d.failures(depth, &ds.failures)
		}
		return d.skip(depth, false)
	})
}

// The fields of a snapshot the decoder reads, as indices into snapshotFieldNames.
const (
	fieldSnapshot = iota
	fieldState
	fieldStart
	fieldEnd
	fieldMetadata
	fieldFailures
)

var snapshotFieldNames = []string{"snapshot", "state", "start_time_in_millis", "end_time_in_millis", "metadata", "failures"}

// field returns the index of the name that key matches as encoding/json matches keys to
// fields (an exact match first, then without regard to case), or -1.
func field(key []byte, names []string) int {
	for i, name := range names {
		if string(key) == name {
			return i
		}
	}
	for i, name := range names {
		if bytes.EqualFold(key, []byte(name)) {
			return i
		}
	}
	return -1
}

// metadata reads a snapshot's metadata into m: an object merges into it, null clears it.
func (d *snapshotsDecoder) metadata(depth int, m *backupapi.StoredMetadata) error {
	switch d.peek() {
	case 'n':
		*m = backupapi.StoredMetadata{}
		return d.literal("null")
	case '{':
	default:
		return d.nonNull(depth, "metadata")
	}
	return d.object(depth+1, func(key []byte, depth int) error {
		switch string(key) {
		case "version":
			m.Version = ""
			if d.peek() == '"' {
				return d.stringField(depth, "version", &m.Version, &d.version)
			}
		case "backupId":
			return d.numberValue(depth, &m.BackupID, &m.HasBackupID)
		case "partNo":
			return d.numberValue(depth, &m.PartNo, &m.HasPartNo)
		case "partCount":
			return d.numberValue(depth, &m.PartCount, &m.HasPartCount)
		}
		return d.skip(depth, true)
	})
}

// numberValue reads a metadata value: a number sets n and has, any other value clears has.
func (d *snapshotsDecoder) numberValue(depth int, n *float64, has *bool) error {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		*has = false
		return d.skip(depth, true)
	}
	f, err := d.float()
	*n, *has = f, true
	return err
}

// failures reads a snapshot's failures into f, keeping their reasons.
func (d *snapshotsDecoder) failures(depth int, f *mergedSlice[string]) error {
	return d.array(depth, "failures", func(i, depth int) error {
		reason := f.element(i)
		switch d.peek() {
		case 'n':
			return d.literal("null")
		case '{':
		default:
			return d.nonNull(depth, "a failure")
		}
		return d.object(depth+1, func(key []byte, depth int) error {
			if bytes.EqualFold(key, []byte("reason")) {
				return d.stringField(depth, "reason", reason, nil)
			}
			return d.skip(depth, false)
		})
	}, f.end)
}

// array reads an array at depth+1, calling element for each of its values and end with their
// count; null is no elements, any other value an error.
func (d *snapshotsDecoder) array(depth int, field string, element func(i, depth int) error, end func(n int)) error {
	if d.peek() != '[' {
		if d.peek() == 'n' {
			end(0)
			return d.literal("null")
		}
		return d.nonNull(depth, field)
	}
	depth++
	if depth > maxDepth {
		return errors.New("exceeded max depth")
	}
	d.off++
	d.space()
	if d.peek() == ']' {
		d.off++
		end(0)
		return nil
	}
	for i := 0; ; i++ {
		if err := element(i, depth); err != nil {
			return err
		}
		d.space()
		switch d.peek() {
		case ',':
			d.off++
			d.space()
		case ']':
			d.off++
			end(i + 1)
			return nil
		default:
			return d.syntaxError("after array element")
		}
	}
}

// object reads an object at depth (the caller checked the '{'), calling member with each key,
// unescaped, and off at its value.
func (d *snapshotsDecoder) object(depth int, member func(key []byte, depth int) error) error {
	if depth > maxDepth {
		return errors.New("exceeded max depth")
	}
	d.off++
	d.space()
	if d.peek() == '}' {
		d.off++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntaxError("looking for beginning of object key string")
		}
		key, err := d.stringBytes()
		if err != nil {
			return err
		}
		d.space()
		if d.peek() != ':' {
			return d.syntaxError("after object key")
		}
		d.off++
		d.space()
		if err := member(key, depth); err != nil {
			return err
		}
		d.space()
		switch d.peek() {
		case ',':
			d.off++
			d.space()
		case '}':
			d.off++
			return nil
		default:
			return d.syntaxError("after object key:value pair")
		}
	}
}

// nonNull reports the error of a value of the wrong type, after checking its syntax first as
// encoding/json does.
func (d *snapshotsDecoder) nonNull(depth int, field string) error {
	start := d.off
	if err := d.skip(depth, false); err != nil {
		return err
	}
	d.off = start
	return d.typeError(field)
}

// stringField reads a string value into s (null leaves s as it is). last, when given, holds
// the previous value read, whose string is reused when equal.
func (d *snapshotsDecoder) stringField(depth int, field string, s, last *string) error {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '"':
	default:
		return d.nonNull(depth, field)
	}
	b, err := d.stringBytes()
	if err != nil {
		return err
	}
	switch {
	case last == nil:
		*s = string(b)
	case *last == string(b):
		*s = *last
	default:
		*s = string(b)
		*last = *s
	}
	return nil
}

// intField reads an integer value into n (null leaves n as it is): a number with a fraction,
// an exponent or out of int64's range is an error.
func (d *snapshotsDecoder) intField(depth int, field string, n *int64) error {
	c := d.peek()
	if c == 'n' {
		return d.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return d.nonNull(depth, field)
	}
	num, err := d.number()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", field, err)
	}
	*n = v
	return nil
}

// float reads a number as float64; out of float64's range is an error.
func (d *snapshotsDecoder) float() (float64, error) {
	num, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, fmt.Errorf("cannot read number: %w", err)
	}
	return f, nil
}

// skip passes over any value, whose arrays and objects open at depth+1. With numbers, the
// numbers in it must fit a float64, as encoding/json requires of a value it keeps in a map.
func (d *snapshotsDecoder) skip(depth int, numbers bool) error {
	switch c := d.peek(); c {
	case '{':
		return d.object(depth+1, func(_ []byte, depth int) error { return d.skip(depth, numbers) })
	case '[':
		return d.array(depth, "", func(_, depth int) error { return d.skip(depth, numbers) }, func(int) {})
	case '"':
		return d.skipString()
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		if c != '-' && (c < '0' || c > '9') {
			return d.syntaxError("looking for beginning of value")
		}
		if numbers {
			_, err := d.float()
			return err
		}
		_, err := d.number()
		return err
	}
}

// literal reads the literal word (true, false or null) at off.
func (d *snapshotsDecoder) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if d.peek() != word[i] {
			return d.syntaxError("in literal " + word)
		}
		d.off++
	}
	return nil
}

// number reads a number and returns its text: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *snapshotsDecoder) number() ([]byte, error) {
	start := d.off
	if d.peek() == '-' {
		d.off++
	}
	switch c := d.peek(); {
	case c == '0':
		d.off++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return nil, d.syntaxError("in numeric literal")
	}
	if d.peek() == '.' {
		d.off++
		if !d.digits() {
			return nil, d.syntaxError("after decimal point in numeric literal")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.off++
		if c := d.peek(); c == '+' || c == '-' {
			d.off++
		}
		if !d.digits() {
			return nil, d.syntaxError("in exponent of numeric literal")
		}
	}
	return d.data[start:d.off], nil
}

// digits passes over decimal digits, reporting whether there was one.
func (d *snapshotsDecoder) digits() bool {
	start := d.off
	for d.off < len(d.data) && d.data[d.off] >= '0' && d.data[d.off] <= '9' {
		d.off++
	}
	return d.off > start
}

// skipString passes over a string, checking its escapes.
func (d *snapshotsDecoder) skipString() error {
	_, _, err := d.scanString()
	return err
}

// stringBytes reads a string and returns its value. Unless the string has escapes or bytes
// that are not UTF-8, the value is the input's bytes themselves. As with encoding/json, each
// byte that is not UTF-8 and each unpaired surrogate become U+FFFD.
func (d *snapshotsDecoder) stringBytes() ([]byte, error) {
	raw, plain, err := d.scanString()
	if err != nil || plain {
		return raw, err
	}
	return unquote(raw), nil
}

// scanString passes over the string at off and returns the bytes between its quotes; plain
// is true when they are its value as they are (ASCII without escapes, or valid UTF-8).
func (d *snapshotsDecoder) scanString() (raw []byte, plain bool, err error) {
	d.off++ // the opening quote
	start := d.off
	ascii, escapes := true, false
	for d.off < len(d.data) {
		// Most bytes are printable ASCII other than a quote or a backslash: pass over them
		// in a tight loop.
		for d.off < len(d.data) && plainASCII[d.data[d.off]] {
			d.off++
		}
		if d.off == len(d.data) {
			break
		}
		switch c := d.data[d.off]; {
		case c == '"':
			raw = d.data[start:d.off]
			d.off++
			return raw, !escapes && (ascii || utf8.Valid(raw)), nil
		case c == '\\':
			escapes = true
			if err := d.escape(); err != nil {
				return nil, false, err
			}
		case c < ' ':
			return nil, false, d.syntaxError("in string literal")
		default:
			ascii = ascii && c < utf8.RuneSelf
			d.off++
		}
	}
	return nil, false, errUnexpectedEnd
}

// plainASCII marks the bytes that stand for themselves in a JSON string and are ASCII.
var plainASCII = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape passes over the escape sequence at off.
func (d *snapshotsDecoder) escape() error {
	d.off++
	switch d.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.off++
		return nil
	case 'u':
		d.off++
		for range 4 {
			if !isHex(d.peek()) {
				return d.syntaxError("in \\u hexadecimal character escape")
			}
			d.off++
		}
		return nil
	}
	return d.syntaxError("in string escape code")
}

// space passes over whitespace.
func (d *snapshotsDecoder) space() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// peek returns the byte at off, or 0 at the end.
func (d *snapshotsDecoder) peek() byte {
	if d.off < len(d.data) {
		return d.data[d.off]
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote returns the value of the checked string body s (escapes valid, no control bytes).
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && s[i+1] == 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(s[i+2:])); pair != utf8.RuneError {
						b = utf8.AppendRune(b, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		case c == '\\':
			b = append(b, unescaped[s[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return b
}

// unescaped maps the letter of a one-letter escape to its byte.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 reads four checked hexadecimal digits.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// maxPresized bounds the buffer readBody allocates up front from a Content-Length.
const maxPresized = 64 << 20

// readBody reads a whole response body into a buffer of its announced length, when it has
// one, instead of growing a buffer from nothing: the answer for 1,000 backups is about 1.3 MB.
func readBody(res *esapi.Response) ([]byte, error) {
	n, err := strconv.ParseInt(res.Header.Get("Content-Length"), 10, 64)
	if err != nil || n <= 0 || n > maxPresized {
		return io.ReadAll(res.Body)
	}
	buf := make([]byte, 0, n)
	buf = buf[:n]
	if _, err := io.ReadFull(res.Body, buf); err != nil {
		return nil, err
	}
	// The body is as long as announced (net/http enforces it); read on to its end all the
	// same, so that a body longer than announced is never cut.
	rest, err := io.ReadAll(res.Body)
	if len(rest) > 0 {
		buf = append(buf, rest...)
	}
	return buf, err
}
