package elastic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// The Elasticsearch exception types the driver gives a meaning of the contract.
const (
	typeRepositoryMissing = "repository_missing_exception"
	typeSnapshotMissing   = "snapshot_missing_exception"
	// A snapshot name already taken: Elasticsearch 8.x answers one type or the other
	// depending on its minor version.
	typeNameInUse           = "snapshot_name_already_in_use_exception"
	typeInvalidSnapshotName = "invalid_snapshot_name_exception"
)

// esError is the error of an Elasticsearch response: {"error":{"type","reason"},"status"}.
type esError struct {
	Type   string
	Reason string
}

// decodeError reads the error of a failed response. A body of another shape (a proxy's
// page, an old string error) gives an empty type.
func decodeError(res *esapi.Response) esError {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if json.Unmarshal(data, &body) != nil {
		return esError{}
	}
	var e struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body.Error, &e) != nil {
		var s string
		_ = json.Unmarshal(body.Error, &s)
		return esError{Reason: s}
	}
	return esError{Type: e.Type, Reason: e.Reason}
}

// transportProblem describes a failed round trip without the address or credentials that
// the transport's error text may carry; the error itself stays the cause of the returned
// error (backupapi.Detail shows it).
func transportProblem(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "the request was cancelled"
	case errors.Is(err, esclient.ErrRequestTimeout):
		return "Elasticsearch did not answer within the request timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return "the request timed out"
	case errors.Is(err, esclient.ErrNotElasticsearch):
		return "the server at the configured address is not Elasticsearch"
	case esclient.IsCertificateError(err):
		return "Elasticsearch's TLS certificate was not accepted (configure its CA certificate)"
	}
	return "Elasticsearch could not be reached"
}

// unauthorized is the error of a 401 or 403 answer: which credentials to check.
func (c *Client) unauthorized(call string, status int, e esError) error {
	what := ""
	if e.Type != "" {
		what = ": " + e.Type
	}
	advice := "Elasticsearch requires credentials: set a username and password, or an API key"
	switch {
	case status == http.StatusForbidden:
		advice = "the user or API key lacks privileges: it needs the snapshot privileges (e.g. cluster privilege manage, or create_snapshot and monitor_snapshot)"
	case c.cfg.APIKey != "":
		advice = "check the Elasticsearch API key"
	case c.cfg.Username != "" || c.cfg.Password != "":
		advice = "check the Elasticsearch username and password"
	}
	return backupapi.Unauthorized(nil, "%s: authentication failed: Elasticsearch answered %d %s%s; %s",
		call, status, http.StatusText(status), what, advice)
}

// unavailableStatus reports the statuses of a node or proxy that cannot answer now.
func unavailableStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// failure turns the outcome of a failed call into the contract's error. call says which call
// failed ("get backup 12"); notFound is the error for snapshot_missing_exception (nil: no
// special meaning). res must not be read before.
func (c *Client) failure(call string, res *esapi.Response, err error, notFound error) error {
	if err != nil {
		return backupapi.Unavailable(err, "%s: %s", call, transportProblem(err))
	}
	e := decodeError(res)
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return c.unauthorized(call, res.StatusCode, e)
	case e.Type == typeRepositoryMissing:
		return backupapi.RepositoryMissing(c.cfg.Repository)
	case e.Type == typeSnapshotMissing && notFound != nil:
		return notFound
	case unavailableStatus(res.StatusCode):
		return backupapi.Unavailable(nil, "%s: Elasticsearch answered %d", call, res.StatusCode)
	case e.Type != "":
		return backupapi.Internal(nil, "%s: Elasticsearch answered %d: %s: %s", call, res.StatusCode, e.Type, e.Reason)
	}
	return backupapi.Internal(nil, "%s: Elasticsearch answered %d", call, res.StatusCode)
}
