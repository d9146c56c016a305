package elastic_test

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
)

// TestRequestTimeoutFailsOverAcrossAddresses: with a hung node first in the addresses, a
// call costs about one request timeout and is answered by the next node.
func TestRequestTimeoutFailsOverAcrossAddresses(t *testing.T) {
	var hungCalls atomic.Int32
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		hungCalls.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hung.Close() })
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "repo")
	const timeout = 400 * time.Millisecond
	cfg := b.Config("repo", "")
	cfg.Addresses = append([]string{hung.URL}, cfg.Addresses...)
	cfg.RequestTimeout = timeout
	cfg.RetryWait, cfg.RetryMaxWait = time.Millisecond, 2*time.Millisecond
	c := newClient(t, cfg)
	// Nodes are taken in turn: of two calls, one starts on the hung node.
	for i := range 2 {
		start := time.Now()
		if _, err := c.List(t.Context(), backupapi.ListOptions{}); err != nil {
			t.Fatalf("list %d: %v, want the answer of the second address", i, err)
		}
		if took := time.Since(start); took > 2*timeout {
			t.Fatalf("list %d took %v, want about one request timeout (%v) at most", i, took, timeout)
		}
	}
	if hungCalls.Load() != 1 {
		t.Fatalf("the hung node got %d requests, want 1", hungCalls.Load())
	}

	// With the hung node alone, the call fails after its retries, saying why.
	cfg.Addresses, cfg.MaxRetries, cfg.RequestTimeout = []string{hung.URL}, 1, 50*time.Millisecond
	_, err := newClient(t, cfg).List(t.Context(), backupapi.ListOptions{})
	if !errors.Is(err, backupapi.ErrUnavailable) || !errors.Is(err, esclient.ErrRequestTimeout) ||
		!strings.Contains(err.Error(), "did not answer within the request timeout") {
		t.Fatalf("list on a hung node: %v, want unavailable, within the request timeout", err)
	}
}

// TestRequestTimeoutSparesThePartsSnapshots: a part's snapshot request waits for the part,
// longer than the request timeout: one request per part, and the backup completes.
func TestRequestTimeoutSparesThePartsSnapshots(t *testing.T) {
	b := conformance.NewBackend(t)
	srv := b.RequireEmulator(t)
	srv.Faults().SetSnapshotDelay(150 * time.Millisecond)
	b.CreateRepository(t, "repo")
	b.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	cfg := b.Config("repo", "")
	cfg.RequestTimeout = 100 * time.Millisecond
	c := newClient(t, cfg)
	srv.ResetRequests()
	names, err := c.Create(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	conformance.WaitForState(t, c, 1, backupapi.StateCompleted)
	puts := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPut {
			puts++
		}
	}
	if puts != len(names) {
		t.Fatalf("%d snapshot requests for %d parts, want one each", puts, len(names))
	}
}

// TestAuthenticationFailures: 401 and 403 from Elasticsearch are authentication failures
// that say which settings to check, without the credentials.
func TestAuthenticationFailures(t *testing.T) {
	refuse := func(status int, errType string) *httptest.Server {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"error":{"type":"`+errType+`","reason":"unable to authenticate user [elastic]"},"status":401}`)
		}))
		t.Cleanup(hs.Close)
		return hs
	}
	unauthorized := refuse(http.StatusUnauthorized, "security_exception")
	forbidden := refuse(http.StatusForbidden, "security_exception")
	tests := []struct {
		name string
		cfg  elastic.Config
		want string
	}{
		{"wrong password", elastic.Config{Addresses: []string{unauthorized.URL}, Username: "elastic", Password: "secret"},
			"authentication failed: Elasticsearch answered 401 Unauthorized: security_exception; check the Elasticsearch username and password"},
		{"wrong API key", elastic.Config{Addresses: []string{unauthorized.URL}, APIKey: "c2VjcmV0"}, "check the Elasticsearch API key"},
		{"no credentials", elastic.Config{Addresses: []string{unauthorized.URL}}, "Elasticsearch requires credentials"},
		{"no privileges", elastic.Config{Addresses: []string{forbidden.URL}, Username: "elastic", Password: "secret"},
			"answered 403 Forbidden: security_exception; the user or API key lacks privileges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Repository = "repo"
			c := newClient(t, tt.cfg)
			for call, err := range map[string]error{
				"list":   func() error { _, err := c.List(t.Context(), backupapi.ListOptions{}); return err }(),
				"delete": c.Delete(t.Context(), 1),
				"create": func() error { _, err := c.Create(t.Context(), 1); return err }(),
			} {
				if !errors.Is(err, backupapi.ErrUnauthorized) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("%s: %v, want an authentication failure containing %q", call, err, tt.want)
				}
				if d := backupapi.Detail(err); strings.Contains(d, "secret") || strings.Contains(d, "c2VjcmV0") {
					t.Fatalf("%s: %q reveals a credential", call, d)
				}
			}
		})
	}
	c := newClient(t, elastic.Config{Addresses: []string{unauthorized.URL}, Username: "elastic", Password: "secret"})
	if err := c.(*elastic.Client).Ping(t.Context()); !errors.Is(err, backupapi.ErrUnauthorized) {
		t.Fatalf("ping: %v, want an authentication failure", err)
	}
}

// TestConnectionFailuresKeepTheirCause: the certificate error of an https node is the
// cause of the error, and Detail shows it.
func TestConnectionFailuresKeepTheirCause(t *testing.T) {
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(hs.Close)
	c := newClient(t, elastic.Config{Addresses: []string{hs.URL}, Repository: "repo", MaxRetries: 2})
	_, err := c.List(t.Context(), backupapi.ListOptions{})
	var verification *tls.CertificateVerificationError
	if !errors.Is(err, backupapi.ErrUnavailable) || !errors.As(err, &verification) {
		t.Fatalf("list over https with an unknown CA: %v, want unavailable caused by the certificate", err)
	}
	if !strings.Contains(err.Error(), "TLS certificate was not accepted") {
		t.Fatalf("message %q, want it to say the certificate was refused", err)
	}
	if d := backupapi.Detail(err); !strings.Contains(d, "x509: certificate signed by unknown authority") {
		t.Fatalf("Detail() = %q, want the x509 error", d)
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
	c = newClient(t, elastic.Config{Addresses: []string{hs.URL}, Repository: "repo", CACert: ca})
	if _, err := c.List(t.Context(), backupapi.ListOptions{}); errors.Is(err, backupapi.ErrUnavailable) {
		t.Fatalf("with the CA: %v, want an answer", err)
	}
}
