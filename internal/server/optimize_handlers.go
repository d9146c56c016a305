package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// optimizeHandlers serve Optimize's backup API (/actuator/backups on its management port).
type optimizeHandlers struct {
	o   *Optimize
	log *slog.Logger
}

// The localized errorMessage texts of Optimize's error body. Optimize reads them from its
// localization files; these texts are ours (the exact 8.8 texts are unconfirmed).
var optimizeErrorMessages = map[string]string{
	backupapi.OptimizeCodeBadRequest:  "The request is invalid.",
	backupapi.OptimizeCodeServer:      "An internal error occurred.",
	backupapi.OptimizeCodeConflict:    "The request conflicts with an existing resource.",
	backupapi.OptimizeCodeNotFound:    "The requested resource could not be found.",
	backupapi.OptimizeCodeElasticDown: "Optimize could not connect to Elasticsearch.",
}

// optimizeStatus maps an error to Optimize's status and error code: only not-found, bad
// request, conflict and Elasticsearch connection get a code of their own; everything else,
// a missing repository name included, is serverError.
func optimizeStatus(err error) (int, string) {
	switch {
	case errors.Is(err, backupapi.ErrInvalid):
		return http.StatusBadRequest, backupapi.OptimizeCodeBadRequest
	case errors.Is(err, backupapi.ErrNotConfigured):
		return http.StatusBadRequest, backupapi.OptimizeCodeServer
	case errors.Is(err, backupapi.ErrConflict):
		return http.StatusConflict, backupapi.OptimizeCodeConflict
	case errors.Is(err, backupapi.ErrNotFound):
		return http.StatusNotFound, backupapi.OptimizeCodeNotFound
	case errors.Is(err, backupapi.ErrUnavailable):
		return http.StatusBadGateway, backupapi.OptimizeCodeElasticDown
	}
	return http.StatusInternalServerError, backupapi.OptimizeCodeServer
}

// writeOptimizeError answers err with Optimize's error body.
func (h optimizeHandlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := optimizeStatus(err)
	detail := internalMessage
	var apiErr *backupapi.Error
	if errors.As(err, &apiErr) {
		detail = apiErr.Message
	}
	h.log.WarnContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status, "message", detail, "err", err)
	writeJSON(w, status, backupapi.OptimizeErrorResponse{ErrorCode: code, ErrorMessage: optimizeErrorMessages[code], DetailedMessage: detail})
}

// route registers Optimize's endpoints.
func (h optimizeHandlers) route(mux *http.ServeMux, guard func(http.Handler) http.Handler) {
	mux.Handle("/actuator/backups", guard(h.slow(methods{http.MethodGet: h.list, http.MethodPost: h.take})))
	mux.Handle("/actuator/backups/{backupId}", guard(h.slow(methods{http.MethodGet: h.get, http.MethodDelete: h.delete})))
}

// slow delays every answer by the injected Optimize delay.
func (h optimizeHandlers) slow(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(h.o.cfg.Faults.Get().OptimizeDelay); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		next.ServeHTTP(w, r)
	})
}

// errSpringRefusal is a request body Spring refuses before Optimize's code runs.
var errSpringRefusal = errors.New("the request body cannot be read as the request object")

// parseOptimizeTake reads {"backupId": <Long>}: bean validation refuses a missing or null id
// ("must not be null") and a negative one; a body that is not JSON (or an id that is not a
// whole number) is errSpringRefusal, refused by Spring before validation.
func parseOptimizeTake(data []byte) (backupapi.ID, error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil || fields == nil {
		return 0, errSpringRefusal
	}
	raw := bytes.TrimSpace(fields["backupId"])
	if len(raw) == 0 || string(raw) == "null" {
		return 0, backupapi.Invalidf("must not be null")
	}
	text := string(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = s
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, errSpringRefusal
	}
	id := backupapi.ID(n)
	return id, backupapi.ValidateOptimizeID(id)
}

func (h optimizeHandlers) take(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if isTooLarge(err) {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request body is larger than 1 MiB")
		return
	}
	if err != nil {
		writeSpringError(w, r, http.StatusBadRequest)
		return
	}
	id, err := parseOptimizeTake(data)
	switch {
	case errors.Is(err, errSpringRefusal):
		writeSpringError(w, r, http.StatusBadRequest)
		return
	case err != nil:
		h.writeError(w, r, err)
		return
	}
	if err := h.o.Take(r.Context(), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, backupapi.OptimizeScheduledMessage(id))
}

// pathID reads {backupId}; Spring refuses a non-numeric one with its own 400.
func pathID(w http.ResponseWriter, r *http.Request) (backupapi.ID, bool) {
	n, err := strconv.ParseInt(r.PathValue("backupId"), 10, 64)
	if err != nil {
		writeSpringError(w, r, http.StatusBadRequest)
		return 0, false
	}
	return backupapi.ID(n), true
}

func (h optimizeHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	b, err := h.o.Get(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (h optimizeHandlers) list(w http.ResponseWriter, r *http.Request) {
	list, err := h.o.List(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (h optimizeHandlers) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := h.o.Delete(r.Context(), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// NewOptimizeHandler returns the HTTP handler of Optimize's management port: its backup API
// and a health endpoint.
func NewOptimizeHandler(o *Optimize, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	guard := authGuard(opts.BearerToken, opts.Username, opts.Password)
	mux := http.NewServeMux()
	optimizeHandlers{o: o, log: log}.route(mux, guard)
	mux.Handle("/actuator/health", methods{http.MethodGet: health(nil, log)})
	mux.HandleFunc("/", notFound)
	return logRequests(log, recoverPanics(log, limitBody(cleanPaths(mux))))
}
