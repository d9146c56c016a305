package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// healthTimeout bounds one health check of the datastore.
const healthTimeout = 5 * time.Second

// healthStatus is the body of the health endpoint, in the Spring Boot actuator's shape.
type healthStatus struct {
	Status string `json:"status"`
}

// health answers {"status":"UP"} when check passes (or is nil), else 503 {"status":"DOWN"}
// with no detail (the reason is logged).
func health(check func(context.Context) error, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if check != nil {
			ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
			defer cancel()
			if err := check(ctx); err != nil {
				log.WarnContext(r.Context(), "health check failed", "err", err)
				writeJSON(w, http.StatusServiceUnavailable, healthStatus{Status: "DOWN"})
				return
			}
		}
		writeJSON(w, http.StatusOK, healthStatus{Status: "UP"})
	}
}
