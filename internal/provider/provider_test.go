package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// testAccProtoV6ProviderFactories serve the provider in-process, with the real environment.
var testAccProtoV6ProviderFactories = factoriesWithEnv(os.Getenv)

// factoriesWithEnv serves the provider with an injected environment lookup.
func factoriesWithEnv(env getenv) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"camunda": newProtocol6Server("test", env),
	}
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// TestMain points terraform at a CLI configuration of its own (the machine's may not exist)
// and turns off its update checks.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "provider-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliConfig := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte("disable_checkpoint = true\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testRepository is the snapshot repository of every test backend.
const testRepository = "camunda-backup"

// testBackend is one backend of an acceptance test, running in the test process.
type testBackend struct {
	name string
	// provider is the provider block that talks to the backend.
	provider string
	// url is the backend's URL: the management server's, or Elasticsearch's.
	url string
	// esURL is the Elasticsearch that holds the snapshots.
	esURL string
	// client reaches the same backups outside Terraform.
	client backupapi.Client
	// emulator injects faults; nil on a real Elasticsearch.
	emulator *esemu.Server
}

// backendKinds are the backends every acceptance test runs against.
var backendKinds = []string{backendActuator, backendElasticsearch}

// newTestBackend starts a backend of the kind for one test: the reference actuator server on
// its embedded Elasticsearch, or Elasticsearch itself (the emulator, or a real one when
// ELASTICSEARCH_URL is set). Both hold the Camunda 8.8 index set.
func newTestBackend(t *testing.T, kind string) *testBackend {
	t.Helper()
	switch kind {
	case backendActuator:
		srv, err := server.Start(context.Background(), server.Config{
			Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: testRepository,
			SeedDocuments: 5, SnapshotDelay: 5 * time.Millisecond,
		})
		if err != nil {
			t.Fatalf("start the reference server: %v", err)
		}
		t.Cleanup(func() {
			srv.Emulator().Faults().Reset()
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Errorf("stop the reference server: %v", err)
			}
		})
		client, err := actuator.New(actuator.Config{URL: srv.URL()})
		if err != nil {
			t.Fatal(err)
		}
		return &testBackend{
			name:     kind,
			provider: fmt.Sprintf("provider \"camunda\" {\n  actuator {\n    url        = %q\n    repository = %q\n  }\n}\n", srv.URL(), testRepository),
			url:      srv.URL(),
			esURL:    srv.ElasticsearchURL(),
			client:   client,
			emulator: srv.Emulator(),
		}
	case backendElasticsearch:
		b := conformance.NewBackend(t)
		b.CreateRepository(t, testRepository)
		b.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
		client, err := elastic.New(b.Config(testRepository, ""))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Close() })
		block := fmt.Sprintf("provider \"camunda\" {\n  elasticsearch {\n    urls       = [%q]\n    repository = %q\n", b.URL, testRepository)
		if u := os.Getenv(envESUsername); u != "" {
			block += fmt.Sprintf("    username   = %q\n    password   = %q\n", u, os.Getenv(envESPassword))
		}
		return &testBackend{name: kind, provider: block + "  }\n}\n", url: b.URL, esURL: b.URL, client: client, emulator: b.Emulator}
	}
	t.Fatalf("unknown backend kind %q", kind)
	return nil
}

// requireEmulator returns the emulator, skipping the test on a real Elasticsearch.
func (b *testBackend) requireEmulator(t *testing.T) *esemu.Server {
	t.Helper()
	if b.emulator == nil {
		t.Skip("needs the emulator's fault injection; skipped on a real Elasticsearch")
	}
	return b.emulator
}

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// parallel runs the test in parallel with others, except on a real Elasticsearch, whose
// repository the tests share.
func parallel(t *testing.T) {
	if os.Getenv(conformance.EnvURL) == "" {
		t.Parallel()
	}
}

// forEachBackend runs the test against every backend kind.
func forEachBackend(t *testing.T, test func(t *testing.T, b *testBackend)) {
	parallel(t)
	for _, kind := range backendKinds {
		t.Run(kind, func(t *testing.T) {
			parallel(t)
			test(t, newTestBackend(t, kind))
		})
	}
}

// backupConfig is the provider block of b and one camunda_webapp_backup "test" with the
// backup id and extra attributes.
func backupConfig(b *testBackend, id int64, extra string) string {
	return b.provider + fmt.Sprintf("\nresource \"camunda_webapp_backup\" \"test\" {\n  backup_id = %d\n%s}\n", id, extra)
}

// expectBackup checks, after destroy or out of band, whether backup id exists.
func expectBackup(b *testBackend, id backupapi.ID, exists bool) error {
	_, err := b.client.Get(context.Background(), id)
	switch {
	case exists && err != nil:
		return fmt.Errorf("backup %s should exist: %w", id, err)
	case !exists && err == nil:
		return fmt.Errorf("backup %s should be gone but exists", id)
	case !exists && !errors.Is(err, backupapi.ErrNotFound):
		return fmt.Errorf("backup %s: %w", id, err)
	}
	return nil
}
