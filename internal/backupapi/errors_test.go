package backupapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorsCarryTheContractsStatusAndMessage(t *testing.T) {
	tests := []struct {
		err     error
		kind    error
		status  int
		message string
	}{
		{Invalidf("backupId must be a positive integer, got: %d", -1), ErrInvalid, 400, "backupId must be a positive integer, got: -1"},
		{NotConfigured(), ErrNotConfigured, 400, "No backup repository configured."},
		{AlreadyExists(7, []string{"camunda_webapps_7_8.8.0_part_1_of_2", "camunda_webapps_7_8.8.0_part_2_of_2"}), ErrAlreadyExists, 400,
			"A backup with ID [7] already exists. Found snapshots: [camunda_webapps_7_8.8.0_part_1_of_2, camunda_webapps_7_8.8.0_part_2_of_2]"},
		{BackupRunning(), ErrBackupRunning, 400, "Another backup is running at the moment"},
		{RepositoryMissing("camunda"), ErrRepositoryMissing, 404, "No repository with name [camunda] could be found."},
		{NotFound(12), ErrNotFound, 404, "No backup with id [12] found."},
		{MissingIndices([]string{"a", "b"}), ErrMissingIndices, 500, "Missing indices: [a, b]"},
		{Internal(errors.New("boom"), "creating snapshot: %s", "reason"), ErrInternal, 500, "creating snapshot: reason"},
		{Unavailable(errors.New("dial tcp"), "Elasticsearch could not be reached while listing snapshots"), ErrUnavailable, 502, "Elasticsearch could not be reached while listing snapshots"},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			if !errors.Is(tt.err, tt.kind) {
				t.Fatalf("%v is not of its kind", tt.err)
			}
			if got := HTTPStatus(tt.err); got != tt.status {
				t.Fatalf("HTTPStatus = %d, want %d", got, tt.status)
			}
			if tt.err.Error() != tt.message {
				t.Fatalf("message = %q, want %q", tt.err.Error(), tt.message)
			}
			wrapped := fmt.Errorf("context: %w", tt.err)
			if got := HTTPStatus(wrapped); got != tt.status {
				t.Fatalf("HTTPStatus(wrapped) = %d, want %d", got, tt.status)
			}
			// The actuator client reads back what the server wrote: same kind, same message.
			back := FromStatus(tt.status, tt.message)
			if !errors.Is(back, tt.kind) || back.Error() != tt.message {
				t.Fatalf("FromStatus(%d, %q) = %v (%v), want kind %v", tt.status, tt.message, back, back.(*Error).Kind, tt.kind)
			}
		})
	}
}

func TestFromStatusOtherResponses(t *testing.T) {
	tests := []struct {
		status int
		msg    string
		kind   error
	}{
		{http.StatusServiceUnavailable, "", ErrUnavailable},
		{http.StatusGatewayTimeout, "timeout", ErrUnavailable},
		{http.StatusUnauthorized, "", ErrUnauthorized},
		{http.StatusMethodNotAllowed, "no", ErrInvalid},
		{http.StatusInternalServerError, "boom", ErrInternal},
		{http.StatusNotFound, "No backup with id [3] found.", ErrNotFound},
	}
	for _, tt := range tests {
		err := FromStatus(tt.status, tt.msg)
		if !errors.Is(err, tt.kind) || err.Error() == "" {
			t.Errorf("FromStatus(%d, %q) = %v, want kind %v and a message", tt.status, tt.msg, err, tt.kind)
		}
	}
	if HTTPStatus(errors.New("plain")) != 500 {
		t.Error("an error of no kind is a 500")
	}
	cause := errors.New("dial tcp 10.0.0.1:9200: refused")
	err := Unavailable(cause, "Elasticsearch could not be reached")
	if !errors.Is(err, cause) {
		t.Error("the cause is kept for logs")
	}
}
