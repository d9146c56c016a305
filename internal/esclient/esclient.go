// Package esclient builds the go-elasticsearch REST client (esapi) on the client's own
// transport, without the library's root package: that package also links the whole typed API,
// which adds minutes to a cold build under the race detector and megabytes to every binary,
// for nothing this project calls.
package esclient

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// ErrNotElasticsearch is returned for a successful answer that lacks Elasticsearch's product
// header: the address is some other server (a web application, a proxy's page), and its
// answers must not be read as Elasticsearch's.
var ErrNotElasticsearch = errors.New("the server did not identify itself as Elasticsearch (no X-Elastic-Product header)")

// Config configures a client.
type Config struct {
	// Addresses are the URLs of the nodes; at least one.
	Addresses []string
	// Username and Password are for HTTP basic authentication.
	Username, Password string
	// APIKey is a base64-encoded API key; it takes precedence over basic authentication.
	APIKey string
	// Transport replaces the HTTP transport; nil is http.DefaultTransport.
	Transport http.RoundTripper
	// MaxRetries is how often a request is sent again after a connection error or a 502, 503
	// or 504; 0 or less sends each request once.
	MaxRetries int
	// RetryBackoff is the wait before retry n (from 1); nil retries at once.
	RetryBackoff func(n int) time.Duration
	// RequestTimeout bounds each attempt of a request, reading its answer included; 0 is no
	// bound but the context's. An attempt that times out is retried like a connection error,
	// on the next node when there are several. The caller's context still bounds the whole
	// call, retries included. WithoutRequestTimeout exempts one request.
	RequestTimeout time.Duration
}

// Backoff returns an exponential backoff with full jitter: before retry n it waits a random
// time up to first·2^(n-1), never more than most.
func Backoff(first, most time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		ceiling := most
		if n-1 < 32 && first<<(n-1) > 0 && first<<(n-1) < most {
			ceiling = first << (n - 1)
		}
		return rand.N(ceiling + 1)
	}
}

// New returns an esapi client of the nodes in cfg. It does not contact them.
func New(cfg Config) (*esapi.API, error) {
	if len(cfg.Addresses) == 0 {
		return nil, errors.New("no elasticsearch address")
	}
	urls := make([]*url.URL, len(cfg.Addresses))
	for i, a := range cfg.Addresses {
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The address itself is left out: it may carry credentials.
			return nil, fmt.Errorf("elasticsearch address %d is not an http or https URL", i+1)
		}
		urls[i] = u
	}
	opts := []elastictransport.Option{elastictransport.WithURLs(urls...)}
	switch {
	case cfg.APIKey != "":
		opts = append(opts, elastictransport.WithAPIKey(cfg.APIKey))
	case cfg.Username != "" || cfg.Password != "":
		opts = append(opts, elastictransport.WithBasicAuth(cfg.Username, cfg.Password))
	}
	transport := cfg.Transport
	if cfg.RequestTimeout > 0 {
		if transport == nil {
			transport = http.DefaultTransport
		}
		transport = attemptTimeout{next: transport, timeout: cfg.RequestTimeout}
	}
	if transport != nil {
		opts = append(opts, elastictransport.WithTransport(transport))
	}
	if cfg.MaxRetries > 0 {
		opts = append(opts, elastictransport.WithMaxRetries(cfg.MaxRetries), elastictransport.WithRetryOnError(retryOnError))
		if cfg.RetryBackoff != nil {
			opts = append(opts, elastictransport.WithRetryBackoff(cfg.RetryBackoff))
		}
	} else {
		opts = append(opts, elastictransport.WithDisableRetry())
	}
	t, err := elastictransport.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch transport: %w", err)
	}
	return esapi.New(productChecked{t}), nil
}

// productChecked refuses successful answers that do not come from Elasticsearch, as the
// official client's root package does.
type productChecked struct{ next esapi.Transport }

// Perform sends the request and checks the product header of a successful answer.
func (p productChecked) Perform(req *http.Request) (*http.Response, error) {
	res, err := p.next.Perform(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 && res.Header.Get("X-Elastic-Product") != "Elasticsearch" {
		_ = res.Body.Close()
		return nil, ErrNotElasticsearch
	}
	return res, nil
}
