package actuator

import (
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
