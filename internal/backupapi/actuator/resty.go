package actuator

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-resty/resty/v2"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// newResty is the HTTP client of the component APIs (Zeebe, exporting, Optimize), set up as
// the web-application Client's: base URL base+path, timeout, auth, and retries with
// exponential backoff and jitter (resty's) when retry says so. cfg.Endpoint is ignored.
func newResty(cfg Config, path string, retry resty.RetryConditionFunc) (*resty.Client, Config, string, error) {
	cfg.Endpoint = ""
	cfg, u, err := cfg.withDefaults()
	if err != nil {
		return nil, cfg, "", err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	rc := resty.NewWithClient(hc).
		SetBaseURL(u.String()+path).
		SetTimeout(cfg.Timeout).
		SetLogger(quietLogger{}).
		SetHeader("Accept", "application/json").
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(cfg.RetryWait).
		SetRetryMaxWaitTime(cfg.RetryMaxWait).
		AddRetryCondition(retry)
	switch {
	case cfg.Token != "":
		rc.SetAuthToken(cfg.Token)
	case cfg.Username != "":
		rc.SetBasicAuth(cfg.Username, cfg.Password)
	}
	return rc, cfg, u.String(), nil
}

// retryIdempotent retries any request after a connection error (unless its context is done)
// or a 502, 503 or 504 answer.
func retryIdempotent(res *resty.Response, err error) bool {
	if res == nil || res.Request == nil {
		return false
	}
	if err != nil {
		return res.Request.Context().Err() == nil
	}
	return unavailableStatus(res.StatusCode())
}

// decodeJSON reads a wanted answer's JSON body into out.
func decodeJSON(res *resty.Response, base string, out any) error {
	if err := json.Unmarshal(res.Body(), out); err != nil {
		return backupapi.Internal(err, "the management API at %s answered %s %s with a body that is not the expected JSON", base, res.Request.Method, res.Request.URL)
	}
	return nil
}

// springMessage is the message of an answer body: {"message"}, or Spring's own error body
// ({"error", "status", "path"}).
func springMessage(body []byte) string {
	var b struct {
		Message *string `json:"message"`
		Error   string  `json:"error"`
	}
	_ = json.Unmarshal(body, &b)
	if b.Message != nil {
		return *b.Message
	}
	return b.Error
}

// componentAPI is what the Zeebe and Optimize clients share: their HTTP client, the base URL
// for messages, the component's name ("Zeebe") and how its error answers become errors.
type componentAPI struct {
	http    *resty.Client
	base    string
	name    string
	errorOf func(status int, body []byte) error
}

// post sends a take of backup id once; unknown is true when its outcome is unknown: no answer,
// or a 504 (the gateway, or a proxy, stopped waiting, and the backup may have been taken).
func (c componentAPI) post(ctx context.Context, id backupapi.ID) (unknown bool, err error) {
	res, err := c.http.R().SetContext(ctx).
		SetHeader("Content-Type", "application/json").
		SetBody(map[string]int64{"backupId": int64(id)}).
		Post("")
	if err != nil {
		return true, transportErr(c.base, "take "+c.name+" backup "+id.String(), err)
	}
	if res.StatusCode() == http.StatusAccepted {
		return false, nil
	}
	return res.StatusCode() == http.StatusGatewayTimeout, c.errorOf(res.StatusCode(), res.Body())
}

// take takes backup id and settles a lost answer: when the backup exists by then it was
// taken; otherwise the take is sent once more, and an answer that takenBefore recognises
// (the component refusing the id because the first take got through) means taken too.
func (c componentAPI) take(ctx context.Context, id backupapi.ID, exists func() bool, takenBefore func(error) bool) error {
	unknown, err := c.post(ctx, id)
	if err == nil || !unknown || ctx.Err() != nil {
		return err
	}
	if exists() {
		return nil
	}
	if _, again := c.post(ctx, id); again == nil || takenBefore(again) {
		return nil
	}
	return err
}

// get reads backup id into out.
func (c componentAPI) get(ctx context.Context, id backupapi.ID, out any) error {
	res, err := c.http.R().SetContext(ctx).SetPathParam("id", id.String()).Get("/{id}")
	if err != nil {
		return transportErr(c.base, "get "+c.name+" backup "+id.String(), err)
	}
	if res.StatusCode() != http.StatusOK {
		return c.errorOf(res.StatusCode(), res.Body())
	}
	return decodeJSON(res, c.base, out)
}
