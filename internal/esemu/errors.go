package esemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// esError is an Elasticsearch exception: a type, a reason, ordered metadata and
// an optional cause. It renders in Elasticsearch's failure shape. A routing
// error (plain) renders as {"error":"<reason>","status":N} instead.
type esError struct {
	typ    string
	reason string
	status int
	meta   [][2]string
	cause  *esError
	plain  bool
	// rawMeta are metadata rendered as JSON values rather than strings,
	// after meta (search.go's failed_shards, for one).
	rawMeta []member
}

func (e *esError) Error() string { return e.typ + ": " + e.reason }

func newError(typ string, status int, format string, args ...any) *esError {
	return &esError{typ: typ, status: status, reason: fmt.Sprintf(format, args...)}
}

func (e *esError) with(key, value string) *esError {
	e.meta = append(e.meta, [2]string{key, value})
	return e
}

func (e *esError) causedBy(c *esError) *esError {
	e.cause = c
	return e
}

// rootCause is the innermost cause, as Elasticsearch's guessRootCauses finds it.
func (e *esError) rootCause() *esError {
	r := e
	for r.cause != nil {
		r = r.cause
	}
	return r
}

func (e *esError) appendObject(b []byte, withCause bool) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, e.typ)
	b = append(b, `,"reason":`...)
	b = appendString(b, e.reason)
	for _, kv := range e.meta {
		b = append(b, ',')
		b = appendString(b, kv[0])
		b = append(b, ':')
		b = appendString(b, kv[1])
	}
	for _, m := range e.rawMeta {
		v, err := json.Marshal(m.Value)
		if err != nil {
			continue
		}
		b = append(b, ',')
		b = appendString(b, m.Key)
		b = append(b, ':')
		b = append(b, v...)
	}
	if withCause && e.cause != nil {
		b = append(b, `,"caused_by":`...)
		b = e.cause.appendObject(b, true)
	}
	return append(b, '}')
}

// body renders the complete error response.
func (e *esError) body() []byte {
	b := make([]byte, 0, 256)
	if e.plain {
		b = append(b, `{"error":`...)
		b = appendString(b, e.reason)
	} else {
		b = append(b, `{"error":{"root_cause":[`...)
		b = e.rootCause().appendObject(b, false)
		b = append(b, `],`...)
		full := e.appendObject(nil, true)
		b = append(b, full[1:len(full)-1]...)
		b = append(b, '}')
	}
	b = append(b, `,"status":`...)
	b = fmt.Appendf(b, "%d}", e.status)
	return b
}

// --- routing-layer errors (string "error") ---

func errNoHandler(uri, method string) *esError {
	return &esError{plain: true, status: http.StatusBadRequest,
		reason: fmt.Sprintf("no handler found for uri [%s] and method [%s]", uri, method)}
}

func errMethodNotAllowed(uri, method string, allowed []string) *esError {
	return &esError{plain: true, status: http.StatusMethodNotAllowed,
		reason: fmt.Sprintf("Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]", uri, method, strings.Join(allowed, ", "))}
}

func errContentType(ct string) *esError {
	return &esError{plain: true, status: http.StatusNotAcceptable,
		reason: fmt.Sprintf("Content-Type header [%s] is not supported", ct)}
}

// --- exceptions, one constructor per type ---

func errSnapshotMissing(repo, snapshot string) *esError {
	return newError("snapshot_missing_exception", http.StatusNotFound, "[%s:%s] is missing", repo, snapshot)
}

func errRepositoryMissing(repo string) *esError {
	return newError("repository_missing_exception", http.StatusNotFound, "[%s] missing", repo)
}

func errInvalidSnapshotName(repo, snapshot, desc string) *esError {
	return newError("invalid_snapshot_name_exception", http.StatusBadRequest,
		"[%s:%s] Invalid snapshot name [%s], %s", repo, snapshot, snapshot, desc)
}

// errSnapshotNameInUse is raised, as by Elasticsearch 8.19, both for a name that
// exists in the repository and for one that is being taken by a running snapshot.
func errSnapshotNameInUse(repo, snapshot, desc string) *esError {
	return newError("snapshot_name_already_in_use_exception", http.StatusBadRequest,
		"[%s:%s] Invalid snapshot name [%s], %s", repo, snapshot, snapshot, desc)
}

func errConcurrentSnapshot(repo, snapshot, msg string) *esError {
	return newError("concurrent_snapshot_execution_exception", http.StatusServiceUnavailable,
		"[%s:%s] %s", repo, snapshot, msg)
}

func errSnapshot(repo, snapshot, msg string) *esError {
	return newError("snapshot_exception", http.StatusInternalServerError, "[%s:%s] %s", repo, snapshot, msg)
}

func errSnapshotRestore(repo, snapshot, msg string) *esError {
	return newError("snapshot_restore_exception", http.StatusInternalServerError, "[%s:%s] %s", repo, snapshot, msg)
}

func errRepository(repo, msg string) *esError {
	return newError("repository_exception", http.StatusInternalServerError, "[%s] %s", repo, msg)
}

func errRepositoryVerification(repo, msg string) *esError {
	return newError("repository_verification_exception", http.StatusInternalServerError, "[%s] %s", repo, msg)
}

func errRepositoryConflict(repo, msg string) *esError {
	return newError("repository_conflict_exception", http.StatusConflict, "[%s] %s", repo, msg)
}

// errIndexNotFound reports a missing index; kind is "index_or_alias" for a
// concrete name and "index_expression" for an expression that matched nothing.
func errIndexNotFound(name, kind string) *esError {
	return newError("index_not_found_exception", http.StatusNotFound, "no such index [%s]", name).
		with("resource.type", kind).with("resource.id", name).with("index_uuid", "_na_").with("index", name)
}

func errIndexClosed(name, uuid string) *esError {
	return newError("index_closed_exception", http.StatusBadRequest, "closed").
		with("index_uuid", uuid).with("index", name)
}

func errResourceAlreadyExists(name, uuid string) *esError {
	return newError("resource_already_exists_exception", http.StatusBadRequest, "index [%s/%s] already exists", name, uuid).
		with("index_uuid", uuid).with("index", name)
}

func errInvalidIndexName(name, desc string) *esError {
	return newError("invalid_index_name_exception", http.StatusBadRequest, "Invalid index name [%s], %s", name, desc).
		with("index_uuid", "_na_").with("index", name)
}

// errValidation renders Elasticsearch's ActionRequestValidationException text.
func errValidation(msgs ...string) *esError {
	var sb strings.Builder
	sb.WriteString("Validation Failed: ")
	for i, m := range msgs {
		fmt.Fprintf(&sb, "%d: %s;", i+1, m)
	}
	return newError("action_request_validation_exception", http.StatusBadRequest, "%s", sb.String())
}

func errIllegalArgument(format string, args ...any) *esError {
	return newError("illegal_argument_exception", http.StatusBadRequest, format, args...)
}

func errParse(format string, args ...any) *esError {
	return newError("parse_exception", http.StatusBadRequest, format, args...)
}

// errXContentParse reports malformed JSON at a line and column, wrapping the
// underlying JSON parser's complaint as Elasticsearch does.
func errXContentParse(line, col int, msg string) *esError {
	inner := newError("json_parse_exception", http.StatusBadRequest, "%s", msg)
	return newError("x_content_parse_exception", http.StatusBadRequest, "[%d:%d] %s", line, col, msg).causedBy(inner)
}

// errStatus is Elasticsearch's generic status exception, used for injected faults.
func errStatus(status int, msg string) *esError {
	return newError("status_exception", status, "%s", msg)
}

// errInternal wraps an unexpected server-side failure (I/O and the like).
func errInternal(err error) *esError {
	return newError("exception", http.StatusInternalServerError, "%s", err.Error())
}

// redact replaces the data directory and the path.repo roots in a message by
// placeholders: answers never show where the data lives on the host.
func (s *Server) redact(msg string) string {
	type sub struct{ path, with string }
	var subs []sub
	for _, r := range s.cfg.PathRepo {
		subs = append(subs, sub{r, "[path.repo]"}, sub{realPath(r), "[path.repo]"})
	}
	subs = append(subs, sub{s.cfg.DataDir, "[data]"}, sub{realPath(s.cfg.DataDir), "[data]"})
	for _, sb := range subs {
		if sb.path != "" && sb.path != "/" {
			msg = strings.ReplaceAll(msg, sb.path, sb.with)
		}
	}
	return msg
}

// redactError applies redact to an error and its causes.
func (s *Server) redactError(e *esError) *esError {
	for c := e; c != nil; c = c.cause {
		c.reason = s.redact(c.reason)
	}
	return e
}
