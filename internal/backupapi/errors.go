package backupapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The kinds of failure of the backup API. Every error a Client returns matches exactly one of
// them with errors.Is; the contract's HTTP status follows from the kind (see HTTPStatus).
var (
	// ErrInvalid: the request is malformed (bad id, bad pattern, bad body). 400.
	ErrInvalid = errors.New("invalid request")
	// ErrNotConfigured: no snapshot repository name is configured. 400.
	ErrNotConfigured = errors.New("no backup repository configured")
	// ErrAlreadyExists: snapshots of the backup id already exist. 400.
	ErrAlreadyExists = errors.New("backup already exists")
	// ErrBackupRunning: another backup still has parts waiting to start. 400.
	ErrBackupRunning = errors.New("another backup is running")
	// ErrRepositoryMissing: the configured snapshot repository does not exist. 404.
	ErrRepositoryMissing = errors.New("snapshot repository missing")
	// ErrNotFound: no snapshot of the backup id exists. 404.
	ErrNotFound = errors.New("backup not found")
	// ErrMissingIndices: required indices of the part layout do not exist. 500.
	ErrMissingIndices = errors.New("missing indices")
	// ErrInternal: Elasticsearch answered with an error the contract has no other kind for. 500.
	ErrInternal = errors.New("internal error")
	// ErrUnavailable: Elasticsearch (or the actuator) could not be reached. 502.
	ErrUnavailable = errors.New("backend unavailable")
	// ErrEndpointNotFound: a URL answered 404 with something other than the backup API's own
	// "not found" answers (a wrong base URL or endpoint, an actuator that does not expose the
	// backup API, a proxy's page). It says nothing about the backup. 404.
	ErrEndpointNotFound = errors.New("backup API endpoint not found")
	// ErrUnauthorized: the backend refused the credentials (401 or 403). A server answers 500
	// for it: its own credentials to its datastore were refused, which is its fault, not its
	// client's. A client reads 401 and 403 answers as this kind.
	ErrUnauthorized = errors.New("authentication failed")
)

var kinds = []struct {
	kind   error
	status int
}{
	{ErrInvalid, http.StatusBadRequest},
	{ErrNotConfigured, http.StatusBadRequest},
	{ErrAlreadyExists, http.StatusBadRequest},
	{ErrBackupRunning, http.StatusBadRequest},
	{ErrRepositoryMissing, http.StatusNotFound},
	{ErrNotFound, http.StatusNotFound},
	{ErrMissingIndices, http.StatusInternalServerError},
	{ErrInternal, http.StatusInternalServerError},
	{ErrUnavailable, http.StatusBadGateway},
	{ErrEndpointNotFound, http.StatusNotFound},
	{ErrUnauthorized, http.StatusInternalServerError},
	{ErrConflict, http.StatusConflict},
}

// Error is a failure of the backup API: a kind (one of the Err* values), the message the
// contract gives for it (safe to show to a user: no addresses, no credentials), and the
// underlying cause, if any, for logs.
type Error struct {
	Kind    error
	Message string
	Cause   error
}

// Error returns the contract's message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is the error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Cause }

func newError(kind error, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// Invalidf returns an ErrInvalid error with the given message.
func Invalidf(format string, args ...any) error { return newError(ErrInvalid, nil, format, args...) }

// NotConfigured returns the ErrNotConfigured error.
func NotConfigured() error { return newError(ErrNotConfigured, nil, msgNotConfigured) }

// AlreadyExists returns the ErrAlreadyExists error for id, naming the snapshots found.
func AlreadyExists(id ID, snapshots []string) error {
	return newError(ErrAlreadyExists, nil, msgAlreadyExists+"%s]", id, strings.Join(snapshots, ", "))
}

// BackupRunning returns the ErrBackupRunning error.
func BackupRunning() error { return newError(ErrBackupRunning, nil, msgBackupRunning) }

// RepositoryMissing returns the ErrRepositoryMissing error for the named repository.
func RepositoryMissing(repository string) error {
	return newError(ErrRepositoryMissing, nil, msgRepositoryMissing+"%s] could be found.", repository)
}

// NotFound returns the ErrNotFound error for id.
func NotFound(id ID) error { return newError(ErrNotFound, nil, msgNotFound+"%s] found.", id) }

// MissingIndices returns the ErrMissingIndices error naming every missing required index.
func MissingIndices(indices []string) error {
	return newError(ErrMissingIndices, nil, msgMissingIndices+"%s]", strings.Join(indices, ", "))
}

// Unavailable returns an ErrUnavailable error; message says which call failed.
func Unavailable(cause error, format string, args ...any) error {
	return newError(ErrUnavailable, cause, format, args...)
}

// Internal returns an ErrInternal error; message says which call failed and why.
func Internal(cause error, format string, args ...any) error {
	return newError(ErrInternal, cause, format, args...)
}

// EndpointNotFound returns an ErrEndpointNotFound error; message names the URL that answered
// (without credentials) and what it answered.
func EndpointNotFound(format string, args ...any) error {
	return newError(ErrEndpointNotFound, nil, format, args...)
}

// Unauthorized returns an ErrUnauthorized error; message says who refused the credentials
// and which settings to check.
func Unauthorized(cause error, format string, args ...any) error {
	return newError(ErrUnauthorized, cause, format, args...)
}

// The fixed parts of the contract's messages. The constructors above write them and
// FromStatus reads them back, so both directions share one spelling.
const (
	msgNotConfigured     = "No backup repository configured."
	msgAlreadyExists     = "A backup with ID [%s] already exists. Found snapshots: ["
	msgBackupRunning     = "Another backup is running at the moment"
	msgRepositoryMissing = "No repository with name ["
	msgNotFound          = "No backup with id ["
	msgMissingIndices    = "Missing indices: ["
	// msgNoMetadata is Camunda's other "not found" of a backup: snapshots without metadata.
	msgNoMetadata = "Expected to find backup with ID '"
)

// HTTPStatus returns the contract's HTTP status for err: the status of its kind, or 500 for an
// error of no known kind.
func HTTPStatus(err error) int {
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return k.status
		}
	}
	return http.StatusInternalServerError
}

// FromStatus rebuilds the typed error of an error response of the backup HTTP API: its status
// and the `message` of its body. The message is kept as it is. Where one status stands for
// several kinds, the contract's fixed message text tells them apart; a message of no known
// form keeps the status's broadest kind. A 404 is ErrNotFound or ErrRepositoryMissing only
// with the contract's message for them; any other 404 (no message, another message) is
// ErrEndpointNotFound. 401 and 403 are ErrUnauthorized.
func FromStatus(status int, message string) error {
	if message == "" {
		message = fmt.Sprintf("the backup API answered %d %s", status, http.StatusText(status))
	}
	kind := ErrInternal
	switch {
	case status == http.StatusBadRequest:
		switch {
		case message == msgNotConfigured:
			kind = ErrNotConfigured
		case strings.HasPrefix(message, "A backup with ID [") && strings.Contains(message, "] already exists."):
			kind = ErrAlreadyExists
		case message == msgBackupRunning:
			kind = ErrBackupRunning
		default:
			kind = ErrInvalid
		}
	case status == http.StatusNotFound:
		switch {
		case strings.HasPrefix(message, msgRepositoryMissing):
			kind = ErrRepositoryMissing
		case strings.HasPrefix(message, msgNotFound) || strings.HasPrefix(message, msgNoMetadata):
			kind = ErrNotFound
		default:
			kind = ErrEndpointNotFound
		}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		kind = ErrUnauthorized
	case status == http.StatusInternalServerError && strings.HasPrefix(message, msgMissingIndices):
		kind = ErrMissingIndices
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		kind = ErrUnavailable
	case status >= 400 && status < 500:
		kind = ErrInvalid
	}
	return &Error{Kind: kind, Message: message}
}
