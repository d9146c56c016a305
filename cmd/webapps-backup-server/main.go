// Command webapps-backup-server is the reference actuator server of Camunda 8 web-application
// backups: it serves the backup API (POST/GET /actuator/backupHistory, GET/DELETE
// /actuator/backupHistory/{backupId}, /actuator/backups when standalone, /actuator/health)
// over a real Elasticsearch or, by default, an embedded Elasticsearch-compatible server.
//
// Every flag can also be set by the environment variable named in its help text
// (WEBAPPS_BACKUP_*); a flag given on the command line wins. Prefer the environment for
// secrets: command lines are visible to other users of the machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// shutdownTimeout bounds the wait for in-flight requests at shutdown.
const shutdownTimeout = 30 * time.Second

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run parses the arguments, serves until SIGINT or SIGTERM (or ctx is done) and returns the
// exit code: 0, 1 when the server fails, 2 for bad arguments.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "webapps-backup-server: %v\n", err)
		return 2
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if o.logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	}
	o.cfg.Logger = slog.New(h)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Start(ctx, o.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "webapps-backup-server: %v\n", err)
		return 1
	}
	if o.cfg.DataDir != "" && len(o.cfg.ElasticsearchURLs) == 0 {
		fmt.Fprintf(stdout, "data directory: %s\n", o.cfg.DataDir)
		fmt.Fprintf(stdout, "embedded Elasticsearch: %s\n", srv.ElasticsearchURL())
	}
	fmt.Fprintf(stdout, "backup API: %s/actuator/backupHistory\n", srv.URL())
	fmt.Fprintf(stdout, "Zeebe backup API: %s/actuator/backupRuntime\n", srv.URL())
	if u := srv.OptimizeURL(); u != "" {
		fmt.Fprintf(stdout, "Optimize backup API: %s/actuator/backups\n", u)
	}
	fmt.Fprintf(stdout, "listening on %s\n", srv.URL())
	<-ctx.Done()
	o.cfg.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "webapps-backup-server: %v\n", err)
		return 1
	}
	return 0
}
