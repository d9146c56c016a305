package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// internalMessage answers errors that carry no user-safe message; their detail goes to the log.
const internalMessage = "Internal server error; see the server log."

// writeJSON answers v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"`+internalMessage+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeBackups answers a list of backups as a JSON array, appending each backup to one buffer
// (json.Marshal would validate and copy every backup's encoding again).
func writeBackups(w http.ResponseWriter, list []backupapi.Backup) {
	buf := make([]byte, 0, 1024*len(list)+3)
	buf = append(buf, '[')
	for i, b := range list {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = b.AppendJSON(buf)
	}
	buf = append(buf, ']', '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf))) // one write, not chunks
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// writeMessage answers the contract's error body {"message": ...}.
func writeMessage(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, backupapi.ErrorResponse{Message: message})
}

// writeError answers err: a *backupapi.Error with its kind's status and its user-safe message,
// anything else with 500 and a generic message (the detail is logged).
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var apiErr *backupapi.Error
	if !errors.As(err, &apiErr) {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeMessage(w, http.StatusInternalServerError, internalMessage)
		return
	}
	status := backupapi.HTTPStatus(apiErr)
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status, "message", apiErr.Message}
	if apiErr.Cause != nil {
		attrs = append(attrs, "cause", apiErr.Cause)
	}
	log.WarnContext(r.Context(), "request refused", attrs...)
	writeMessage(w, status, apiErr.Message)
}
