package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// The endpoint ids of Zeebe's management API under /actuator.
const (
	endpointRuntime    = "backupRuntime"
	endpointExporting  = "exporting"
	endpointPartitions = "partitions"
)

// zeebeHandlers serve the emulated Zeebe's management API.
type zeebeHandlers struct {
	z   *Zeebe
	log *slog.Logger
}

// route registers the Zeebe endpoints on mux under each backup endpoint id (backupRuntime,
// and backups when the standalone alias is Zeebe's), guarded as the backup API is.
func (h zeebeHandlers) route(mux *http.ServeMux, guard func(http.Handler) http.Handler, backupEndpoints []string) {
	for _, e := range backupEndpoints {
		mux.Handle("/actuator/"+e, guard(methods{http.MethodGet: h.list, http.MethodPost: h.take}))
		mux.Handle("/actuator/"+e+"/{arg}", guard(methods{http.MethodGet: h.get, http.MethodDelete: h.delete}))
	}
	mux.Handle("/actuator/"+endpointExporting+"/{operation}", guard(methods{http.MethodPost: h.exporting}))
	mux.Handle("/actuator/"+endpointPartitions, guard(methods{http.MethodGet: h.partitions}))
}

// writeSpringError answers as Spring Boot does for a request its framework refuses before
// Camunda's code runs (a missing parameter, a failed conversion, a wrong content type).
func writeSpringError(w http.ResponseWriter, r *http.Request, status int) {
	writeJSON(w, status, struct {
		Timestamp string `json:"timestamp"`
		Status    int    `json:"status"`
		Error     string `json:"error"`
		Path      string `json:"path"`
	}{time.Now().UTC().Format("2006-01-02T15:04:05.000-07:00"), status, http.StatusText(status), truncatePath(r.URL.Path)})
}

// truncatePath shortens a path echoed in an error: a path may be as long as the header limit
// allows. Spring echoes it whole; the reference server keeps a prefix.
func truncatePath(p string) string {
	const limit = 200
	if len(p) > limit {
		return p[:limit] + "..."
	}
	return p
}

// zeebeError answers an error of the emulated Zeebe: {"message"} with its status.
func (h zeebeHandlers) zeebeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	var apiErr *backupapi.Error
	msg := err.Error()
	if errors.As(err, &apiErr) {
		msg = apiErr.Message
	}
	h.log.WarnContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status, "message", msg)
	writeMessage(w, status, msg)
}

// parseRuntimeTake reads the body of a take: {"backupId": <long>}, the id as a number or a
// string of digits (Spring converts either); unknown fields are ignored. ok is false when
// Spring would refuse the request with its own 400.
func parseRuntimeTake(data []byte) (id backupapi.ID, ok bool) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&fields) != nil || fields == nil {
		return 0, false
	}
	raw, present := fields["backupId"]
	if !present {
		return 0, false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	var text string
	switch t := v.(type) {
	case float64:
		text = string(raw)
	case string:
		text = t
	default:
		return 0, false
	}
	n, perr := strconv.ParseInt(text, 10, 64)
	return backupapi.ID(n), perr == nil
}

// isJSON reports whether the request says its body is JSON (Spring's actuator write
// operations with parameters consume only application/json).
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || mt == "application/vnd.spring-boot.actuator.v3+json" || mt == "application/vnd.spring-boot.actuator.v2+json")
}

func (h zeebeHandlers) take(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r) {
		writeSpringError(w, r, http.StatusUnsupportedMediaType)
		return
	}
	data, err := io.ReadAll(r.Body)
	if isTooLarge(err) {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request body is larger than 1 MiB")
		return
	}
	id, ok := parseRuntimeTake(data)
	if err != nil || !ok {
		writeSpringError(w, r, http.StatusBadRequest)
		return
	}
	if err := h.z.Take(r.Context(), id); err != nil {
		h.zeebeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusAccepted, backupapi.ZeebeScheduledMessage(id))
}

func (h zeebeHandlers) get(w http.ResponseWriter, r *http.Request) {
	arg := r.PathValue("arg")
	id, prefix, list, err := backupapi.ParseRuntimeSelector(arg)
	if err != nil {
		if len(arg) > 40 { // echo a short prefix of a long argument only
			err = backupapi.Invalidf("Expected a backup ID or prefix ending with '*', but got '%s'.", truncate(arg))
		}
		h.zeebeError(w, r, err)
		return
	}
	if list {
		h.writeList(w, r, prefix)
		return
	}
	b, err := h.z.Get(r.Context(), id)
	if err != nil {
		h.zeebeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (h zeebeHandlers) list(w http.ResponseWriter, r *http.Request) { h.writeList(w, r, "") }

func (h zeebeHandlers) writeList(w http.ResponseWriter, r *http.Request, prefix string) {
	list, err := h.z.List(r.Context(), prefix)
	if err != nil {
		h.zeebeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (h zeebeHandlers) delete(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("arg"), 10, 64)
	if err != nil {
		writeSpringError(w, r, http.StatusBadRequest)
		return
	}
	if err := h.z.Delete(r.Context(), backupapi.ID(n)); err != nil {
		h.zeebeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// exporting serves POST /actuator/exporting/{pause|resume}[?soft=true]: always HTTP 200
// with the inner status (204 done, 500 failed), as Camunda answers.
func (h zeebeHandlers) exporting(w http.ResponseWriter, r *http.Request) {
	soft, ok := springBool(r.URL.Query().Get("soft"))
	if !ok {
		writeSpringError(w, r, http.StatusBadRequest)
		return
	}
	var err error
	switch op := backupapi.ExportingOperation(r.PathValue("operation")); op {
	case backupapi.OperationPause, backupapi.OperationResume:
		err = h.z.apply(op, soft)
	default:
		// Camunda throws an UnsupportedOperationException without a message.
		writeJSON(w, http.StatusOK, backupapi.ExportingFailed(nil))
		return
	}
	if err != nil {
		h.log.WarnContext(r.Context(), "exporting failed", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, http.StatusOK, exportingResult(err))
}

func (h zeebeHandlers) partitions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.z.partitionsView())
}

// springBool converts a request parameter as Spring does (true/on/yes/1, false/off/no/0, any
// case; empty is the default, false); ok is false for anything else.
func springBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "", "false", "off", "no", "0":
		return false, true
	case "true", "on", "yes", "1":
		return true, true
	}
	return false, false
}
