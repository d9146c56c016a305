package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// The performance figures of the provider, measured with a built provider binary and real
// terraform commands (CAMUNDA_PERF=1):
//
//   - terraform apply of one backup on the reference server's embedded default takes at most
//     1.2 times the backup's own duration plus 2 s;
//   - terraform plan (with refresh) of 100 camunda_webapp_backup resources takes at most twice
//     the plan of 100 terraform_data resources.
func TestPerfFigures(t *testing.T) {
	if os.Getenv("CAMUNDA_PERF") != "1" {
		t.Skip("set CAMUNDA_PERF=1 to measure the performance figures")
	}
	tf := newTerraformRunner(t)

	t.Run("apply one backup", func(t *testing.T) {
		srv := startServer(t, server.Config{})
		dir := tf.dir(t, &srv, "resource \"camunda_webapp_backup\" \"nightly\" {\n  backup_id = 1\n}\n")
		start := time.Now()
		tf.run(t, dir, "apply", "-auto-approve")
		wall := time.Since(start)

		es, err := elastic.New(elastic.Config{Addresses: []string{srv.ElasticsearchURL()}, Repository: server.DefaultRepository})
		if err != nil {
			t.Fatal(err)
		}
		defer es.Close()
		b, err := es.Get(context.Background(), 1)
		if err != nil || b.State != backupapi.StateCompleted {
			t.Fatalf("backup 1: %v %v", b.State, err)
		}
		own := b.Snapshots[len(b.Snapshots)-1].EndTime.Sub(b.Snapshots[0].StartTime)
		bound := time.Duration(1.2*float64(own)) + 2*time.Second
		t.Logf("FIGURE apply of one backup: wall %v, backup's own duration %v (%d parts), bound 1.2x+2s = %v, overhead %v",
			wall.Round(time.Millisecond), own.Round(time.Millisecond), len(b.Snapshots), bound.Round(time.Millisecond), (wall - own).Round(time.Millisecond))
		if wall > bound {
			t.Errorf("apply took %v, more than %v", wall, bound)
		}
	})

	t.Run("plan of 100 resources", func(t *testing.T) {
		const n = 100
		srv := startServer(t, server.Config{SnapshotDelay: -1, SeedDocuments: 10})
		client := srv.Client(t)
		var backups, imports, data strings.Builder
		for i := 1; i <= n; i++ {
			id := backupapi.ID(i)
			if _, err := client.Create(context.Background(), id); err != nil {
				t.Fatalf("create backup %d: %v", i, err)
			}
			conformance.WaitForState(t, client, id, backupapi.StateCompleted)
			fmt.Fprintf(&backups, "resource \"camunda_webapp_backup\" \"b%d\" {\n  backup_id = %d\n}\n", i, i)
			fmt.Fprintf(&imports, "import {\n  to = camunda_webapp_backup.b%d\n  id = \"%d\"\n}\n", i, i)
			fmt.Fprintf(&data, "resource \"terraform_data\" \"d%d\" {\n  input = %d\n}\n", i, i)
		}
		backupDir := tf.dir(t, &srv, backups.String()+imports.String())
		tf.run(t, backupDir, "apply", "-auto-approve") // imports the 100 backups
		dataDir := tf.dir(t, nil, data.String())
		tf.run(t, dataDir, "init")
		tf.run(t, dataDir, "apply", "-auto-approve")

		planBackups := tf.timed(t, backupDir, "plan", "-detailed-exitcode")
		planData := tf.timed(t, dataDir, "plan", "-detailed-exitcode")
		ratio := float64(planBackups) / float64(planData)
		t.Logf("FIGURE plan of %d resources: camunda_webapp_backup %v, terraform_data %v, ratio %.2f (bound 2)",
			n, planBackups.Round(time.Millisecond), planData.Round(time.Millisecond), ratio)
		if ratio > 2 {
			t.Errorf("plan of %d backups took %.2f times the plan of %d terraform_data", n, ratio, n)
		}
	})
}

// perfServer is the reference server of a figure, with a client of its own.
type perfServer struct{ *server.Server }

// startServer starts the reference server on its embedded Elasticsearch with cfg's settings.
func startServer(t *testing.T, cfg server.Config) perfServer {
	t.Helper()
	cfg.Listen, cfg.DataDir = "127.0.0.1:0", t.TempDir()
	srv, err := server.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start the reference server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return perfServer{srv}
}

// Client returns an actuator client of the server.
func (s perfServer) Client(t *testing.T) backupapi.Client {
	t.Helper()
	c, err := actuator.New(actuator.Config{URL: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// terraformRunner runs terraform against the provider binary built for the figures.
type terraformRunner struct {
	env []string
}

// newTerraformRunner builds the provider and writes a CLI configuration that overrides the
// provider with it, so that terraform needs no init.
func newTerraformRunner(t *testing.T) terraformRunner {
	t.Helper()
	binDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "terraform-provider-camunda"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the provider: %v\n%s", err, out)
	}
	cli := filepath.Join(t.TempDir(), "terraformrc")
	rc := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    \"camunda-community-hub/camunda\" = %q\n  }\n  direct {}\n}\n", binDir)
	if err := os.WriteFile(cli, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return terraformRunner{env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")}
}

// dir writes a configuration (with the provider block of srv, when given) to a new directory.
func (r terraformRunner) dir(t *testing.T, srv *perfServer, body string) string {
	t.Helper()
	dir := t.TempDir()
	head := ""
	if srv != nil {
		head = fmt.Sprintf("terraform {\n  required_providers {\n    camunda = { source = \"camunda-community-hub/camunda\" }\n  }\n}\n"+
			"provider \"camunda\" {\n  actuator { url = %q }\n}\n", srv.URL())
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(head+body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs a terraform command in dir and fails the test when it fails.
func (r terraformRunner) run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("terraform", append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = dir, r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// timed runs a terraform command and returns its wall time.
func (r terraformRunner) timed(t *testing.T, dir string, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	r.run(t, dir, args...)
	return time.Since(start)
}
