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
}

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
	b := &backups{client: opts.Backups, log: log}
	guard := authGuard(opts.BearerToken, opts.Username, opts.Password)

	mux := http.NewServeMux()
	endpoints := []string{endpointHistory}
	if opts.Standalone {
		endpoints = append(endpoints, endpointStandalone)
	}
	for _, e := range endpoints {
		mux.Handle("/actuator/"+e, guard(methods{http.MethodGet: b.list, http.MethodPost: b.create}))
		mux.Handle("/actuator/"+e+"/{backupId}", guard(methods{http.MethodGet: b.get, http.MethodDelete: b.delete}))
	}
	mux.Handle("/actuator/health", methods{http.MethodGet: health(opts.Health, log)})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeMessage(w, http.StatusNotFound, "No endpoint "+r.Method+" "+r.URL.Path+".")
	})
	return logRequests(log, recoverPanics(log, limitBody(mux)))
}
