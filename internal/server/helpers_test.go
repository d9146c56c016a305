package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// The repository and index prefix of the handler tests' backend.
const (
	testRepo   = "backups"
	testPrefix = "handler"
)

// fixture is the handler over the real Elasticsearch driver on the emulator, on loopback.
type fixture struct {
	backend *conformance.Backend
	url     string
}

// newFixture starts the emulator with a repository and the Camunda index set, and serves
// the handler (standalone) over a driver configured by edit.
func newFixture(t *testing.T, edit func(*elastic.Config, *server.Options)) *fixture {
	t.Helper()
	b := conformance.NewBackend(t)
	b.CreateRepository(t, testRepo)
	b.SeedCamunda(t, backupapi.Camunda88, testPrefix, 2, false)
	cfg := b.Config(testRepo, testPrefix)
	opts := server.Options{Standalone: true}
	if edit != nil {
		edit(&cfg, &opts)
	}
	driver, err := elastic.New(cfg)
	if err != nil {
		t.Fatalf("elastic.New: %v", err)
	}
	opts.Backups = driver
	if opts.Health == nil {
		opts.Health = driver.Ping
	}
	hs := httptest.NewServer(server.NewHandler(opts))
	t.Cleanup(func() {
		hs.Close()
		_ = driver.Close()
	})
	return &fixture{backend: b, url: hs.URL}
}

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// message is the {"message"} of an error answer.
func (a answer) message(t *testing.T) string {
	t.Helper()
	var e backupapi.ErrorResponse
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("error body %q is not {\"message\"}: %v", a.body, err)
	}
	return e.Message
}

// do sends a request with an optional body and headers (pairs of name, value).
func do(t *testing.T, method, url, body string, headers ...string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	a := answer{status: res.StatusCode, header: res.Header, body: b}
	if len(b) > 0 && res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, url, res.Header.Get("Content-Type"))
	}
	return a
}

// wantError checks an error answer's status and message (exact, or a prefix when the
// wanted message ends in "...").
func wantError(t *testing.T, a answer, status int, message string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d (body %s), want %d", a.status, a.body, status)
	}
	got := a.message(t)
	if prefix, ok := strings.CutSuffix(message, "..."); ok {
		if !strings.HasPrefix(got, prefix) {
			t.Fatalf("message %q, want prefix %q", got, prefix)
		}
		return
	}
	if got != message {
		t.Fatalf("message %q, want %q", got, message)
	}
}
