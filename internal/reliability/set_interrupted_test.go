package reliability

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestSetInterruptedResumesExporting interrupts terraform (Ctrl-C) while the provider, in
// its own process, takes a whole backup with exporting soft-paused: terraform stops the
// provider, the set fails, and exporting is resumed all the same.
func TestSetInterruptedResumesExporting(t *testing.T) {
	terraform := terraformOnPath(t)
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), SeedDocuments: 3, SnapshotDelay: time.Millisecond,
		OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Emulator().Faults().Reset()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("stop the reference server: %v", err)
		}
	})
	exporting, err := actuator.NewExporting(actuator.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	phases := func() map[int]backupapi.ExporterPhase {
		p, err := exporting.Status(context.Background())
		if err != nil {
			t.Fatalf("exporting status: %v", err)
		}
		return p
	}
	all := func(want backupapi.ExporterPhase) bool {
		for _, ph := range phases() {
			if ph != want {
				return false
			}
		}
		return true
	}

	ws := newWorkspace(t, terraform, fmt.Sprintf(`provider "camunda" {
  actuator {
    url          = %q
    optimize_url = %q
  }
}

resource "camunda_backup" "nightly" {
  backup_id = 77
}
`, srv.URL(), srv.OptimizeURL()))

	// The web applications' first part is held: the set waits with exporting paused.
	srv.Emulator().Faults().HoldSnapshots("camunda_webapps_77_*")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	apply := ws.command(ctx, "apply", "-auto-approve", "-no-color")
	var out bytes.Buffer
	apply.Stdout, apply.Stderr = &out, &out
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "exporting to be soft-paused by the set", func() bool { return all(backupapi.PhaseSoftPaused) })
	if err := apply.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("interrupt terraform: %v", err)
	}
	if err := apply.Wait(); err == nil {
		t.Fatalf("the interrupted apply succeeded:\n%s", out.String())
	}
	if !all(backupapi.PhaseExporting) {
		t.Fatalf("exporting is %v after the interrupted apply, want EXPORTING everywhere:\n%s", phases(), out.String())
	}
	if !strings.Contains(out.String(), "Backup Set Not Finished Within the Timeout") {
		t.Errorf("the apply does not say that the set was cut short:\n%s", out.String())
	}
}
