package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// startServer runs the whole server on a real (emulated) Elasticsearch with edit applied.
func startServer(t *testing.T, edit func(*server.Config)) *server.Server {
	t.Helper()
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "camunda-backup")
	cfg := server.Config{Listen: "127.0.0.1:0", ElasticsearchURLs: []string{b.URL}, ZeebeDataDir: t.TempDir(),
		OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: 5 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := server.Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv
}

// TestServerComponents: the whole server serves Zeebe next to the web apps, Optimize on its
// own listener, and the admin path only when enabled.
func TestServerComponents(t *testing.T) {
	srv := startServer(t, nil)
	if a := do(t, http.MethodPost, srv.URL()+"/actuator/backupRuntime", `{"backupId": 1}`); a.status != 202 {
		t.Fatalf("Zeebe take: %d %s", a.status, a.body)
	}
	if a := do(t, http.MethodGet, srv.URL()+"/actuator/backupHistory", ""); a.status != 200 {
		t.Fatalf("web apps list: %d", a.status)
	}
	// The standalone alias stays the web apps' by default.
	if a := do(t, http.MethodGet, srv.URL()+"/actuator/backups/1", ""); a.status == 200 {
		t.Fatalf("/actuator/backups served Zeebe without the zeebe alias: %s", a.body)
	}
	if a := do(t, http.MethodGet, srv.OptimizeURL()+"/actuator/backups", ""); a.status != 200 || strings.TrimSpace(string(a.body)) != "[]" {
		t.Fatalf("Optimize list: %d %s", a.status, a.body)
	}
	if a := do(t, http.MethodGet, srv.URL()+"/admin/faults", ""); a.status != 404 {
		t.Fatalf("admin path without the flag: %d", a.status)
	}
	if !strings.HasPrefix(srv.ZeebeBackupPath(), "/") {
		t.Fatalf("backup path %q", srv.ZeebeBackupPath())
	}
}

// TestServerAdminFaults: with the admin path on, faults are set, read and cleared over HTTP.
func TestServerAdminFaults(t *testing.T) {
	srv := startServer(t, func(c *server.Config) {
		c.EnableAdminAPI, c.Standalone, c.StandaloneAlias = true, true, server.AliasZeebe
	})
	if a := do(t, http.MethodPut, srv.URL()+"/admin/faults", `{"zeebeUnreachable": true, "optimizeDelay": "10ms", "failPartitions": {"2": "x"}}`); a.status != 200 {
		t.Fatalf("PUT faults: %d %s", a.status, a.body)
	}
	if got := srv.Faults().Get(); !got.ZeebeUnreachable || got.OptimizeDelay != server.Duration(10*time.Millisecond) || got.FailPartitions[2] != "x" {
		t.Fatalf("faults %+v", got)
	}
	wantError(t, do(t, http.MethodPost, srv.URL()+"/actuator/backups", `{"backupId": 1}`), 502, "Failed to send request from gateway to broker....")
	if a := do(t, http.MethodPut, srv.URL()+"/admin/faults", `{"nonsense": 1}`); a.status != 400 {
		t.Fatalf("unknown fault: %d", a.status)
	}
	if a := do(t, http.MethodDelete, srv.URL()+"/admin/faults", ""); a.status != 204 {
		t.Fatalf("DELETE faults: %d", a.status)
	}
	if a := do(t, http.MethodPost, srv.URL()+"/actuator/backups", `{"backupId": 1}`); a.status != 202 {
		t.Fatalf("take after clearing the faults: %d %s", a.status, a.body)
	}
}

// TestConfigComponents: the component settings are checked.
func TestConfigComponents(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  server.Config
		want string
	}{
		{"partitions", server.Config{Partitions: -1}, "partition count"},
		{"store", server.Config{ZeebeBackupStore: "S3"}, "backup store"},
		{"store without a path", server.Config{ZeebeBackupStore: "FILESYSTEM"}, "base path"},
		{"alias", server.Config{StandaloneAlias: "optimize"}, "standalone alias"},
		{"Optimize remote", server.Config{OptimizeListen: "0.0.0.0:8092"}, "not a loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ElasticsearchURLs = []string{"http://127.0.0.1:1"}
			tc.cfg.Listen = "127.0.0.1:0"
			_, err := server.Start(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestServerComponentsProtected: with the API protected, the Zeebe and Optimize APIs need
// the token too, and Optimize reaches the embedded Elasticsearch, which then requires a
// password.
func TestServerComponentsProtected(t *testing.T) {
	srv, err := server.Start(t.Context(), server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), NoSeed: true,
		APIToken: "secret-token", OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: -1})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	auth := []string{"Authorization", "Bearer secret-token"}
	for _, u := range []string{srv.URL() + "/actuator/backupRuntime", srv.URL() + "/actuator/partitions", srv.OptimizeURL() + "/actuator/backups"} {
		if a := do(t, http.MethodGet, u, ""); a.status != http.StatusUnauthorized {
			t.Fatalf("GET %s without the token: %d", u, a.status)
		}
		if a := do(t, http.MethodGet, u, "", auth...); a.status != http.StatusOK {
			t.Fatalf("GET %s with the token: %d %s", u, a.status, a.body)
		}
	}
	if a := do(t, http.MethodPost, srv.OptimizeURL()+"/actuator/backups", `{"backupId": 9}`, auth...); a.status != http.StatusAccepted {
		t.Fatalf("Optimize take: %d %s", a.status, a.body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := do(t, http.MethodGet, srv.OptimizeURL()+"/actuator/backups/9", "", auth...)
		if a.status == http.StatusOK && strings.Contains(string(a.body), `"state":"COMPLETED"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Optimize backup: %d %s", a.status, a.body)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}
