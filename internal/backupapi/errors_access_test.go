package backupapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestFromStatusNotFoundOnlyWhenTheAPISaysSo: a 404 is about the backup only with the
// contract's message; anything else that answers 404 is an endpoint that is not there.
func TestFromStatusNotFoundOnlyWhenTheAPISaysSo(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		message string
		kind    error
	}{
		{"contract's not found", http.StatusNotFound, "No backup with id [3] found.", ErrNotFound},
		{"Camunda's backup without metadata", http.StatusNotFound, "Expected to find backup with ID '3', but no metadata for it found", ErrNotFound},
		{"contract's missing repository", http.StatusNotFound, "No repository with name [r] could be found.", ErrRepositoryMissing},
		{"no message (a proxy's page)", http.StatusNotFound, "", ErrEndpointNotFound},
		{"reference server's unknown path", http.StatusNotFound, "No endpoint GET /actuator/actuator/backupHistory.", ErrEndpointNotFound},
		{"Spring's static resource", http.StatusNotFound, "No static resource actuator/backupHistory.", ErrEndpointNotFound},
		{"401", http.StatusUnauthorized, "Authentication required.", ErrUnauthorized},
		{"403", http.StatusForbidden, "", ErrUnauthorized},
		{"405 stays invalid", http.StatusMethodNotAllowed, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FromStatus(tt.status, tt.message)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("FromStatus(%d, %q) = %v, want kind %v", tt.status, tt.message, err, tt.kind)
			}
			for _, other := range []error{ErrNotFound, ErrEndpointNotFound, ErrUnauthorized, ErrInvalid} {
				if other != tt.kind && errors.Is(err, other) {
					t.Fatalf("FromStatus(%d, %q) is also %v", tt.status, tt.message, other)
				}
			}
		})
	}
}

func TestNewKindsStatus(t *testing.T) {
	if got := HTTPStatus(EndpointNotFound("http://h/x answered 404")); got != http.StatusNotFound {
		t.Errorf("endpoint not found: %d, want 404", got)
	}
	// A server whose datastore refused its credentials is at fault itself: 500, not 401.
	if got := HTTPStatus(Unauthorized(nil, "Elasticsearch refused the credentials")); got != http.StatusInternalServerError {
		t.Errorf("unauthorized: %d, want 500", got)
	}
	// Read back by a client, the endpoint error keeps its kind.
	msg := "the URL http://h/actuator answered 404"
	if err := FromStatus(HTTPStatus(EndpointNotFound("%s", msg)), msg); !errors.Is(err, ErrEndpointNotFound) {
		t.Errorf("read back: %v", err)
	}
}

func TestDetail(t *testing.T) {
	x509 := errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain error", errors.New("boom"), "boom"},
		{"no cause", NotFound(3), "No backup with id [3] found."},
		{"cause added", Unavailable(x509, "list backups: Elasticsearch's TLS certificate was not accepted"),
			"list backups: Elasticsearch's TLS certificate was not accepted: tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{"cause already in the message", Unavailable(x509, "get: %v", x509), "get: " + x509.Error()},
		{"credentials removed", Unavailable(errors.New(`Get "https://elastic:s3cret@es.example:9200/_snapshot": EOF`), "list backups: Elasticsearch could not be reached"),
			`list backups: Elasticsearch could not be reached: Get "https://es.example:9200/_snapshot": EOF`},
		{"wrapped", fmt.Errorf("context: %w", Unavailable(x509, "ping")), "context: ping: " + x509.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detail(tt.err)
			if got != tt.want {
				t.Fatalf("Detail() = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "s3cret") {
				t.Fatalf("Detail() = %q reveals a password", got)
			}
		})
	}
}
