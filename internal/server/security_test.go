package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

func TestAuthentication(t *testing.T) {
	token := newFixture(t, func(_ *elastic.Config, o *server.Options) { o.BearerToken = "s3cret" })
	basic := newFixture(t, func(_ *elastic.Config, o *server.Options) { o.Username, o.Password = "ops", "pw" })
	tests := []struct {
		name      string
		url       string
		headers   []string
		status    int
		challenge string
	}{
		{"token missing", token.url + history, nil, 401, `Bearer realm="backup API"`},
		{"token wrong", token.url + history, []string{"Authorization", "Bearer nope"}, 401, `Bearer realm="backup API"`},
		{"token right", token.url + history, []string{"Authorization", "Bearer s3cret"}, 200, ""},
		{"token scheme any case", token.url + history, []string{"Authorization", "bearer s3cret"}, 200, ""},
		{"token on standalone", token.url + "/actuator/backups", nil, 401, `Bearer realm="backup API"`},
		{"token not for health", token.url + "/actuator/health", nil, 200, ""},
		{"basic missing", basic.url + history, nil, 401, `Basic realm="backup API", charset="UTF-8"`},
		{"basic wrong", basic.url + history, []string{"Authorization", "Basic b3BzOm5v"}, 401, `Basic realm="backup API", charset="UTF-8"`},
		{"basic right", basic.url + history, []string{"Authorization", "Basic b3BzOnB3"}, 200, ""},
		{"basic not for health", basic.url + "/actuator/health", nil, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, http.MethodGet, tc.url, "", tc.headers...)
			if a.status != tc.status || a.header.Get("WWW-Authenticate") != tc.challenge {
				t.Fatalf("status %d, challenge %q; want %d, %q", a.status, a.header.Get("WWW-Authenticate"), tc.status, tc.challenge)
			}
			if tc.status == 401 {
				wantError(t, a, 401, "Authentication required.")
			}
		})
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t, nil)
	if a := do(t, http.MethodGet, f.url+"/actuator/health", ""); a.status != 200 || string(a.body) != `{"status":"UP"}`+"\n" {
		t.Fatalf("health: %d %s, want 200 UP", a.status, a.body)
	}
	f.backend.Emulator.Faults().SetDown(true)
	defer f.backend.Emulator.Faults().Reset()
	if a := do(t, http.MethodGet, f.url+"/actuator/health", ""); a.status != 503 || string(a.body) != `{"status":"DOWN"}`+"\n" {
		t.Fatalf("health with Elasticsearch down: %d %s, want 503 DOWN without details", a.status, a.body)
	}
}

// brokenClient stands in for a driver failing in ways the real one cannot be made to: a
// panic and an error that is not a *backupapi.Error.
type brokenClient struct{ backupapi.Client }

func (brokenClient) Get(context.Context, backupapi.ID) (backupapi.Backup, error) {
	panic("driver bug with secret detail")
}

func (brokenClient) List(context.Context, backupapi.ListOptions) ([]backupapi.Backup, error) {
	return nil, errors.New("dial tcp 10.0.0.7:9200: password=hunter2")
}

func TestInternalFailuresAreGeneric(t *testing.T) {
	hs := httptest.NewServer(server.NewHandler(server.Options{Backups: brokenClient{}}))
	defer hs.Close()
	for _, path := range []string{history + "/1", history} {
		a := do(t, http.MethodGet, hs.URL+path, "")
		wantError(t, a, http.StatusInternalServerError, "Internal server error; see the server log.")
	}
	// Health without a check is UP.
	if a := do(t, http.MethodGet, hs.URL+"/actuator/health", ""); a.status != 200 {
		t.Fatalf("health without a check: %d", a.status)
	}
}
