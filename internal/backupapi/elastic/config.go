package elastic

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// DefaultAddress is the Elasticsearch address used when Config.Addresses is empty.
const DefaultAddress = "http://localhost:9200"

// Config configures a Client.
type Config struct {
	// Addresses are the URLs of the Elasticsearch nodes (http or https); default DefaultAddress.
	Addresses []string
	// Username and Password are for HTTP basic authentication.
	Username, Password string
	// APIKey is a base64-encoded API key; it takes precedence over basic authentication.
	APIKey string
	// CACert is a PEM bundle of the certificate authorities to trust.
	CACert []byte
	// Insecure skips the verification of the server's TLS certificate.
	Insecure bool
	// Repository is the snapshot repository's name. When empty every call returns
	// backupapi.NotConfigured().
	Repository string
	// IndexPrefix is the prefix of the web applications' index names (empty: none).
	IndexPrefix string
	// Version is the web-application version written into snapshot names and metadata;
	// default the layout's version ("8.8.0"). It is lower-cased and must not contain '_'.
	Version string
	// Layout is the part layout; nil means backupapi.Camunda88.
	Layout *backupapi.Layout
	// IncompleteAfter is the incomplete-check timeout; default backupapi.DefaultIncompleteAfter.
	IncompleteAfter time.Duration
	// SnapshotTimeout bounds how long the driver waits for one part, its blocking request
	// and any following of its state included (Camunda's snapshot-timeout); a part not done
	// by then ends the backup: no further part is taken, and it reads INCOMPLETE once the
	// incomplete-check timeout has passed. 0 waits forever.
	SnapshotTimeout time.Duration
	// Now is the clock of state derivation; default time.Now.
	Now func() time.Time
	// Transport replaces the HTTP transport (tests); it cannot be combined with CACert or
	// Insecure.
	Transport http.RoundTripper
	// Logger receives one line per part started and finished; default discards.
	Logger *slog.Logger
	// MaxRetries is how often idempotent calls are retried on connection errors and
	// 502/503/504: 0 means the client's default (3), a negative value none.
	MaxRetries int
	// RetryWait and RetryMaxWait bound the exponential backoff with jitter between retries;
	// defaults DefaultRetryWait and DefaultRetryMaxWait.
	RetryWait, RetryMaxWait time.Duration
	// RequestTimeout bounds each HTTP request to Elasticsearch, reading its answer included;
	// 0 is no bound but the caller's context. A read that times out is retried, on the next
	// address when there are several, like a connection error. It does not bound the snapshot
	// request of a part, which waits for the part by design (see SnapshotTimeout). The
	// caller's context bounds a whole call, its retries included.
	RequestTimeout time.Duration
}

// The default backoff between retries.
const (
	DefaultRetryWait    = 100 * time.Millisecond
	DefaultRetryMaxWait = 2 * time.Second
)

// withDefaults validates the configuration and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Addresses) == 0 {
		cfg.Addresses = []string{DefaultAddress}
	}
	for _, a := range cfg.Addresses {
		if err := checkAddress(a); err != nil {
			return cfg, err
		}
	}
	if cfg.Layout == nil {
		cfg.Layout = &backupapi.Camunda88
	}
	if cfg.Version == "" {
		cfg.Version = cfg.Layout.Version
	}
	cfg.Version = strings.ToLower(cfg.Version)
	probe := backupapi.Metadata{BackupID: 1, Version: cfg.Version, PartNo: 1, PartCount: 1}
	if err := probe.Validate(); err != nil {
		return cfg, fmt.Errorf("elasticsearch backup: version: %w", err)
	}
	if cfg.IncompleteAfter <= 0 {
		cfg.IncompleteAfter = backupapi.DefaultIncompleteAfter
	}
	if cfg.SnapshotTimeout < 0 {
		return cfg, errors.New("elasticsearch backup: snapshot timeout must not be negative")
	}
	if cfg.RequestTimeout < 0 {
		return cfg, errors.New("elasticsearch backup: request timeout must not be negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.RetryWait < 0 || cfg.RetryMaxWait < 0 {
		return cfg, errors.New("elasticsearch backup: retry waits must not be negative")
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = DefaultRetryWait
	}
	if cfg.RetryMaxWait == 0 {
		cfg.RetryMaxWait = max(DefaultRetryMaxWait, cfg.RetryWait)
	}
	if cfg.RetryMaxWait < cfg.RetryWait {
		return cfg, errors.New("elasticsearch backup: the longest retry wait is shorter than the first")
	}
	return cfg, nil
}

// checkAddress reports an address that is not an absolute http(s) URL. The message names
// the problem, not the address, which may carry credentials.
func checkAddress(a string) error {
	u, err := url.Parse(a)
	if err != nil {
		return errors.New("elasticsearch backup: an address is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("elasticsearch backup: address scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("elasticsearch backup: an address has no host")
	}
	return nil
}

// transport returns the HTTP transport: the configured one, or a clone of the default one
// with the TLS settings.
func (cfg Config) transport() (http.RoundTripper, error) {
	if cfg.Transport != nil {
		if cfg.CACert != nil || cfg.Insecure {
			return nil, errors.New("elasticsearch backup: CA certificate and insecure TLS cannot be combined with a custom transport")
		}
		return cfg.Transport, nil
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // opt-in by configuration
	if len(cfg.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CACert) {
			return nil, errors.New("elasticsearch backup: CA certificate: no PEM certificate could be read")
		}
		tlsConfig.RootCAs = pool
	}
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("elasticsearch backup: the default HTTP transport was replaced; pass Config.Transport instead")
	}
	t = t.Clone()
	t.TLSClientConfig = tlsConfig
	// The default keeps 2 idle connections per node: with more calls at once (a server
	// answering concurrent clients), every further one would open a connection and close it
	// after its answer.
	t.MaxIdleConnsPerHost = maxIdleConnsPerNode
	return t, nil
}

// maxIdleConnsPerNode is how many idle connections to each Elasticsearch node the default
// transport keeps for reuse.
const maxIdleConnsPerNode = 64
