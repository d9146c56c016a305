// Command elasticsearch-emulator serves the project's Elasticsearch-compatible
// snapshot server (internal/esemu) on a loopback address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// options are the command's settings from flags and environment.
type options struct {
	listen        string
	dataDir       string
	pathRepo      []string
	snapshotDelay time.Duration
	adminAPI      bool
	logFormat     string
	allowRemote   bool
	clusterName   string
	nodeName      string
	versionNumber string
	// password, when set, is required of the user elastic (basic authentication).
	password string
}

// repeated is a repeatable string flag.
type repeated struct{ values *[]string }

func (r repeated) String() string {
	if r.values == nil {
		return ""
	}
	return strings.Join(*r.values, ",")
}

func (r repeated) Set(v string) error {
	*r.values = append(*r.values, v)
	return nil
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run parses the arguments and serves until interrupted; it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "elasticsearch-emulator: %v\n", err)
		return 2
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if o.logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	}
	logger := slog.New(h)
	srv, err := esemu.New(esemu.Config{
		DataDir: o.dataDir, PathRepo: o.pathRepo, SnapshotDelay: o.snapshotDelay, AdminAPI: o.adminAPI,
		Logger: logger, ClusterName: o.clusterName, NodeName: o.nodeName, Version: o.versionNumber,
		Username: usernameFor(o.password), Password: o.password,
	})
	if err != nil {
		fmt.Fprintf(stderr, "elasticsearch-emulator: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.ListenAndServe(ctx, o.listen, func(a net.Addr) {
		fmt.Fprintf(stdout, "listening on http://%s\n", a)
		logger.Info("listening", "addr", a.String(), "data_dir", o.dataDir, "path_repo", o.pathRepo)
	})
	if err != nil {
		fmt.Fprintf(stderr, "elasticsearch-emulator: %v\n", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

// usernameFor is the user required with a password: elastic, Elasticsearch 8's superuser.
func usernameFor(password string) string {
	if password == "" {
		return ""
	}
	return "elastic"
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("elasticsearch-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&o.listen, "listen", env("ESEMU_LISTEN", "127.0.0.1:9200"), "address to listen on; port 0 picks a free port (env ESEMU_LISTEN)")
	fs.StringVar(&o.dataDir, "data-dir", env("ESEMU_DATA_DIR", ""), "directory for indices, documents and cluster state; required (env ESEMU_DATA_DIR)")
	if v := getenv("ESEMU_PATH_REPO"); v != "" {
		o.pathRepo = splitPaths(v)
	}
	fs.Var(repeated{&o.pathRepo}, "path-repo", "path.repo root for fs repositories; repeatable (env ESEMU_PATH_REPO, list separated by the OS path list separator)")
	fs.StringVar(&o.logFormat, "log-format", env("ESEMU_LOG_FORMAT", "text"), "log format: text or json (env ESEMU_LOG_FORMAT)")
	fs.StringVar(&o.clusterName, "cluster-name", env("ESEMU_CLUSTER_NAME", ""), "cluster name reported (env ESEMU_CLUSTER_NAME)")
	fs.StringVar(&o.nodeName, "node-name", env("ESEMU_NODE_NAME", ""), "node name reported (env ESEMU_NODE_NAME)")
	fs.StringVar(&o.versionNumber, "es-version", env("ESEMU_ES_VERSION", ""), "Elasticsearch version number reported (env ESEMU_ES_VERSION)")
	fs.StringVar(&o.password, "elastic-password", "", "require HTTP basic authentication as user elastic with this password; prefer the environment (env ESEMU_ELASTIC_PASSWORD)")
	delay := env("ESEMU_SNAPSHOT_DELAY", "0")
	fs.StringVar(&delay, "snapshot-delay", delay, "extra duration of every snapshot, e.g. 200ms; 0 means the default 50ms, negative none (env ESEMU_SNAPSHOT_DELAY)")
	admin, remote := env("ESEMU_ENABLE_ADMIN_API", "false"), env("ESEMU_ALLOW_REMOTE", "false")
	fs.Func("enable-admin-api", "serve the fault-injection admin path /_emulator/faults (env ESEMU_ENABLE_ADMIN_API=true)", func(v string) error { admin = v; return nil })
	fs.Func("allow-remote", "allow listening on a non-loopback address (env ESEMU_ALLOW_REMOTE=true)", func(v string) error { remote = v; return nil })
	// Boolean flags written without a value.
	args = normalizeBoolFlags(args, "enable-admin-api", "allow-remote")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: elasticsearch-emulator --data-dir DIR [flags]\n\nServes an Elasticsearch-compatible snapshot API for tests and demos.\nEvery flag may also be set with the environment variable named in its description.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.password != "" {
		fmt.Fprintln(stderr, "warning: --elastic-password on the command line is visible to other users of this host (process list, shell history); set ESEMU_ELASTIC_PASSWORD in the environment instead")
	} else {
		o.password = getenv("ESEMU_ELASTIC_PASSWORD")
	}
	var err error
	if o.adminAPI, err = strconv.ParseBool(admin); err != nil {
		return o, fmt.Errorf("invalid --enable-admin-api value %q", admin)
	}
	if o.allowRemote, err = strconv.ParseBool(remote); err != nil {
		return o, fmt.Errorf("invalid --allow-remote value %q", remote)
	}
	if o.snapshotDelay, err = time.ParseDuration(delay); err != nil {
		return o, fmt.Errorf("invalid --snapshot-delay %q: %w", delay, err)
	}
	if o.dataDir == "" {
		return o, errors.New("--data-dir is required")
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return o, fmt.Errorf("invalid --log-format %q: want text or json", o.logFormat)
	}
	if err := checkListen(o.listen, o.allowRemote); err != nil {
		return o, err
	}
	return o, nil
}

// normalizeBoolFlags turns "--name" without a value into "--name=true".
func normalizeBoolFlags(args []string, names ...string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		for _, n := range names {
			if a == "-"+n || a == "--"+n {
				a = "--" + n + "=true"
			}
		}
		out = append(out, a)
	}
	return out
}

func splitPaths(v string) []string {
	var out []string
	for _, p := range strings.Split(v, string(os.PathListSeparator)) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkListen refuses non-loopback addresses unless remote access is allowed.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid --listen %q: %w", addr, err)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %q is not a loopback address; pass --allow-remote to listen on it", addr)
	}
	return nil
}
