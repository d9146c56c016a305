package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestEmbeddedWithoutSeed: with NoSeed (--no-seed) the embedded Elasticsearch has the
// snapshot repository but none of Camunda's indices, so a backup is refused with the
// contract's "Missing indices" until the web applications have created them.
func TestEmbeddedWithoutSeed(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	es, err := esclient.New(esclient.Config{Addresses: []string{srv.ElasticsearchURL()}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := es.Cat.Indices(es.Cat.Indices.WithFormat("json"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if body := res.String(); res.StatusCode != 200 || !strings.HasSuffix(strings.TrimSpace(body), "[]") {
		t.Errorf("indices of an unseeded server: %s, want none", body)
	}
	api, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := api.List(t.Context(), backupapi.ListOptions{}); err != nil || len(list) != 0 {
		t.Errorf("list: %v, %v; want the repository, empty", list, err)
	}
	_, err = api.Create(t.Context(), 1)
	if !errors.Is(err, backupapi.ErrMissingIndices) || !strings.HasPrefix(err.Error(), "Missing indices: [operate-import-position-8.3.0_, ") {
		t.Errorf("create without the index set: %v, want Missing indices", err)
	}
}

// getStatus sends GET url with the basic-auth credentials when user is set and returns the
// status.
func getStatus(t *testing.T, url, user, password string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestEmbeddedProtectedWithTheAPI: with the backup API protected, the embedded Elasticsearch
// requires the user elastic with a password generated on first start, kept with mode 0600 and
// reused on the next start; the server's own driver logs in with it (health is UP and a
// backup starts). Given a password, that one is required; with an open API, so is the
// embedded Elasticsearch.
func TestEmbeddedProtectedWithTheAPI(t *testing.T) {
	const token = "api-token-for-test"
	dir := t.TempDir()
	start := func(cfg server.Config) *server.Server {
		t.Helper()
		cfg.Listen, cfg.SeedDocuments, cfg.SnapshotDelay = "127.0.0.1:0", 10, -1
		srv, err := server.Start(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start(server.Config{DataDir: dir, APIToken: token})
	pwFile := filepath.Join(dir, "elastic-password")
	info, err := os.Stat(pwFile)
	if err != nil {
		t.Fatalf("no password file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(pwFile)
	pw := strings.TrimSpace(string(data))
	if len(pw) < 20 {
		t.Fatalf("generated password %q is too short", pw)
	}
	es := srv.ElasticsearchURL()
	for _, tc := range []struct {
		name, path, user, password string
		want                       int
	}{
		{"no credentials", "/", "", "", http.StatusUnauthorized},
		{"no credentials, snapshots", "/_snapshot/camunda-backup/_all", "", "", http.StatusUnauthorized},
		{"the API token is not a password", "/", "elastic", token, http.StatusUnauthorized},
		{"the generated password", "/_snapshot/camunda-backup/_all", "elastic", pw, http.StatusOK},
	} {
		if got := getStatus(t, es+tc.path, tc.user, tc.password); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := getStatus(t, srv.URL()+"/actuator/health", "", ""); got != http.StatusOK {
		t.Errorf("health %d: the driver does not log in to the embedded Elasticsearch", got)
	}
	api, err := actuator.New(actuator.Config{URL: srv.URL(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Create(t.Context(), 7); err != nil {
		t.Errorf("backup through the protected embedded Elasticsearch: %v", err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv = start(server.Config{DataDir: dir, APIToken: token})
	if again, _ := os.ReadFile(pwFile); string(again) != string(data) {
		t.Errorf("the password changed on restart")
	}
	if got := getStatus(t, srv.ElasticsearchURL()+"/", "elastic", pw); got != http.StatusOK {
		t.Errorf("after restart: %d", got)
	}
	_ = srv.Shutdown(context.Background())

	given := t.TempDir()
	srv = start(server.Config{DataDir: given, APIToken: token, ElasticPassword: "chosen-password"})
	if got := getStatus(t, srv.ElasticsearchURL()+"/", "elastic", "chosen-password"); got != http.StatusOK {
		t.Errorf("given password: %d", got)
	}
	if got := getStatus(t, srv.ElasticsearchURL()+"/", "", ""); got != http.StatusUnauthorized {
		t.Errorf("given password, no credentials: %d", got)
	}
	if _, err := os.Stat(filepath.Join(given, "elastic-password")); err == nil {
		t.Errorf("a given password was written to the data directory")
	}
	_ = srv.Shutdown(context.Background())

	open := start(server.Config{DataDir: t.TempDir()})
	t.Cleanup(func() { _ = open.Shutdown(context.Background()) })
	if got := getStatus(t, open.ElasticsearchURL()+"/", "", ""); got != http.StatusOK {
		t.Errorf("open API, embedded Elasticsearch: %d, want 200 without credentials", got)
	}
}

// TestEmbeddedSurvivesDeepBodies sends 10 MB of '[' to both ports; the process keeps serving.
func TestEmbeddedSurvivesDeepBodies(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), NoSeed: true, SnapshotDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	body := strings.Repeat("[", 10<<20)
	for _, url := range []string{srv.ElasticsearchURL() + "/i/_doc/1", srv.ElasticsearchURL() + "/_bulk", srv.URL() + "/actuator/backupHistory"} {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d, want 400 or 413", url, res.StatusCode)
			}
		}
		if got := getStatus(t, srv.ElasticsearchURL()+"/", "", ""); got != http.StatusOK {
			t.Fatalf("after %s: embedded Elasticsearch answers %d", url, got)
		}
		if got := getStatus(t, srv.URL()+"/actuator/health", "", ""); got != http.StatusOK {
			t.Fatalf("after %s: health %d", url, got)
		}
	}
}

// TestSecondServerOnOneDataDirFails: a second server on the data directory of a running one
// fails to start at once, naming the directory and the process that holds it.
func TestSecondServerOnOneDataDirFails(t *testing.T) {
	dir := t.TempDir()
	first, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: dir, NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Shutdown(context.Background()) })
	_, err = server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: dir, NoSeed: true})
	if err == nil {
		t.Fatal("a second server started on the same data directory")
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, "elasticsearch")) || !strings.Contains(err.Error(), "pid ") {
		t.Errorf("error %q does not name the directory and the process", err)
	}
	if got := getStatus(t, first.ElasticsearchURL()+"/", "", ""); got != http.StatusOK {
		t.Errorf("the first server stopped serving: %d", got)
	}
}
