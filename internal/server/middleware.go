package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// limitBody refuses request bodies over maxBodyBytes with 413: at once when the declared
// length is too large, and when a handler's read runs over the limit.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			writeMessage(w, http.StatusRequestEntityTooLarge, tooLargeMessage)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

const tooLargeMessage = "Request body is larger than 1 MiB."

// authGuard protects handlers with a bearer token or basic credentials; with neither it is
// the identity. Failures answer 401 with a message and a WWW-Authenticate challenge.
func authGuard(token, username, password string) func(http.Handler) http.Handler {
	if token == "" && username == "" && password == "" {
		return func(h http.Handler) http.Handler { return h }
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if token != "" {
				if got, ok := bearerToken(r); ok && equalSecret(got, token) {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="backup API"`)
			} else {
				if u, p, ok := r.BasicAuth(); ok && equalSecret(u, username) && equalSecret(p, password) {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("WWW-Authenticate", `Basic realm="backup API", charset="UTF-8"`)
			}
			writeMessage(w, http.StatusUnauthorized, "Authentication required.")
		})
	}
}

func bearerToken(r *http.Request) (string, bool) {
	const prefix = "bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return h[len(prefix):], true
}

// equalSecret compares secrets in constant time (over their digests, so that the length
// leaks nothing either).
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// recoverPanics answers a panicking handler with 500 and a generic message, and logs the panic.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeMessage(w, http.StatusInternalServerError, internalMessage)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status a handler answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// logRequests writes one log line per request: method, path, status and duration. Query
// values and headers are not logged (they may carry credentials).
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start), "remote", r.RemoteAddr)
	})
}

// isTooLarge reports whether err comes from reading a body over the limit (see limitBody).
func isTooLarge(err error) bool {
	var maxErr *http.MaxBytesError
	return errors.As(err, &maxErr)
}
