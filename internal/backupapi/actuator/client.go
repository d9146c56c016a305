// Package actuator is the backupapi.Client of the web-application backup HTTP API, as
// Camunda's web applications and the project's reference server serve it under
// /actuator/backupHistory (or /actuator/backups). Answers and {"message"} bodies map back to
// backupapi's typed errors, keeping the server's message.
package actuator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	if err := checkBasePath(u.Path); err != nil {
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

// CheckURL reports a base URL that New would refuse (not http or https, no host,
// credentials, a query, or a path that already ends in /actuator or /actuator/<endpoint>),
// with the same message, so that a caller can report it before it builds a client.
func CheckURL(raw string) error {
	_, u, err := Config{URL: raw}.withDefaults()
	if err != nil {
		return err
	}
	return checkBasePath(u.Path)
}

// checkBasePath refuses a base URL whose path already names the actuator or its backup
// endpoint: the client appends /actuator/<endpoint> itself, so such a URL would ask for
// /actuator/actuator/backupHistory and read every answer as a 404.
func checkBasePath(p string) error {
	segments := strings.Split(strings.Trim(p, "/"), "/")
	last := len(segments) - 1
	doubled := strings.EqualFold(segments[last], "actuator") ||
		(last > 0 && strings.EqualFold(segments[last-1], "actuator") &&
			(strings.EqualFold(segments[last], EndpointHistory) || strings.EqualFold(segments[last], EndpointStandalone)))
	if !doubled {
		return nil
	}
	return fmt.Errorf("actuator backup API: the URL must be the management server's base URL, e.g. http://camunda:9600, "+
		"without %q: the provider appends /actuator/<endpoint> itself", p)
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
// expected), or an error answer as the typed error of its status and message. A 404 is
// "backup not found" only with the contract's message; 401 and 403 say which credentials to
// check.
func (c *Client) decode(res *resty.Response, want int, out any) error {
	status := res.StatusCode()
	if status != want {
		var body backupapi.ErrorResponse
		_ = json.Unmarshal(res.Body(), &body)
		err := backupapi.FromStatus(status, body.Message)
		switch {
		case errors.Is(err, backupapi.ErrEndpointNotFound):
			return backupapi.EndpointNotFound("%s answered %d %s%s, which is not the backup API's answer for a missing backup: "+
				"check that the URL is the management server's base URL (e.g. http://camunda:9600, without /actuator), "+
				"that the endpoint is %q, and that the server exposes that actuator endpoint",
				answered(res), status, http.StatusText(status), saying(res, body.Message), c.cfg.Endpoint)
		case errors.Is(err, backupapi.ErrUnauthorized):
			return backupapi.Unauthorized(err, "authentication failed: %s answered %d %s%s; %s",
				answered(res), status, http.StatusText(status), saying(res, body.Message), c.credentialsAdvice())
		}
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Body(), out); err != nil {
		return backupapi.Internal(err, "the backup API at %s answered %s with a body that is not the expected JSON", c.base, res.Request.Method)
	}
	return nil
}

// credentialsAdvice says which settings to check after a 401 or 403.
func (c *Client) credentialsAdvice() string {
	switch {
	case c.cfg.Token != "":
		return "check the bearer token the provider sends (token)"
	case c.cfg.Username != "":
		return "check the username and password the provider sends"
	}
	return "the backup API requires credentials: set a token, or a username and password"
}

// answered names the request that got an answer: its method and URL, without query or
// credentials.
func answered(res *resty.Response) string {
	if res.Request == nil || res.Request.RawRequest == nil {
		return "the backup API"
	}
	u := *res.Request.RawRequest.URL
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return res.Request.Method + " " + u.String()
}

// saying describes the body of an error answer in a few words: the message of a JSON body,
// or the type of any other body.
func saying(res *resty.Response, message string) string {
	const most = 200
	if message != "" {
		if len(message) > most {
			message = message[:most] + "..."
		}
		return fmt.Sprintf(" (%q)", message)
	}
	if len(res.Body()) == 0 {
		return " with no body"
	}
	ct := res.Header().Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return " with a body of type " + mt
	}
	return " with a body of unknown type"
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
