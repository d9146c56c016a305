// Package actuator is the backupapi.Client of the web-application backup HTTP API, as
// Camunda's web applications and the project's reference server serve it under
// /actuator/backupHistory (or /actuator/backups). Answers and {"message"} bodies map back to
// backupapi's typed errors, keeping the server's message.
package actuator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Client is a backupapi.Client over the backup HTTP API.
type Client struct {
	cfg  Config
	http *resty.Client
	base string // for messages: the base URL, redacted
}

var _ backupapi.Client = (*Client)(nil)

// New returns a Client for cfg; a bad URL, endpoint or auth combination is an error.
func New(cfg Config) (*Client, error) {
	cfg, u, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	rc := resty.NewWithClient(hc).
		SetBaseURL(u.String()+"/actuator/"+cfg.Endpoint).
		SetTimeout(cfg.Timeout).
		SetLogger(quietLogger{}).
		SetHeader("Accept", "application/json").
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(cfg.RetryWait).
		SetRetryMaxWaitTime(cfg.RetryMaxWait).
		AddRetryCondition(retryable)
	switch {
	case cfg.Token != "":
		rc.SetAuthToken(cfg.Token)
	case cfg.Username != "":
		rc.SetBasicAuth(cfg.Username, cfg.Password)
	}
	return &Client{cfg: cfg, http: rc, base: u.String()}, nil
}

// retryable decides resty's retries: GET and DELETE after a connection error or a 502, 503
// or 504 answer; never a POST (its outcome is resolved by Create).
func retryable(res *resty.Response, err error) bool {
	if res == nil || res.Request == nil {
		return false
	}
	if m := res.Request.Method; m != http.MethodGet && m != http.MethodDelete {
		return false
	}
	if err != nil {
		return res.Request.Context().Err() == nil
	}
	return unavailableStatus(res.StatusCode())
}

func unavailableStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// Create starts backup id. When the connection is lost after the request was sent, or a proxy
// answers 504 (it stopped waiting for the server), the outcome is unknown: a GET decides it
// (the backup exists: the create succeeded, and the scheduled names follow from its
// snapshots' metadata).
func (c *Client) Create(ctx context.Context, id backupapi.ID) ([]string, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	var out backupapi.CreateResponse
	res, err := c.http.R().SetContext(ctx).
		SetHeader("Content-Type", "application/json").
		SetBody(backupapi.CreateRequest{BackupID: id}).
		Post("")
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.transportError("create backup "+id.String(), err)
		}
		return c.resolveCreate(ctx, id, c.transportError("create backup "+id.String(), err))
	}
	if res.StatusCode() == http.StatusGatewayTimeout {
		// A proxy gave up waiting for the answer: the server may have started the backup.
		return c.resolveCreate(ctx, id, c.decode(res, http.StatusOK, nil))
	}
	if err := c.decode(res, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return out.ScheduledSnapshots, nil
}

// resolveCreate decides a create whose answer was lost: if backup id exists now, the create
// succeeded; otherwise the original error stands. A backup's first part can become visible
// a moment after the create was answered, so a not-found answer is asked again, with the
// retry backoff, as many times as retries are configured (at least once).
func (c *Client) resolveCreate(ctx context.Context, id backupapi.ID, sendErr error) ([]string, error) {
	wait := c.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		b, err := c.Get(ctx, id)
		if err == nil && len(b.Snapshots) > 0 {
			return scheduledNames(id, b.Snapshots[0].Metadata), nil
		}
		// Not found, or known with no part registered yet: ask again.
		notYet := errors.Is(err, backupapi.ErrNotFound) || err == nil
		if !notYet || attempt >= max(c.cfg.Retries, 1) {
			return nil, sendErr
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, sendErr
		case <-t.C:
		}
		wait = min(2*wait, c.cfg.RetryMaxWait)
	}
}

// scheduledNames are the names of every part of backup id, from one part's metadata.
func scheduledNames(id backupapi.ID, m backupapi.Metadata) []string {
	names := make([]string, m.PartCount)
	for i := range names {
		names[i] = backupapi.Metadata{BackupID: id, Version: m.Version, PartNo: i + 1, PartCount: m.PartCount}.SnapshotName()
	}
	return names
}

// Get returns the state of backup id.
func (c *Client) Get(ctx context.Context, id backupapi.ID) (backupapi.Backup, error) {
	var b backupapi.Backup
	if err := id.Validate(); err != nil {
		return b, err
	}
	res, err := c.http.R().SetContext(ctx).SetPathParam("id", id.String()).Get("/{id}")
	if err != nil {
		return b, c.transportError("get backup "+id.String(), err)
	}
	return b, c.decode(res, http.StatusOK, &b)
}

// List returns the backups matching opts, newest first.
func (c *Client) List(ctx context.Context, opts backupapi.ListOptions) ([]backupapi.Backup, error) {
	req := c.http.R().SetContext(ctx).SetQueryParam("verbose", strconv.FormatBool(opts.Verbose))
	if opts.Pattern != "" {
		req.SetQueryParam("pattern", opts.Pattern)
	}
	res, err := req.Get("")
	if err != nil {
		return nil, c.transportError("list backups", err)
	}
	var list []backupapi.Backup
	if err := c.decode(res, http.StatusOK, &list); err != nil {
		return nil, err
	}
	if list == nil {
		list = []backupapi.Backup{}
	}
	return list, nil
}

// Delete deletes every snapshot of backup id. A retry answered "backup not found" is a
// success: the earlier attempt, whose answer was lost, may have deleted the backup, and either
// way it is gone. A 404 for a missing repository stays an error.
func (c *Client) Delete(ctx context.Context, id backupapi.ID) error {
	if err := id.Validate(); err != nil {
		return err
	}
	res, err := c.http.R().SetContext(ctx).SetPathParam("id", id.String()).Delete("/{id}")
	if err != nil {
		return c.transportError("delete backup "+id.String(), err)
	}
	err = c.decode(res, http.StatusNoContent, nil)
	if res.Request.Attempt > 1 && errors.Is(err, backupapi.ErrNotFound) {
		return nil
	}
	return err
}

// decode reads an answer: the wanted status with its JSON body into out (nil: no body
// expected), or an error answer as the typed error of its status and message.
func (c *Client) decode(res *resty.Response, want int, out any) error {
	status := res.StatusCode()
	if status != want {
		var body backupapi.ErrorResponse
		_ = json.Unmarshal(res.Body(), &body)
		return backupapi.FromStatus(status, body.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Body(), out); err != nil {
		return backupapi.Internal(err, "the backup API at %s answered %s with a body that is not the expected JSON", c.base, res.Request.Method)
	}
	return nil
}

// transportError is the error of a request that got no answer: ErrUnavailable, saying which
// call failed and where.
func (c *Client) transportError(call string, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return backupapi.Unavailable(err, "%s: no answer from the backup API at %s: %v", call, c.base, err)
	}
	return backupapi.Unavailable(err, "%s: cannot reach the backup API at %s: %v", call, c.base, err)
}

// quietLogger silences resty's own logging; errors are returned, not logged.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
