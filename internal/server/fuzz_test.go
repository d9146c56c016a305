package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"golang.org/x/net/http/httpguts"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// FuzzHandler sends arbitrary requests to the handler over the real driver on a healthy
// Elasticsearch: it must never panic, never answer 5xx, and always answer a JSON body
// (but for 204).
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, target, body string }{
		{"POST", "/actuator/backupHistory", `{"backupId": 1}`},
		{"POST", "/actuator/backupHistory", `{"backupId": 1.5}`},
		{"POST", "/actuator/backupHistory", `{"backupId": "x"}`},
		{"POST", "/actuator/backups", `[{"backupId": 99999999999999999999}]`},
		{"GET", "/actuator/backupHistory/123", ""},
		{"GET", "/actuator/backupHistory?pattern=1*&verbose=FALSE", ""},
		{"GET", "/actuator/backupHistory?pattern=%00&verbose=maybe", ""},
		{"DELETE", "/actuator/backupHistory/-1", ""},
		{"PUT", "/actuator/backupHistory/1/2", "{"},
		{"GET", "/actuator/health", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, []byte(s.body))
	}
	b := conformance.NewBackend(f)
	b.CreateRepository(f, "fuzz")
	b.SeedCamunda(f, backupapi.Camunda88, "", 1, false)
	driver, err := elastic.New(b.Config("fuzz", ""))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = driver.Close() })
	h := server.NewHandler(server.Options{Backups: driver, Health: driver.Ping, Standalone: true})
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !httpguts.ValidHeaderFieldName(method) {
			t.Skip("not a request an HTTP server would hand to a handler")
		}
		req := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader(body))
		req.Method, req.URL, req.RequestURI = method, u, target
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", method, target, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s %s: status %d without a JSON body", method, target, rec.Code)
		}
	})
}
