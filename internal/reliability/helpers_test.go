package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

const repo = "camunda-backup"

// stack is the backup API served by the reference server's handlers over the Elasticsearch
// driver, on an emulator the test can break.
type stack struct {
	be      *conformance.Backend
	indices []string // the seeded Camunda indices, 3 documents each
	driver  *elastic.Client
	api     *httptest.Server
}

// newStack seeds the Camunda 8.8 index set without archived indices (5 parts) and serves the
// API.
func newStack(t *testing.T) *stack {
	t.Helper()
	be := conformance.NewBackend(t)
	be.RequireEmulator(t)
	be.CreateRepository(t, repo)
	indices := be.SeedCamunda(t, backupapi.Camunda88, "", 3, false)
	d, err := elastic.New(be.Config(repo, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	hs := httptest.NewServer(server.NewHandler(server.Options{Backups: d}))
	t.Cleanup(hs.Close)
	return &stack{be: be, indices: indices, driver: d, api: hs}
}

// answer is a response of the backup API.
type answer struct {
	Status  int
	Body    string
	Message string
}

// call sends one request to the backup API; the test fails when it cannot be sent.
func call(t testing.TB, base, method, path, body string) answer {
	t.Helper()
	a, err := request(base, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// request sends one request to the backup API and reads the whole answer.
func request(base, method, path, body string) (answer, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, base+path, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	a := answer{Status: res.StatusCode, Body: string(b)}
	var e backupapi.ErrorResponse
	if json.Unmarshal(b, &e) == nil {
		a.Message = e.Message
	}
	return a, nil
}

// waitFor polls cond until it holds; the test fails after a deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}
