package actuator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// EndpointRuntime is Zeebe's runtime backup endpoint in Camunda 8.8, /actuator/backupRuntime
// (a standalone broker or gateway also serves it as EndpointStandalone, /actuator/backups).
const EndpointRuntime = "backupRuntime"

// ZeebeClient is backupapi.ZeebeBackups over Zeebe's management API.
type ZeebeClient struct {
	componentAPI
	cfg Config
}

var _ backupapi.ZeebeBackups = (*ZeebeClient)(nil)

// NewZeebe returns the Zeebe runtime backup client of cfg; cfg.Endpoint is EndpointRuntime
// (default) or EndpointStandalone.
func NewZeebe(cfg Config) (*ZeebeClient, error) {
	endpoint := cfg.Endpoint
	switch endpoint {
	case "":
		endpoint = EndpointRuntime
	case EndpointRuntime, EndpointStandalone:
	default:
		return nil, fmt.Errorf("zeebe backup API: endpoint must be %q or %q, got %q", EndpointRuntime, EndpointStandalone, endpoint)
	}
	rc, cfg, base, err := newResty(cfg, "/actuator/"+endpoint, retryable)
	if err != nil {
		return nil, fmt.Errorf("zeebe backup API: %w", err)
	}
	return &ZeebeClient{componentAPI: componentAPI{http: rc, base: base, name: "Zeebe", errorOf: zeebeError}, cfg: cfg}, nil
}

// zeebeError is the typed error of an error answer of Zeebe's backup API.
func zeebeError(status int, body []byte) error {
	msg := springMessage(body)
	if msg == "" {
		msg = fmt.Sprintf("the Zeebe backup API answered %d %s", status, http.StatusText(status))
	}
	kind := backupapi.ErrInternal
	switch {
	case status == http.StatusBadRequest && msg == backupapi.MsgZeebeNoStore:
		kind = backupapi.ErrNotConfigured
	case status == http.StatusNotFound:
		kind = backupapi.ErrNotFound
	case status == http.StatusConflict:
		kind = backupapi.ErrConflict
	case unavailableStatus(status):
		kind = backupapi.ErrUnavailable
	case status >= 400 && status < 500:
		kind = backupapi.ErrInvalid
	}
	return &backupapi.Error{Kind: kind, Message: msg}
}

// latestInConflict reads the latest checkpoint id from a 409 message; every 8.8 wording
// says "The latest backup has id N" (or "ID N").
var latestInConflict = regexp.MustCompile(`(?i)the latest backup has id (\d+)`)

// Take takes runtime backup id. When the answer is lost (connection error, or a proxy's
// 504), the outcome is settled: a GET finds the backup (taken), or the take is sent once
// more, and a 409 naming id itself as the latest checkpoint means the first one was taken.
func (c *ZeebeClient) Take(ctx context.Context, id backupapi.ID) error {
	if id <= 0 {
		return backupapi.Invalidf(backupapi.MsgZeebeInvalidID)
	}
	exists := func() bool { _, err := c.Get(ctx, id); return err == nil }
	return c.take(ctx, id, exists, func(err error) bool {
		m := latestInConflict.FindStringSubmatch(err.Error())
		return errors.Is(err, backupapi.ErrConflict) && m != nil && m[1] == id.String()
	})
}

// Get returns runtime backup id.
func (c *ZeebeClient) Get(ctx context.Context, id backupapi.ID) (backupapi.RuntimeBackup, error) {
	var b backupapi.RuntimeBackup
	return b, c.get(ctx, id, &b)
}

// List returns the runtime backups whose id starts with prefix (all for ""), by id,
// descending (Zeebe's own order is unspecified).
func (c *ZeebeClient) List(ctx context.Context, prefix string) ([]backupapi.RuntimeBackup, error) {
	if prefix != "" {
		if _, err := strconv.ParseUint(prefix, 10, 64); err != nil {
			return nil, backupapi.Invalidf("a Zeebe backup prefix is digits, got %q", prefix)
		}
	}
	req := c.http.R().SetContext(ctx)
	path := ""
	if prefix != "" {
		path = "/" + prefix + "*"
	}
	res, err := req.Get(path)
	if err != nil {
		return nil, transportErr(c.base, "list Zeebe backups", err)
	}
	if res.StatusCode() != http.StatusOK {
		return nil, zeebeError(res.StatusCode(), res.Body())
	}
	list := []backupapi.RuntimeBackup{}
	if err := decodeJSON(res, c.base, &list); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b backupapi.RuntimeBackup) int { return cmp.Compare(b.ID, a.ID) })
	return list, nil
}

// Delete deletes runtime backup id (an unknown id is not an error; the id stays used).
func (c *ZeebeClient) Delete(ctx context.Context, id backupapi.ID) error {
	res, err := c.http.R().SetContext(ctx).SetPathParam("id", id.String()).Delete("/{id}")
	if err != nil {
		return transportErr(c.base, "delete Zeebe backup "+id.String(), err)
	}
	if res.StatusCode() != http.StatusNoContent {
		return zeebeError(res.StatusCode(), res.Body())
	}
	return nil
}

// transportErr is the ErrUnavailable error of a request that got no answer.
func transportErr(base, call string, err error) error {
	return (&Client{base: base}).transportError(call, err)
}
