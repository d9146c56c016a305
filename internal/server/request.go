package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// createBodyHint ends every message about a malformed create body.
const createBodyHint = `; expected a JSON object such as {"backupId": 123}`

// parseCreateBody reads the body of a create request: a JSON object whose backupId is a
// positive integer within int64. Every other body is an ErrInvalid error saying what is wrong.
func parseCreateBody(body io.Reader) (backupapi.ID, error) {
	data, err := io.ReadAll(body)
	if isTooLarge(err) {
		return 0, err
	}
	if err != nil {
		return 0, backupapi.Invalidf("Request body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return 0, backupapi.Invalidf("Request body is empty" + createBodyHint)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return 0, backupapi.Invalidf("Request body is a JSON %s, not an object%s", typeErr.Value, createBodyHint)
		}
		return 0, backupapi.Invalidf("Request body is not valid JSON (%s)%s", jsonProblem(err), createBodyHint)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return 0, backupapi.Invalidf("Request body has data after the JSON object%s", createBodyHint)
	}
	if fields == nil {
		return 0, backupapi.Invalidf("Request body is a JSON null, not an object%s", createBodyHint)
	}
	raw, ok := fields["backupId"]
	if !ok {
		return 0, backupapi.Invalidf("backupId is missing%s", createBodyHint)
	}
	n, err := parseInteger(raw)
	if err != nil {
		return 0, err
	}
	id := backupapi.ID(n)
	if err := id.Validate(); err != nil {
		return 0, err
	}
	return id, nil
}

// parseInteger reads backupId's JSON value: an integer number within int64.
func parseInteger(raw json.RawMessage) (int64, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return 0, backupapi.Invalidf("backupId is not valid JSON%s", createBodyHint)
	}
	num, ok := v.(json.Number)
	if !ok {
		return 0, backupapi.Invalidf("backupId must be an integer, got %s: %s", jsonKind(v), truncate(string(raw)))
	}
	n, err := strconv.ParseInt(num.String(), 10, 64)
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, strconv.ErrRange):
		return 0, backupapi.Invalidf("backupId is out of range (a 64-bit integer), got: %s", truncate(num.String()))
	default:
		return 0, backupapi.Invalidf("backupId must be an integer, got: %s", truncate(num.String()))
	}
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// jsonProblem describes a JSON syntax error without echoing the body.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%s at offset %d", strings.TrimPrefix(syntax.Error(), "json: "), syntax.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// truncate shortens echoed input so that messages stay short.
func truncate(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}

// parseListQuery reads the list request's query: verbose (true or false, any case; default
// true) and pattern (checked by the driver with backupapi.ListPattern).
func parseListQuery(q url.Values) (backupapi.ListOptions, error) {
	opts := backupapi.ListOptions{Pattern: q.Get("pattern"), Verbose: true}
	switch v := q.Get("verbose"); strings.ToLower(v) {
	case "", "true":
	case "false":
		opts.Verbose = false
	default:
		return opts, backupapi.Invalidf("Invalid verbose: %s; expected true or false", truncate(v))
	}
	return opts, nil
}

// parsePathID reads a {backupId} path segment. A bad id is echoed in the error only as a
// short prefix: a path may be as long as the header limit allows.
func parsePathID(s string) (backupapi.ID, error) {
	if len(s) > 40 { // longer than any int64 in decimal, so never a valid id
		return 0, backupapi.Invalidf("backupId must be a positive integer, got: %s", truncate(s))
	}
	return backupapi.ParseID(s)
}
