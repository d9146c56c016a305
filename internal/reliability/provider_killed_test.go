package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// TestProviderKilledMidBackup kills the provider's process while it takes a backup on the
// elasticsearch backend, where the provider itself takes the parts: the parts not yet started
// are never taken, the backup ends INCOMPLETE, and the next apply replaces it (the id is taken
// again) and completes it. The provider runs as its own process, as terraform runs it.
func TestProviderKilledMidBackup(t *testing.T) {
	terraform := terraformOnPath(t)
	es := conformance.NewBackend(t)
	faults := es.RequireEmulator(t).Faults()
	const repository = "camunda-backup"
	es.CreateRepository(t, repository)
	es.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	cfg := es.Config(repository, "")
	cfg.IncompleteAfter = time.Second // as the provider block below says
	client, err := elastic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	ws := newWorkspace(t, terraform, fmt.Sprintf(`provider "camunda" {
  elasticsearch {
    urls                     = [%q]
    repository               = %q
    incomplete_check_timeout = "1s"
  }
}

resource "camunda_webapp_backup" "nightly" {
  backup_id = 7
}
`, es.URL, repository))

	// First apply: part 2 is held, the provider is killed while it waits for it.
	faults.HoldSnapshots("camunda_webapps_7_*_part_2_*")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	first := ws.command(ctx, "apply", "-auto-approve", "-no-color")
	var firstOut bytes.Buffer
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "part 2 of backup 7 to run", func() bool {
		b, err := client.Get(ctx, 7)
		return err == nil && len(b.Snapshots) >= 2 && backupapi.SnapshotRunning(b.Snapshots[1].State)
	})
	pid := providerPID(t, ws.provider)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill the provider (pid %d): %v", pid, err)
	}
	if err := first.Wait(); err == nil {
		t.Fatalf("the apply whose provider was killed succeeded:\n%s", firstOut.String())
	}
	faults.ReleaseSnapshots("camunda_webapps_7_*")
	waitFor(t, "backup 7 to read INCOMPLETE", func() bool {
		b, err := client.Get(ctx, 7)
		return err == nil && b.State == backupapi.StateIncomplete
	})

	// Second apply: the broken backup is replaced under the same id and completes.
	out := ws.run(t, "apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "Broken Backup Replaced") || !strings.Contains(out, "INCOMPLETE") {
		t.Errorf("the second apply does not say that it replaced the INCOMPLETE backup:\n%s", out)
	}
	b, err := client.Get(ctx, 7)
	if err != nil || b.State != backupapi.StateCompleted {
		t.Fatalf("backup 7 = %v, %v; want COMPLETED", b.State, err)
	}
	if n := b.Snapshots[0].Metadata.PartCount; len(b.Snapshots) != n {
		t.Errorf("backup 7 has %d of its %d parts", len(b.Snapshots), n)
	}
}

// buildProvider builds the provider's binary into a directory of its own.
func buildProvider(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "terraform-provider-camunda")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/camunda-community-hub/terraform-provider-camunda")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the provider: %v\n%s", err, out)
	}
	return bin
}

// providerPID finds the process running the provider binary bin.
func providerPID(t *testing.T, bin string) int {
	t.Helper()
	var pid int
	waitFor(t, "the provider's process", func() bool {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			n, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == bin {
				pid = n
				return true
			}
		}
		return false
	})
	return pid
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
