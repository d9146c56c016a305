package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"
)

// Defaults of Config, shared with the binary's flags.
const (
	DefaultListen         = "127.0.0.1:9600"
	DefaultEmbeddedListen = "127.0.0.1:9200"
	DefaultRepository     = "camunda-backup"
	DefaultSeedDocuments  = 3000
)

// Config is everything the reference server is configured with (the binary's flags).
type Config struct {
	// Listen is the address of the backup API; default DefaultListen. Port 0 picks a free
	// port. A non-loopback address needs AllowRemote.
	Listen      string
	AllowRemote bool

	// ElasticsearchURLs are the nodes of a real Elasticsearch. Empty: the embedded
	// Elasticsearch-compatible server runs in-process on DataDir.
	ElasticsearchURLs []string
	// Username and Password (basic auth) or APIKey authenticate with Elasticsearch;
	// CACert is a PEM bundle of the certificate authorities to trust.
	Username, Password, APIKey string
	CACert                     []byte

	// Repository is the snapshot repository (Camunda's camunda.data.backup.repository-name);
	// default DefaultRepository. With the embedded server it is created when absent.
	Repository string
	// IndexPrefix is Camunda's index prefix (empty: none).
	IndexPrefix string
	// Version is the web-application version in snapshot names; default the layout's.
	Version string
	// IncompleteCheckTimeout is how long a backup missing parts stays IN_PROGRESS after its
	// last part ended; default 5 minutes.
	IncompleteCheckTimeout time.Duration
	// SnapshotTimeout bounds a part whose blocking request was lost; 0 waits forever.
	SnapshotTimeout time.Duration

	// DataDir holds the embedded server's data and snapshot repositories. Required without
	// ElasticsearchURLs.
	DataDir string
	// EmbeddedListen is the loopback address the embedded Elasticsearch is served on, for
	// inspection and restore with the standard API; default 127.0.0.1:0 (the binary's flag
	// defaults to DefaultEmbeddedListen).
	EmbeddedListen string
	// NoSeed leaves the embedded server without the Camunda 8.8 index set; SeedDocuments is
	// the number of sample documents written when the index set is created (0: the default).
	NoSeed        bool
	SeedDocuments int
	// SnapshotDelay is the embedded server's extra duration of every snapshot (0: its
	// default; negative: none).
	SnapshotDelay time.Duration

	// Standalone also serves the API under /actuator/backups.
	Standalone bool
	// APIToken, or APIUsername and APIPassword, protect the backup API (not health).
	APIToken, APIUsername, APIPassword string
	// ElasticPassword is the password the embedded Elasticsearch requires of the user
	// elastic. Empty: when the backup API is protected, one is generated on first start and
	// kept in DataDir; otherwise the embedded Elasticsearch is as open as the API.
	ElasticPassword string

	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger

	// Partitions is the emulated Zeebe's partition count; default DefaultPartitions.
	Partitions int
	// ZeebeBackupDuration is how long each partition's runtime backup runs; 0: the default
	// (DefaultZeebeBackupDuration); negative: none.
	ZeebeBackupDuration time.Duration
	// ZeebeDataDir keeps the emulated Zeebe's broker state (checkpoints, paused exporting)
	// across restarts; empty: DataDir/zeebe when DataDir is set, else in memory only.
	ZeebeDataDir string
	// ZeebeBackupStore is the emulated broker's backup store, Camunda's
	// camunda.data.backup.store: ZeebeStoreFilesystem or ZeebeStoreNone; empty:
	// FILESYSTEM when a path is known, else NONE.
	ZeebeBackupStore string
	// ZeebeBackupPath is the filesystem store's base path; empty: ZeebeDataDir/backup-store.
	ZeebeBackupPath string
	// StandaloneAlias is whose API /actuator/backups serves when Standalone: AliasWebapps
	// (default) or AliasZeebe.
	StandaloneAlias string
	// OptimizeListen is the address of the emulated Optimize's management port; empty:
	// Optimize is not served. A non-loopback address needs AllowRemote.
	OptimizeListen string
	// OptimizeVersion is Optimize's version in its snapshot names; default
	// DefaultOptimizeVersion.
	OptimizeVersion string
	// EnableAdminAPI serves the fault-injection path /admin/faults on the backup API.
	EnableAdminAPI bool
	// CamundaQuirks answers the web-application API as Camunda 8.8's code does where the
	// contract decided otherwise (quirks.go).
	CamundaQuirks bool

	// timeouts are the HTTP servers' timeouts; zero: defaultHTTPTimeouts (tests shorten them).
	timeouts httpTimeouts
}

// withDefaults validates the configuration and fills in its defaults. Messages never carry
// a credential.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if err := checkListen("listen", cfg.Listen, cfg.AllowRemote); err != nil {
		return cfg, err
	}
	if cfg.Repository == "" {
		cfg.Repository = DefaultRepository
	}
	if cfg.IncompleteCheckTimeout < 0 || cfg.SnapshotTimeout < 0 {
		return cfg, errors.New("the incomplete-check and snapshot timeouts must not be negative")
	}
	if cfg.APIToken != "" && (cfg.APIUsername != "" || cfg.APIPassword != "") {
		return cfg, errors.New("set either an API token or an API username and password, not both")
	}
	if (cfg.APIUsername == "") != (cfg.APIPassword == "") {
		return cfg, errors.New("an API username needs an API password, and the other way round")
	}
	for _, u := range cfg.ElasticsearchURLs {
		if err := checkElasticsearchURL(u); err != nil {
			return cfg, err
		}
	}
	if len(cfg.ElasticsearchURLs) == 0 {
		if cfg.DataDir == "" {
			return cfg, errors.New("a data directory is required for the embedded Elasticsearch")
		}
		if cfg.EmbeddedListen == "" {
			cfg.EmbeddedListen = "127.0.0.1:0"
		}
		if err := checkListen("embedded Elasticsearch listen", cfg.EmbeddedListen, false); err != nil {
			return cfg, err
		}
		if cfg.SeedDocuments < 0 {
			return cfg, errors.New("the number of seed documents must not be negative")
		}
		if cfg.SeedDocuments == 0 {
			cfg.SeedDocuments = DefaultSeedDocuments
		}
	}
	if err := cfg.componentDefaults(); err != nil {
		return cfg, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.timeouts == (httpTimeouts{}) {
		cfg.timeouts = defaultHTTPTimeouts
	}
	return cfg, nil
}

// checkListen refuses a malformed address, and a non-loopback one unless remote access is
// allowed.
func checkListen(what, addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid %s address %q: %w", what, addr, err)
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s address %q is not a loopback address; allow remote access to listen on it", what, addr)
	}
	return nil
}

// checkElasticsearchURL refuses URLs that are not http(s) or that carry credentials (which
// would then reach logs); the message does not repeat the URL.
func checkElasticsearchURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("an Elasticsearch URL is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("an Elasticsearch URL must use http or https, got %q", u.Scheme)
	case u.Host == "":
		return errors.New("an Elasticsearch URL has no host")
	case u.User != nil:
		return errors.New("an Elasticsearch URL must not carry credentials; use the username and password or API key settings")
	}
	return nil
}
