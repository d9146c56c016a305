package procedure_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// camunda is the reference server (web apps, emulated Zeebe and Optimize, embedded
// Elasticsearch) in the test process, and the set procedure over its APIs.
type camunda struct {
	srv       *server.Server
	set       procedure.Set
	exporting *actuator.ExportingClient
}

// startCamunda starts the reference server with an index the legacy exporter would write.
func startCamunda(t testing.TB, edits ...func(*server.Config)) *camunda {
	t.Helper()
	cfg := server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), SeedDocuments: 5, SnapshotDelay: 5 * time.Millisecond,
		OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: 20 * time.Millisecond, Partitions: 3,
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	srv, err := server.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start the reference server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("stop the reference server: %v", err)
		}
	})
	req, _ := http.NewRequest(http.MethodPut, srv.ElasticsearchURL()+"/zeebe-record_job_8.8.0_2026-01-01", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("create a zeebe-record index: %v %v", err, res)
	}
	res.Body.Close()

	acfg := actuator.Config{URL: srv.URL()}
	web, err := actuator.New(acfg)
	if err != nil {
		t.Fatal(err)
	}
	zeebe, err := actuator.NewZeebe(acfg)
	if err != nil {
		t.Fatal(err)
	}
	exporting, err := actuator.NewExporting(acfg)
	if err != nil {
		t.Fatal(err)
	}
	optimize, err := actuator.NewOptimize(actuator.Config{URL: srv.OptimizeURL()})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := records.New(records.Config{ES: esclient.Config{Addresses: []string{srv.ElasticsearchURL()}}, Repository: server.DefaultRepository})
	if err != nil {
		t.Fatal(err)
	}
	poll := procedure.Poller{Backoff: procedure.Backoff{Min: 2 * time.Millisecond, Max: 20 * time.Millisecond, Fraction: 0.05}, Now: time.Now, Sleep: procedure.SleepContext}
	return &camunda{srv: srv, exporting: exporting, set: procedure.Set{
		Webapp: procedure.Webapp{Client: web, Gate: procedure.NewGate(), Poll: poll},
		Zeebe:  zeebe, Exporting: exporting, Optimize: optimize, Records: rec, Poll: poll,
		Repository: server.DefaultRepository, ResumeRequest: "curl -X POST " + srv.URL() + "/actuator/exporting/resume",
	}}
}

// exportingResumed fails the test unless every partition exports.
func (c *camunda) exportingResumed(t *testing.T) {
	t.Helper()
	phases, err := c.exporting.Status(context.Background())
	if err != nil {
		t.Fatalf("exporting status: %v", err)
	}
	for p, ph := range phases {
		if ph != backupapi.PhaseExporting {
			t.Errorf("partition %d is %s after the backup, want EXPORTING", p, ph)
		}
	}
}

// TestSetOnReferenceServer takes whole sets on the reference server: one completes with one
// id across every component; each failing component stops the set, leaves exporting resumed
// and the set not restorable.
func TestSetOnReferenceServer(t *testing.T) {
	c := startCamunda(t)
	ctx := context.Background()
	var mu sync.Mutex
	var lines []string
	progress := func(m string) { mu.Lock(); lines = append(lines, m); mu.Unlock() }
	taken, err := c.set.Take(ctx, procedure.SetOptions{ID: 1000, ZeebeRecords: true, Progress: progress})
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	c.exportingResumed(t)
	info, err := c.set.Get(ctx, 1000, true)
	if err != nil || !info.Restorable {
		t.Fatalf("set 1000: %+v %v", info.Set, err)
	}
	if len(taken.Zeebe.Details) != 3 || taken.Optimize.State != backupapi.StateCompleted || taken.Records.State != backupapi.SnapshotSuccess {
		t.Errorf("taken %+v", taken)
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"exporting soft-paused", "part 1 of", "Optimize snapshot finished: SUCCESS", "zeebe-record snapshot finished",
		"Zeebe partition 3 finished: COMPLETED", "exporting resumed"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress lacks %q:\n%s", want, all)
		}
	}

	es := c.srv.Emulator().Faults()
	for _, tc := range []struct {
		name      string
		id        backupapi.ID
		inject    func()
		component backupapi.Component
	}{
		{"web apps", 1010, func() { es.FailSnapshots("camunda_webapps_1010_*", "FAILED", "disk full") }, backupapi.ComponentWebapps},
		{"Optimize", 1020, func() { es.FailSnapshots("camunda_optimize_1020_*", "FAILED", "disk full") }, backupapi.ComponentOptimize},
		{"zeebe-record", 1030, func() { es.FailSnapshots("camunda_zeebe_records_backup_1030", "FAILED", "disk full") }, backupapi.ComponentZeebeRecords},
		{"Zeebe partition", 1040, func() { c.srv.Faults().Set(server.FaultSettings{FailPartitions: map[int]string{2: "store I/O error"}}) }, backupapi.ComponentZeebe},
		// Zeebe answers 409 at its step (here: scaling, which uses the id up).
		{"Zeebe 409", 1050, func() { c.srv.Faults().Set(server.FaultSettings{ZeebeScaling: true}) }, backupapi.ComponentZeebe},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.inject()
			t.Cleanup(func() { es.Reset(); c.srv.Faults().Reset() })
			_, err := c.set.Take(ctx, procedure.SetOptions{ID: tc.id, ZeebeRecords: true})
			var setErr *procedure.SetError
			if !errors.As(err, &setErr) || setErr.Component != tc.component || setErr.ResumeErr != nil {
				t.Fatalf("error %v, want a *SetError at %s with exporting resumed", err, tc.component)
			}
			c.exportingResumed(t)
			info, err := c.set.Get(ctx, tc.id, true)
			if err != nil || info.Restorable {
				t.Fatalf("set %s restorable=%v (%v), want not restorable", tc.id, info.Restorable, err)
			}
		})
	}

	list, err := c.set.List(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if list.LatestRestorable != 1000 || list.Sets[0].Set.ID != 1050 {
		t.Fatalf("latest restorable %s, newest %s", list.LatestRestorable, list.Sets[0].Set.ID)
	}
}

// TestSetRefusedAndPausedOnReferenceServer: an id Zeebe would refuse is refused with
// exporting never paused; a cluster found paused is reported, or resumed first when asked;
// a run cancelled mid-way leaves exporting resumed.
func TestSetRefusedAndPausedOnReferenceServer(t *testing.T) {
	c := startCamunda(t)
	ctx := context.Background()
	if _, err := c.set.Take(ctx, procedure.SetOptions{ID: 2000}); err != nil {
		t.Fatal(err)
	}
	_, err := c.set.Take(ctx, procedure.SetOptions{ID: 1999})
	var refused *procedure.IDRefusedError
	if !errors.As(err, &refused) || refused.Latest != 2000 {
		t.Fatalf("error %v, want an *IDRefusedError naming 2000", err)
	}
	c.exportingResumed(t)

	if err := c.exporting.Pause(ctx, true); err != nil {
		t.Fatal(err)
	}
	_, err = c.set.Take(ctx, procedure.SetOptions{ID: 2001})
	var paused *procedure.PausedError
	if !errors.As(err, &paused) || len(paused.Phases) != 3 {
		t.Fatalf("error %v, want a *PausedError over 3 partitions", err)
	}
	if phases, _ := c.exporting.Status(ctx); phases[1] != backupapi.PhaseSoftPaused {
		t.Fatalf("a refused run changed exporting: %v", phases)
	}
	if _, err := c.set.Take(ctx, procedure.SetOptions{ID: 2001, ResumePaused: true}); err != nil {
		t.Fatalf("Take resuming first: %v", err)
	}
	c.exportingResumed(t)

	es := c.srv.Emulator().Faults()
	es.HoldSnapshots("camunda_webapps_2002_*")
	t.Cleanup(es.Reset)
	cctx, cancel := context.WithCancel(ctx)
	started := make(chan struct{})
	var once sync.Once
	go func() {
		<-started
		cancel()
	}()
	_, err = c.set.Take(cctx, procedure.SetOptions{ID: 2002, Progress: func(m string) {
		if strings.Contains(m, "2002 started") {
			once.Do(func() { close(started) })
		}
	}})
	var setErr *procedure.SetError
	if !errors.As(err, &setErr) || !setErr.Cancelled() || setErr.ResumeErr != nil {
		t.Fatalf("error %v, want a cancelled *SetError with exporting resumed", err)
	}
	c.exportingResumed(t)
	// Let the web applications' backup that was left running finish, so that the server
	// stops at once.
	es.Reset()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := c.set.Webapp.Client.Get(ctx, 2002)
		if err == nil && b.State.Terminal() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backup 2002 did not finish: %v %v", b.State, err)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestSetRetentionOnReferenceServer: retention deletes every component's backup of a set
// together and keeps the newest restorable set.
func TestSetRetentionOnReferenceServer(t *testing.T) {
	c := startCamunda(t)
	ctx := context.Background()
	for _, id := range []backupapi.ID{3000, 3001, 3002} {
		if _, err := c.set.Take(ctx, procedure.SetOptions{ID: id, ZeebeRecords: true}); err != nil {
			t.Fatal(err)
		}
	}
	deleted, err := c.set.Prune(ctx, backupapi.Retention{KeepLast: 1}, true, nil, 3002)
	if err != nil || len(deleted) != 2 {
		t.Fatalf("Prune: %v %v", deleted, err)
	}
	list, err := c.set.List(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Sets) != 1 || list.Sets[0].Set.ID != 3002 || !list.Sets[0].Restorable {
		t.Fatalf("after retention: %+v", list)
	}
}
