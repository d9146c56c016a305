package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// TestServerKilledMidBackup kills the server binary (SIGKILL) while a part of a backup runs,
// on an Elasticsearch that survives it: no finished part is lost, the restarted server reads
// the backup IN_PROGRESS and then INCOMPLETE (its remaining parts are never taken), and with
// terraform waiting on a backup when the server dies, the apply fails, the backup is tainted
// and the next apply replaces it.
func TestServerKilledMidBackup(t *testing.T) {
	t.Parallel()
	bin := buildServer(t)
	be := conformance.NewBackend(t)
	faults := be.RequireEmulator(t).Faults()
	be.CreateRepository(t, repo)
	be.SeedCamunda(t, backupapi.Camunda88, "", 3, false)
	truth, err := elastic.New(be.Config(repo, "")) // reads Elasticsearch itself
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = truth.Close() })
	logPath := filepath.Join(t.TempDir(), "server.log")
	flags := func(listen string) []string {
		return []string{"--listen", listen, "--elasticsearch-url", be.URL, "--repository", repo,
			"--data-dir", t.TempDir(), "--incomplete-check-timeout", "1s", "--log-format", "json"}
	}
	srv := mustStartServer(t, bin, logPath, flags("127.0.0.1:0")...)
	listen := srv.url[len("http://"):]

	// Backup 1: the server dies while part 3 runs; the part finishes while it is dead.
	const held = "camunda_webapps_1_*_part_3_*"
	faults.HoldSnapshots(held)
	if a := call(t, srv.url, http.MethodPost, "/actuator/backupHistory", `{"backupId": 1}`); a.Status != http.StatusOK {
		t.Fatalf("create backup 1: %d %s", a.Status, a.Body)
	}
	running := waitForPart(t, truth, 1, 3, backupapi.SnapshotInProgress)
	finished := running.SnapshotNames()[:2]
	srv.kill()
	faults.ReleaseSnapshots(held)
	waitForPart(t, truth, 1, 3, backupapi.SnapshotSuccess)
	finished = append(finished, running.Snapshots[2].Name)

	srv = mustStartServer(t, bin, logPath, flags(listen)...)
	var seen []backupapi.State
	waitFor(t, "the restarted server to read backup 1 INCOMPLETE", func() bool {
		a := call(t, srv.url, http.MethodGet, "/actuator/backupHistory/1", "")
		var b backupapi.Backup
		if a.Status != http.StatusOK || b.UnmarshalJSON([]byte(a.Body)) != nil {
			t.Fatalf("get backup 1 after the restart: %d %s", a.Status, a.Body)
		}
		if len(seen) == 0 || seen[len(seen)-1] != b.State {
			seen = append(seen, b.State)
		}
		if b.State != backupapi.StateInProgress && b.State != backupapi.StateIncomplete {
			t.Fatalf("backup 1 is %s after the restart (%s), want IN_PROGRESS then INCOMPLETE", b.State, a.Body)
		}
		return b.State == backupapi.StateIncomplete
	})
	t.Logf("backup 1 after the restart: %v", seen)
	b, err := truth.Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.SnapshotNames(); !slices.Equal(got, finished) {
		t.Errorf("Elasticsearch holds %v of backup 1, want exactly the parts finished before and during the kill %v", got, finished)
	}
	for _, s := range b.Snapshots {
		if s.State != backupapi.SnapshotSuccess {
			t.Errorf("part %s is %s, want SUCCESS", s.Name, s.State)
		}
	}

	t.Run("terraform", func(t *testing.T) {
		// Backup 2 through terraform: the server dies while part 2 runs and terraform waits.
		const held = "camunda_webapps_2_*_part_2_*"
		config := backupHCL(srv.url, "  retries        = 10\n  retry_max_wait = \"1s\"\n", "  backup_id         = 2\n  delete_on_destroy = true\n")
		type outcome struct {
			proc *serverProcess
			err  error
		}
		reports := make(chan outcome, 1)
		killWhenRunning := func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := pollPart(ctx, truth, 2, 2, backupapi.SnapshotInProgress); err != nil {
				reports <- outcome{err: err}
				return
			}
			srv.kill()
			faults.ReleaseSnapshots(held)
			if err := pollPart(ctx, truth, 2, 2, backupapi.SnapshotSuccess); err != nil {
				reports <- outcome{err: err}
				return
			}
			p, err := startServer(bin, logPath, flags(listen)...)
			if err == nil && p.url != srv.url {
				err = fmt.Errorf("the server restarted on %s, not %s", p.url, srv.url)
			}
			reports <- outcome{p, err}
		}
		restarted := sync.OnceValue(func() outcome { return <-reports })
		started := false // whether terraform ran the first step, which starts killWhenRunning
		t.Cleanup(func() {
			if !started {
				return
			}
			if p := restarted().proc; p != nil {
				p.kill()
			}
		})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: providerFactories,
			CheckDestroy: func(*terraform.State) error {
				if _, err := truth.Get(context.Background(), 2); !errors.Is(err, backupapi.ErrNotFound) {
					return fmt.Errorf("backup 2 still exists after destroy (%v)", err)
				}
				return nil
			},
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						faults.HoldSnapshots(held)
						started = true
						go killWhenRunning()
					},
					Config:      config,
					ExpectError: regexp.MustCompile(`(?s)Backup INCOMPLETE.*tainted`),
				},
				{
					PreConfig: func() {
						if err := restarted().err; err != nil {
							t.Fatalf("kill and restart the server under terraform: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(backupAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(backupAddr, tfjsonpath.New("state"), knownvalue.StringExact(string(backupapi.StateCompleted))),
					},
				},
			},
		})
	})
}

// waitForPart waits until part partNo of the backup is in the snapshot state in
// Elasticsearch, and returns the backup.
func waitForPart(t *testing.T, c backupapi.Client, id backupapi.ID, partNo int, state string) backupapi.Backup {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := pollPart(ctx, c, id, partNo, state); err != nil {
		t.Fatal(err)
	}
	b, err := c.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pollPart polls until part partNo of the backup is in the snapshot state, or ctx is done.
func pollPart(ctx context.Context, c backupapi.Client, id backupapi.ID, partNo int, state string) error {
	for {
		b, err := c.Get(ctx, id)
		if err == nil && len(b.Snapshots) >= partNo && b.Snapshots[partNo-1].State == state {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("part %d of backup %s not %s: last %v, error %v", partNo, id, state, b.Snapshots, err)
		case <-time.After(5 * time.Millisecond): // polling interval, not synchronisation
		}
	}
}
