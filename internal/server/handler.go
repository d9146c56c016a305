// Package server is the reference actuator server: HTTP handlers that serve the web-application
// backup API of Camunda 8 (POST/GET /actuator/backupHistory, GET/DELETE
// /actuator/backupHistory/{backupId}, the same under /actuator/backups when standalone, and
// /actuator/health) on top of a backupapi.Client, and a whole embeddable server (Start) that
// runs them over the Elasticsearch driver, on a real Elasticsearch or an embedded one.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Options configure the HTTP handler of the backup API.
type Options struct {
	// Backups serves the backup operations. Required.
	Backups backupapi.Client
	// Health reports whether the datastore answers; nil means always UP.
	Health func(ctx context.Context) error
	// Standalone also serves the API under its pre-8.8 name, /actuator/backups.
	Standalone bool
	// BearerToken, or Username and Password, protect the backup API (not the health
	// endpoint). Empty means no authentication.
	BearerToken        string
	Username, Password string
	// Logger receives one line per request; nil discards them.
	Logger *slog.Logger

	// Zeebe, when set, serves the emulated Zeebe's management API: /actuator/backupRuntime,
	// /actuator/exporting/{pause,resume} and /actuator/partitions.
	Zeebe *Zeebe
	// StandaloneAlias names whose API /actuator/backups serves when Standalone is set:
	// AliasWebapps (default) or AliasZeebe. In Camunda both a standalone web application and
	// a standalone broker or gateway serve their API there; one process cannot serve both.
	StandaloneAlias string
	// AdminFaults, when set, serves the fault-injection path /admin/faults on them.
	AdminFaults *Faults
	// CamundaQuirks answers the web-application API as Camunda 8.8's code does where the
	// contract decided otherwise (see quirks.go).
	CamundaQuirks bool
}

// The values of Options.StandaloneAlias.
const (
	AliasWebapps = "webapps"
	AliasZeebe   = "zeebe"
)

// The endpoint ids of the backup API under /actuator.
const (
	endpointHistory    = "backupHistory"
	endpointStandalone = "backups"
)

// maxBodyBytes is the largest request body accepted.
const maxBodyBytes = 1 << 20

// NewHandler returns the HTTP handler of the backup API.
func NewHandler(opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &backups{client: opts.Backups, log: log, quirks: opts.CamundaQuirks}
	guard := authGuard(opts.BearerToken, opts.Username, opts.Password)

	mux := http.NewServeMux()
	endpoints := []string{endpointHistory}
	zeebeEndpoints := []string{endpointRuntime}
	if opts.Standalone {
		if opts.StandaloneAlias == AliasZeebe && opts.Zeebe != nil {
			zeebeEndpoints = append(zeebeEndpoints, endpointStandalone)
		} else {
			endpoints = append(endpoints, endpointStandalone)
		}
	}
	if opts.Zeebe != nil {
		zeebeHandlers{z: opts.Zeebe, log: log}.route(mux, guard, zeebeEndpoints)
	}
	if opts.AdminFaults != nil {
		mux.Handle("/admin/faults", guard(opts.AdminFaults.handler()))
	}
	for _, e := range endpoints {
		mux.Handle("/actuator/"+e, guard(methods{http.MethodGet: b.list, http.MethodPost: b.create}))
		mux.Handle("/actuator/"+e+"/{backupId}", guard(methods{http.MethodGet: b.get, http.MethodDelete: b.delete}))
	}
	mux.Handle("/actuator/health", methods{http.MethodGet: health(opts.Health, log)})
	mux.HandleFunc("/", notFound)
	return logRequests(log, recoverPanics(log, limitBody(cleanPaths(mux))))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeMessage(w, http.StatusNotFound, "No endpoint "+r.Method+" "+r.URL.Path+".")
}

// cleanPaths answers 404 for request targets that are not clean absolute paths (the mux
// would redirect them, or refuse "*" with a plain-text 400), so that every answer is JSON.
func cleanPaths(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; !strings.HasPrefix(p, "/") || path.Clean(p) != p {
			notFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
