package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// envPrefix starts the name of every environment variable of the command.
const envPrefix = "WEBAPPS_BACKUP_"

// options are the command's settings from flags and environment.
type options struct {
	cfg       server.Config
	logFormat string
}

// urlList is the repeatable, comma-separated --elasticsearch-url flag.
type urlList struct {
	urls *[]string
	set  bool // a flag replaces the environment's list instead of adding to it
}

func (l *urlList) String() string {
	if l.urls == nil {
		return ""
	}
	return strings.Join(*l.urls, ",")
}

func (l *urlList) Set(v string) error {
	if !l.set {
		*l.urls, l.set = nil, true
	}
	*l.urls = append(*l.urls, splitList(v)...)
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parse reads the flags, with the environment (WEBAPPS_BACKUP_<FLAG NAME>) as their defaults.
func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	c := &o.cfg
	fs := flag.NewFlagSet("webapps-backup-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var envErrs []error
	env := func(flagName string) (string, string) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
		return getenv(name), name
	}
	str := func(p *string, name, def, usage string) {
		v, envName := env(name)
		if v == "" {
			v = def
		}
		fs.StringVar(p, name, v, usage+" (env "+envName+")")
	}
	boolean := func(p *bool, name string, def bool, usage string) {
		v, envName := env(name)
		if v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("invalid %s %q: want true or false", envName, v))
			}
			def = b
		}
		fs.BoolVar(p, name, def, usage+" (env "+envName+")")
	}
	duration := func(p *time.Duration, name string, def time.Duration, usage string) {
		v, envName := env(name)
		if v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("invalid %s %q: %w", envName, v, err))
			}
			def = d
		}
		fs.DurationVar(p, name, def, usage+" (env "+envName+")")
	}
	// Secrets are read from the environment after parsing, so that --help never shows them
	// as defaults.
	secrets := map[string]*string{}
	secret := func(p *string, name, usage string) {
		_, envName := env(name)
		fs.StringVar(p, name, "", usage+" (env "+envName+"; prefer the environment)")
		secrets[name] = p
	}
	integer := func(p *int, name string, def int, usage string) {
		v, envName := env(name)
		if v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("invalid %s %q: want a number", envName, v))
			}
			def = n
		}
		fs.IntVar(p, name, def, usage+" (env "+envName+")")
	}

	str(&c.Listen, "listen", server.DefaultListen, "address of the backup API; port 0 picks a free port")
	boolean(&c.AllowRemote, "allow-remote", false, "allow --listen on a non-loopback address")
	urls, urlEnv := env("elasticsearch-url")
	c.ElasticsearchURLs = splitList(urls)
	fs.Var(&urlList{urls: &c.ElasticsearchURLs}, "elasticsearch-url", "URL of an Elasticsearch node; repeatable or a comma list; none: run the embedded Elasticsearch (env "+urlEnv+", comma list)")
	str(&c.Username, "elasticsearch-username", "", "Elasticsearch basic-auth username")
	secret(&c.Password, "elasticsearch-password", "Elasticsearch basic-auth password")
	secret(&c.APIKey, "elasticsearch-api-key", "Elasticsearch API key, base64")
	var caFile string
	str(&caFile, "elasticsearch-ca-file", "", "PEM file of the certificate authorities to trust for Elasticsearch")
	str(&c.Repository, "repository", server.DefaultRepository, "snapshot repository (Camunda's camunda.data.backup.repository-name); created in the embedded Elasticsearch when absent")
	str(&c.IndexPrefix, "index-prefix", "", "Camunda's index prefix (empty: none)")
	str(&c.Version, "version", "", "web-application version written into snapshot names (default the layout's, 8.8.0)")
	duration(&c.IncompleteCheckTimeout, "incomplete-check-timeout", 5*time.Minute, "how long a backup missing parts stays IN_PROGRESS after its last part ended")
	duration(&c.SnapshotTimeout, "snapshot-timeout", 0, "how long a part is polled once its request was lost; 0 waits forever")
	str(&c.DataDir, "data-dir", defaultDataDir(getenv), "directory of the embedded Elasticsearch's data and snapshot repositories")
	str(&c.EmbeddedListen, "embedded-elasticsearch-listen", server.DefaultEmbeddedListen, "loopback address the embedded Elasticsearch is served on, for inspection and restore; port 0 picks a free port")
	integer(&c.SeedDocuments, "seed-documents", server.DefaultSeedDocuments, "sample documents written when the embedded Camunda 8.8 index set is created")
	boolean(&c.NoSeed, "no-seed", false, "do not create the Camunda 8.8 index set in the embedded Elasticsearch")
	boolean(&c.Standalone, "standalone", true, "also serve the API under /actuator/backups (pre-8.8 name); --standalone=false turns it off")
	secret(&c.APIToken, "api-token", "bearer token required by the backup API (not by health)")
	str(&c.APIUsername, "api-username", "", "basic-auth username required by the backup API (not by health)")
	secret(&c.APIPassword, "api-password", "basic-auth password required by the backup API")
	secret(&c.ElasticPassword, "elastic-password", "password of the embedded Elasticsearch's user elastic (default: generated on first start and kept in --data-dir when the API is protected)")
	str(&o.logFormat, "log-format", "text", "log format: text or json")
	// The emulated components of a whole backup: Zeebe, exporting control, Optimize.
	integer(&c.Partitions, "partitions", server.DefaultPartitions, "partition count of the emulated Zeebe")
	duration(&c.ZeebeBackupDuration, "zeebe-backup-duration", server.DefaultZeebeBackupDuration, "how long each partition's emulated Zeebe backup runs")
	str(&c.ZeebeDataDir, "zeebe-data-dir", "", "directory of the emulated Zeebe's broker state: checkpoints, paused exporting (default <data-dir>/zeebe)")
	str(&c.ZeebeBackupStore, "zeebe-backup-store", server.ZeebeStoreFilesystem, "backup store of the emulated Zeebe: FILESYSTEM or NONE (every backup call then answers 400, as Camunda's default)")
	str(&c.ZeebeBackupPath, "zeebe-backup-path", "", "base path of the emulated Zeebe's filesystem backup store (default <zeebe-data-dir>/backup-store)")
	str(&c.StandaloneAlias, "standalone-alias", server.AliasWebapps, "whose API /actuator/backups serves with --standalone: webapps or zeebe")
	str(&c.OptimizeListen, "optimize-listen", server.DefaultOptimizeListen, "address of the emulated Optimize's management port (its /actuator/backups); empty: no Optimize; a free port when --listen has port 0 and this is not set")
	str(&c.OptimizeVersion, "optimize-version", server.DefaultOptimizeVersion, "Optimize version written into its snapshot names")
	boolean(&c.EnableAdminAPI, "enable-admin-api", false, "serve the fault-injection path /admin/faults on the backup API")
	boolean(&c.CamundaQuirks, "camunda-quirks", false, "answer the web-application API as Camunda 8.8's code does where the contract differs: its invalid-id message, 500 for GET with a missing repository, list details newest part first")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: webapps-backup-server [flags]

Serves Camunda's web-application backup API (/actuator/backupHistory, /actuator/backups,
/actuator/health) over Elasticsearch snapshots. Without --elasticsearch-url it runs an
embedded Elasticsearch-compatible server on --data-dir, creates the snapshot repository and,
on first start, the Camunda 8.8 index set with sample documents.
Every flag may also be set with the environment variable named in its description.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, p := range secrets {
		if v, envName := env(name); !given[name] {
			*p = v
		} else if *p != "" {
			fmt.Fprintf(stderr, "warning: --%s on the command line is visible to other users of this host (process list, shell history); set %s in the environment instead\n", name, envName)
		}
	}
	if len(envErrs) > 0 {
		return o, errors.Join(envErrs...)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return o, fmt.Errorf("invalid --log-format %q: want text or json", o.logFormat)
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return o, fmt.Errorf("read --elasticsearch-ca-file: %w", err)
		}
		c.CACert = pem
	}
	if _, port, err := net.SplitHostPort(c.Listen); err == nil && port == "0" && !given["optimize-listen"] && getenv(envPrefix+"OPTIMIZE_LISTEN") == "" {
		// A server asked to pick a free port for its API (tests, scripts) picks one for
		// Optimize too, instead of colliding on the fixed default.
		c.OptimizeListen = "127.0.0.1:0"
	}
	if c.ZeebeDataDir == "" && c.DataDir != "" {
		c.ZeebeDataDir = filepath.Join(c.DataDir, "zeebe")
	}
	if len(c.ElasticsearchURLs) > 0 {
		c.DataDir = ""
	} else if c.DataDir == "" {
		return o, errors.New("no --data-dir and no user data directory ($XDG_DATA_HOME or $HOME) to put it in")
	}
	return o, nil
}

// defaultDataDir is $XDG_DATA_HOME/camunda-webapps-backup, else
// ~/.local/share/camunda-webapps-backup; "" when neither is known.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "camunda-webapps-backup")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "camunda-webapps-backup")
	}
	return ""
}
