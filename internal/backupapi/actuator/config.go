package actuator

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The endpoint ids of the backup API under /actuator.
const (
	// EndpointHistory is the Camunda 8.8 endpoint, /actuator/backupHistory (the default).
	EndpointHistory = "backupHistory"
	// EndpointStandalone is the pre-8.8 endpoint, /actuator/backups, still served by
	// web applications that run standalone.
	EndpointStandalone = "backups"
)

// The defaults of Config.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultRetryWait    = 100 * time.Millisecond
	DefaultRetryMaxWait = 2 * time.Second
)

// Config configures a Client.
type Config struct {
	// URL is the base URL of the management server, e.g. http://localhost:9600 (a path, if
	// any, is kept before /actuator).
	URL string
	// Endpoint is EndpointHistory (default) or EndpointStandalone.
	Endpoint string
	// Username and Password authenticate with HTTP basic authentication; Token with a bearer
	// token. At most one of them may be set.
	Username, Password, Token string
	// Timeout bounds each HTTP request; default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a GET or DELETE is retried after a connection error or a
	// 502, 503 or 504 answer (0: none). A POST is never retried: when its answer is lost,
	// GETs (up to Retries, at least one) tell whether the backup was created.
	Retries int
	// RetryWait and RetryMaxWait bound the exponential backoff with jitter between
	// retries; defaults DefaultRetryWait and DefaultRetryMaxWait.
	RetryWait, RetryMaxWait time.Duration
	// HTTPClient replaces the HTTP client (its Timeout is overridden by Timeout).
	HTTPClient *http.Client
}

// withDefaults validates the configuration and fills in its defaults. Messages name the
// problem, never a credential.
func (cfg Config) withDefaults() (Config, *url.URL, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return cfg, nil, errors.New("actuator backup API: URL is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return cfg, nil, errors.New("actuator backup API: URL is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return cfg, nil, fmt.Errorf("actuator backup API: URL scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return cfg, nil, errors.New("actuator backup API: URL has no host")
	}
	if u.User != nil {
		return cfg, nil, errors.New("actuator backup API: URL must not carry credentials; set the username and password instead")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return cfg, nil, errors.New("actuator backup API: URL must not have a query or fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	switch cfg.Endpoint {
	case "":
		cfg.Endpoint = EndpointHistory
	case EndpointHistory, EndpointStandalone:
	default:
		return cfg, nil, fmt.Errorf("actuator backup API: endpoint must be %q or %q, got %q", EndpointHistory, EndpointStandalone, cfg.Endpoint)
	}
	if cfg.Token != "" && (cfg.Username != "" || cfg.Password != "") {
		return cfg, nil, errors.New("actuator backup API: set either a token or a username and password, not both")
	}
	if cfg.Password != "" && cfg.Username == "" {
		return cfg, nil, errors.New("actuator backup API: a password needs a username")
	}
	if cfg.Timeout < 0 || cfg.Retries < 0 || cfg.RetryWait < 0 || cfg.RetryMaxWait < 0 {
		return cfg, nil, errors.New("actuator backup API: timeout, retries and retry waits must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = DefaultRetryWait
	}
	if cfg.RetryMaxWait == 0 {
		cfg.RetryMaxWait = DefaultRetryMaxWait
	}
	if cfg.RetryMaxWait < cfg.RetryWait {
		return cfg, nil, errors.New("actuator backup API: the maximum retry wait must not be below the retry wait")
	}
	return cfg, u, nil
}
