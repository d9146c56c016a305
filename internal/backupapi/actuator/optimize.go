package actuator

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// OptimizeClient is backupapi.OptimizeBackups over Optimize's management API
// (/actuator/backups on its management port, 8092 by default).
type OptimizeClient struct {
	componentAPI
	cfg Config
}

var _ backupapi.OptimizeBackups = (*OptimizeClient)(nil)

// NewOptimize returns the Optimize backup client of cfg; cfg.URL is Optimize's management
// port, e.g. http://localhost:8092 (cfg.Endpoint is ignored).
func NewOptimize(cfg Config) (*OptimizeClient, error) {
	rc, cfg, base, err := newResty(cfg, "/actuator/backups", retryable)
	if err != nil {
		return nil, fmt.Errorf("optimize backup API: %w", err)
	}
	return &OptimizeClient{componentAPI: componentAPI{http: rc, base: base, name: "Optimize", errorOf: optimizeError}, cfg: cfg}, nil
}

// optimizeError is the typed error of an Optimize error answer (its detailedMessage is kept).
func optimizeError(status int, body []byte) error {
	var e backupapi.OptimizeErrorResponse
	_ = json.Unmarshal(body, &e)
	msg := e.DetailedMessage
	if msg == "" {
		msg = springMessage(body)
	}
	if msg == "" {
		msg = fmt.Sprintf("the Optimize backup API answered %d %s", status, http.StatusText(status))
	}
	kind := backupapi.ErrInternal
	switch {
	case status == http.StatusBadRequest && e.ErrorCode == backupapi.OptimizeCodeServer:
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

// Take starts Optimize backup id. When the answer is lost (no answer, or a proxy's 504) the
// outcome is settled: a GET finds the backup (taken), or the take is sent once more, where a
// 409 means the first one was taken (Optimize has no ordering rule, only duplicates).
func (c *OptimizeClient) Take(ctx context.Context, id backupapi.ID) error {
	if err := backupapi.ValidateOptimizeID(id); err != nil {
		return err
	}
	exists := func() bool { _, err := c.Get(ctx, id); return err == nil }
	return c.take(ctx, id, exists, func(err error) bool { return errors.Is(err, backupapi.ErrConflict) })
}

// Get returns Optimize backup id.
func (c *OptimizeClient) Get(ctx context.Context, id backupapi.ID) (backupapi.OptimizeBackup, error) {
	var b backupapi.OptimizeBackup
	return b, c.get(ctx, id, &b)
}

// List returns every Optimize backup by id, descending (Optimize's own order is
// unspecified).
func (c *OptimizeClient) List(ctx context.Context) ([]backupapi.OptimizeBackup, error) {
	res, err := c.http.R().SetContext(ctx).Get("")
	if err != nil {
		return nil, transportErr(c.base, "list Optimize backups", err)
	}
	if res.StatusCode() != http.StatusOK {
		return nil, optimizeError(res.StatusCode(), res.Body())
	}
	list := []backupapi.OptimizeBackup{}
	if err := decodeJSON(res, c.base, &list); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b backupapi.OptimizeBackup) int { return cmp.Compare(b.ID, a.ID) })
	return list, nil
}

// Delete submits the deletion of Optimize backup id (an unknown id is not an error).
func (c *OptimizeClient) Delete(ctx context.Context, id backupapi.ID) error {
	res, err := c.http.R().SetContext(ctx).SetPathParam("id", id.String()).Delete("/{id}")
	if err != nil {
		return transportErr(c.base, "delete Optimize backup "+id.String(), err)
	}
	if res.StatusCode() != http.StatusNoContent {
		return optimizeError(res.StatusCode(), res.Body())
	}
	return nil
}
