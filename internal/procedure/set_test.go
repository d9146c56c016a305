package procedure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// events is the order in which a set's fakes were called.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) { e.mu.Lock(); e.list = append(e.list, s); e.mu.Unlock() }

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

func (e *events) index(s string) int { return slices.Index(e.all(), s) }

// fakeExporting records pauses and resumes, and whether the resume's context was still
// alive.
type fakeExporting struct {
	ev        *events
	mu        sync.Mutex
	phase     backupapi.ExporterPhase
	resumeErr error
	pauseErr  error
	// resumeCtxErr is the error of the resume's context when it was called.
	resumeCtxErr error
}

func (f *fakeExporting) Pause(_ context.Context, soft bool) error {
	f.ev.add(fmt.Sprintf("pause soft=%v", soft))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phase = backupapi.PhaseSoftPaused
	return f.pauseErr
}

func (f *fakeExporting) Resume(ctx context.Context) error {
	f.ev.add("resume")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resumeCtxErr = ctx.Err()
	if f.resumeErr != nil {
		return f.resumeErr
	}
	f.phase = backupapi.PhaseExporting
	return nil
}

func (f *fakeExporting) Status(context.Context) (map[int]backupapi.ExporterPhase, error) {
	f.ev.add("status")
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.phase
	if p == "" {
		p = backupapi.PhaseExporting
	}
	return map[int]backupapi.ExporterPhase{1: p, 2: p}, nil
}

// fakeZeebe is a two-partition Zeebe with the checkpoint rule.
type fakeZeebe struct {
	ev      *events
	mu      sync.Mutex
	latest  backupapi.ID
	backups map[backupapi.ID]backupapi.RuntimeBackup
	// failPartition fails that partition's backups; conflict answers every take 409.
	failPartition int
	conflict      bool
	// block makes Get of a backup taken wait until the context ends.
	block bool
}

func newFakeZeebe(ev *events) *fakeZeebe {
	return &fakeZeebe{ev: ev, backups: map[backupapi.ID]backupapi.RuntimeBackup{}}
}

func (z *fakeZeebe) Take(_ context.Context, id backupapi.ID) error {
	z.ev.add("zeebe take")
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.conflict || !backupapi.AcceptsCheckpoint(z.latest, id) {
		return backupapi.ZeebeAlreadyExists(id, max(z.latest, id))
	}
	z.latest = id
	var parts []backupapi.PartitionBackup
	for p := 1; p <= 2; p++ {
		pb := backupapi.PartitionBackup{PartitionID: p, State: backupapi.StateCompleted, BrokerVersion: "8.8.0", CreatedAt: time.Now()}
		if p == z.failPartition {
			pb.State, pb.FailureReason = backupapi.StateFailed, "store I/O error"
		}
		parts = append(parts, pb)
	}
	z.backups[id] = backupapi.NewRuntimeBackup(id, parts)
	return nil
}

func (z *fakeZeebe) Get(ctx context.Context, id backupapi.ID) (backupapi.RuntimeBackup, error) {
	z.mu.Lock()
	_, taken := z.backups[id]
	z.mu.Unlock()
	if z.block && taken {
		<-ctx.Done()
		return backupapi.RuntimeBackup{}, ctx.Err()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	b, ok := z.backups[id]
	if !ok {
		return b, backupapi.ZeebeNotFound(id)
	}
	return b, nil
}

func (z *fakeZeebe) List(context.Context, string) ([]backupapi.RuntimeBackup, error) {
	z.ev.add("zeebe list")
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []backupapi.RuntimeBackup
	for _, b := range z.backups {
		out = append(out, b)
	}
	return out, nil
}

func (z *fakeZeebe) Delete(_ context.Context, id backupapi.ID) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	delete(z.backups, id)
	return nil
}

// fakeOptimize completes (or fails) a backup on its second Get.
type fakeOptimize struct {
	ev      *events
	mu      sync.Mutex
	fail    bool
	backups map[backupapi.ID]backupapi.OptimizeBackup
	gets    map[backupapi.ID]int
}

func newFakeOptimize(ev *events) *fakeOptimize {
	return &fakeOptimize{ev: ev, backups: map[backupapi.ID]backupapi.OptimizeBackup{}, gets: map[backupapi.ID]int{}}
}

func (o *fakeOptimize) Take(_ context.Context, id backupapi.ID) error {
	o.ev.add("optimize take")
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.backups[id]; ok {
		return backupapi.OptimizeAlreadyExists(id, nil)
	}
	o.backups[id] = backupapi.NewOptimizeBackup(id, []backupapi.Snapshot{{Name: backupapi.OptimizeSnapshotName(id, "8.8.0", 1), State: backupapi.SnapshotInProgress}})
	return nil
}

func (o *fakeOptimize) Get(_ context.Context, id backupapi.ID) (backupapi.OptimizeBackup, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.backups[id]
	if !ok {
		return b, backupapi.OptimizeNotFound(id)
	}
	o.gets[id]++
	if b.State == backupapi.StateInProgress && o.gets[id] >= 2 {
		second := backupapi.SnapshotSuccess
		if o.fail {
			second = backupapi.SnapshotFailed
		}
		b = backupapi.NewOptimizeBackup(id, []backupapi.Snapshot{
			{Name: backupapi.OptimizeSnapshotName(id, "8.8.0", 1), State: backupapi.SnapshotSuccess},
			{Name: backupapi.OptimizeSnapshotName(id, "8.8.0", 2), State: second},
		})
		o.backups[id] = b
	}
	return b, nil
}

func (o *fakeOptimize) List(context.Context) ([]backupapi.OptimizeBackup, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []backupapi.OptimizeBackup
	for _, b := range o.backups {
		out = append(out, b)
	}
	return out, nil
}

func (o *fakeOptimize) Delete(_ context.Context, id backupapi.ID) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.backups, id)
	return nil
}

// fakeRecords succeeds (or fails) a snapshot at once. Its indices are those of the
// exporter's default prefix: one, or none with noIndices; indicesErr fails their listing.
type fakeRecords struct {
	ev         *events
	mu         sync.Mutex
	state      string
	snaps      map[backupapi.ID]backupapi.Snapshot
	noIndices  bool
	indicesErr error
}

func (r *fakeRecords) Indices() string { return "zeebe-record_*" }

func (r *fakeRecords) MatchingIndices(context.Context) ([]string, error) {
	r.ev.add("records indices")
	if r.indicesErr != nil {
		return nil, r.indicesErr
	}
	if r.noIndices {
		return []string{}, nil
	}
	return []string{"zeebe-record_job_8.8.0_2026-01-01"}, nil
}

func (r *fakeRecords) Start(_ context.Context, id backupapi.ID) error {
	r.ev.add("records start")
	r.mu.Lock()
	defer r.mu.Unlock()
	state := r.state
	if state == "" {
		state = backupapi.SnapshotSuccess
	}
	snap := backupapi.Snapshot{Name: backupapi.ZeebeRecordsSnapshotName(id), State: state, Indices: []string{"zeebe-record_job_8.8.0_2026-01-01"}}
	if r.noIndices {
		snap.Indices = []string{}
	}
	if state == backupapi.SnapshotFailed {
		snap.Failures = []string{"shard zeebe-record-x failed"}
	}
	r.snaps[id] = snap
	return nil
}

func (r *fakeRecords) Get(_ context.Context, id backupapi.ID) (backupapi.Snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.snaps[id]
	if !ok {
		return s, &backupapi.Error{Kind: backupapi.ErrNotFound, Message: "none"}
	}
	return s, nil
}

func (r *fakeRecords) List(context.Context) ([]backupapi.Snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []backupapi.Snapshot
	for _, s := range r.snaps {
		out = append(out, s)
	}
	return out, nil
}

func (r *fakeRecords) Delete(_ context.Context, id backupapi.ID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.snaps, id)
	return nil
}

func (r *fakeRecords) Repository() string { return "records-repo" }

// loggedClient logs the web apps' creates.
type loggedClient struct {
	*fakeClient
	ev *events
}

func (c loggedClient) Create(ctx context.Context, id backupapi.ID) ([]string, error) {
	c.ev.add("webapps create")
	return c.fakeClient.Create(ctx, id)
}

type setFixture struct {
	ev        *events
	web       *fakeClient
	zeebe     *fakeZeebe
	exporting *fakeExporting
	optimize  *fakeOptimize
	records   *fakeRecords
	set       Set
}

func fastPoller() Poller {
	return Poller{Backoff: Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, Fraction: 0.1}, Now: time.Now, Sleep: SleepContext}
}

func newSetFixture() *setFixture {
	ev := &events{}
	f := &setFixture{ev: ev, web: newFakeClient(nil), zeebe: newFakeZeebe(ev), exporting: &fakeExporting{ev: ev},
		optimize: newFakeOptimize(ev), records: &fakeRecords{ev: ev, snaps: map[backupapi.ID]backupapi.Snapshot{}}}
	f.web.getsUntilDone = 1
	f.set = Set{
		Webapp:        Webapp{Client: loggedClient{f.web, ev}, Gate: NewGate(), Poll: fastPoller()},
		Zeebe:         f.zeebe,
		Exporting:     f.exporting,
		Optimize:      f.optimize,
		Records:       f.records,
		Poll:          fastPoller(),
		ResumeRequest: "curl -X POST http://zeebe:9600/actuator/exporting/resume",
		Repository:    "camunda",
	}
	return f
}

// TestSetOrder: the steps run in Camunda's order, exporting paused softly before the first
// and resumed after the last, and every step is reported.
func TestSetOrder(t *testing.T) {
	f := newSetFixture()
	lines, progress := recorder()
	taken, err := f.set.Take(context.Background(), SetOptions{ID: 50, ZeebeRecords: true, Progress: progress})
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	order := []string{"status", "zeebe list", "pause soft=true", "records start", "zeebe take", "resume"}
	prev := -1
	for _, e := range order {
		i := f.ev.index(e)
		if i <= prev {
			t.Fatalf("%q out of order in %q", e, f.ev.all())
		}
		prev = i
	}
	pause, records := f.ev.index("pause soft=true"), f.ev.index("records start")
	for _, e := range []string{"webapps create", "optimize take"} {
		if i := f.ev.index(e); i < pause || i > records {
			t.Errorf("%q not between the pause and the zeebe-record snapshot: %q", e, f.ev.all())
		}
	}
	if err := taken.Set.Restorable(); err != nil || !taken.Resumed {
		t.Errorf("set %+v resumed=%v: %v", taken.Set, taken.Resumed, err)
	}
	if len(taken.Steps) != 4 || taken.Paused <= 0 {
		t.Errorf("steps %+v paused %s", taken.Steps, taken.Paused)
	}
	all := strings.Join(*lines, "\n")
	for _, want := range []string{"exporting soft-paused", "backup 50 completed", "Optimize snapshot finished: SUCCESS", "Optimize's backup completed",
		"zeebe-record snapshot finished: SUCCESS (camunda_zeebe_records_backup_50)", "Zeebe partition 1 finished: COMPLETED",
		"Zeebe partition 2 finished: COMPLETED", "every component completed", "exporting resumed after"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress lacks %q:\n%s", want, all)
		}
	}
}

// TestSetFailures: each failing step stops the later ones, names itself, reports which
// components hold a backup under the id, and leaves exporting resumed.
func TestSetFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     func(*setFixture)
		component backupapi.Component
		later     []string // events that must not happen
		holding   string
	}{
		{"web apps", func(f *setFixture) { f.web.outcome = backupapi.StateFailed }, backupapi.ComponentWebapps,
			[]string{"records start", "zeebe take"}, "webapps (FAILED), optimize (COMPLETED)"},
		{"Optimize", func(f *setFixture) { f.optimize.fail = true }, backupapi.ComponentOptimize,
			[]string{"records start", "zeebe take"}, "webapps (COMPLETED), optimize (FAILED)"},
		{"zeebe-record", func(f *setFixture) { f.records.state = backupapi.SnapshotFailed }, backupapi.ComponentZeebeRecords,
			[]string{"zeebe take"}, "zeebe-records (FAILED)"},
		{"Zeebe partition", func(f *setFixture) { f.zeebe.failPartition = 2 }, backupapi.ComponentZeebe,
			nil, "zeebe (FAILED)"},
		{"Zeebe 409", func(f *setFixture) { f.zeebe.conflict = true }, backupapi.ComponentZeebe,
			nil, "webapps (COMPLETED), optimize (COMPLETED), zeebe-records (COMPLETED); the set is partial"},
		{"pause", func(f *setFixture) { f.exporting.pauseErr = errors.New("partition 2 unreachable") }, "exporting",
			[]string{"webapps create", "zeebe take"}, "no component holds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSetFixture()
			tc.setup(f)
			taken, err := f.set.Take(context.Background(), SetOptions{ID: 60, ZeebeRecords: true})
			var setErr *SetError
			if !errors.As(err, &setErr) || setErr.Component != tc.component {
				t.Fatalf("error %v, want a *SetError at %s", err, tc.component)
			}
			for _, e := range tc.later {
				if f.ev.index(e) >= 0 {
					t.Errorf("%q ran after the failure: %q", e, f.ev.all())
				}
			}
			if all := f.ev.all(); all[len(all)-1] != "resume" || f.exporting.phase != backupapi.PhaseExporting {
				t.Errorf("exporting not resumed last: %q", all)
			}
			if !strings.Contains(err.Error(), tc.holding) || !strings.Contains(err.Error(), "exporting was resumed") {
				t.Errorf("error does not say %q and that exporting was resumed:\n%v", tc.holding, err)
			}
			if taken.Set.Restorable() == nil {
				t.Errorf("a failed set is restorable: %+v", taken.Set)
			}
		})
	}
}

// TestSetRecordsWithoutIndicesRefused: a zeebe-record snapshot that would hold no index,
// or whose indices cannot be listed, is refused before exporting is paused and before any
// component takes a backup.
func TestSetRecordsWithoutIndicesRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*fakeRecords)
		want  []string
		kind  error
	}{
		{"no index", func(r *fakeRecords) { r.noIndices = true },
			[]string{"no index matches zeebe-record_*", "before anything was paused", "zeebe_records_index_prefix"}, backupapi.ErrInvalid},
		{"listing fails", func(r *fakeRecords) {
			r.indicesErr = backupapi.Unavailable(nil, "list the indices: Elasticsearch answered 503")
		}, []string{"looking for the indices of the zeebe-record snapshot (nothing was paused)", "503"}, backupapi.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSetFixture()
			tc.setup(f.records)
			_, err := f.set.Take(context.Background(), SetOptions{ID: 70, ZeebeRecords: true})
			if err == nil || !errors.Is(err, tc.kind) {
				t.Fatalf("error %v, want one of kind %v", err, tc.kind)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q: %v", w, err)
				}
			}
			if got := f.ev.all(); !slices.Equal(got, []string{"records indices"}) {
				t.Errorf("calls %q, want only the listing of the indices", got)
			}
		})
	}
	// Without the snapshot, the indices are not looked for.
	f := newSetFixture()
	f.records.noIndices = true
	if _, err := f.set.Take(context.Background(), SetOptions{ID: 71}); err != nil || f.ev.index("records indices") >= 0 {
		t.Fatalf("Take without the zeebe-record snapshot: %v, calls %q", err, f.ev.all())
	}
}

// TestSetRecordsCheckedOnceTaken: credentials that may not list indices (403) skip the check
// before the pause, and say so; the snapshot is then checked once taken, and one that holds
// no index fails the set at its step (exporting resumed, Zeebe not taken).
func TestSetRecordsCheckedOnceTaken(t *testing.T) {
	for _, empty := range []bool{false, true} {
		t.Run(fmt.Sprintf("empty %v", empty), func(t *testing.T) {
			f := newSetFixture()
			f.records.indicesErr = backupapi.Unauthorized(nil, "list the indices: Elasticsearch answered 403")
			f.records.noIndices = empty
			lines, progress := recorder()
			taken, err := f.set.Take(context.Background(), SetOptions{ID: 80, ZeebeRecords: true, Progress: progress})
			if !strings.Contains(strings.Join(*lines, "\n"), "cannot be listed with these credentials") {
				t.Errorf("the skipped check is not reported: %q", *lines)
			}
			if !empty {
				if err != nil || taken.Set.Restorable() != nil {
					t.Fatalf("Take: %v, set %+v", err, taken.Set)
				}
				return
			}
			var setErr *SetError
			var noRecords *NoRecordsError
			if !errors.As(err, &setErr) || setErr.Component != backupapi.ComponentZeebeRecords || !errors.As(err, &noRecords) || !noRecords.Taken {
				t.Fatalf("error %v, want the zeebe-record step failed for holding no index", err)
			}
			if f.ev.index("zeebe take") >= 0 || f.exporting.phase != backupapi.PhaseExporting || taken.Set.Restorable() == nil {
				t.Errorf("events %q, phase %s, set %+v", f.ev.all(), f.exporting.phase, taken.Set)
			}
		})
	}
}

// TestSetResumeFailureComesFirst: when resuming fails, the error says so first, with the
// request that resumes exporting.
func TestSetResumeFailureComesFirst(t *testing.T) {
	for _, fail := range []bool{false, true} {
		f := newSetFixture()
		f.exporting.resumeErr = errors.New("leader of partition 1 is not known")
		if fail {
			f.zeebe.failPartition = 1
		}
		_, err := f.set.Take(context.Background(), SetOptions{ID: 70})
		if err == nil {
			t.Fatal("a set whose exporting stays paused succeeded")
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "EXPORTING IS STILL PAUSED") || !strings.Contains(msg, "curl -X POST http://zeebe:9600/actuator/exporting/resume") ||
			!strings.Contains(msg, "leader of partition 1 is not known") {
			t.Errorf("step failed=%v: error does not start with the failed resume and its request:\n%s", fail, msg)
		}
		if fail && !strings.Contains(msg, "failed at zeebe") {
			t.Errorf("the step's failure is lost:\n%s", msg)
		}
	}
}

// TestSetCancelledResumes: a run cancelled mid-way resumes exporting on a live context.
func TestSetCancelledResumes(t *testing.T) {
	f := newSetFixture()
	f.zeebe.block = true
	ctx, cancel := context.WithCancel(context.Background())
	_, progress := recorder()
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for f.ev.index("zeebe take") < 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polling interval, not synchronisation
		}
		cancel()
	}()
	_, err := f.set.Take(ctx, SetOptions{ID: 80, Progress: progress})
	var setErr *SetError
	if !errors.As(err, &setErr) || !setErr.Cancelled() || setErr.Component != backupapi.ComponentZeebe {
		t.Fatalf("error %v, want a cancelled *SetError at zeebe", err)
	}
	if f.exporting.phase != backupapi.PhaseExporting || f.exporting.resumeCtxErr != nil {
		t.Errorf("exporting %s, resume context error %v: want resumed on a live context", f.exporting.phase, f.exporting.resumeCtxErr)
	}
}

// TestSetIDRules: a given id Zeebe would refuse is refused before anything is paused, with
// both ids in the message; a default id is greater than the clock and every listed id.
func TestSetIDRules(t *testing.T) {
	f := newSetFixture()
	f.zeebe.latest = 500
	f.zeebe.backups[500] = backupapi.NewRuntimeBackup(500, []backupapi.PartitionBackup{{PartitionID: 1, State: backupapi.StateCompleted}})
	_, err := f.set.Take(context.Background(), SetOptions{ID: 400})
	var refused *IDRefusedError
	if !errors.As(err, &refused) || !errors.Is(err, backupapi.ErrConflict) || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("error %v, want an *IDRefusedError naming 400 and 500", err)
	}
	if f.ev.index("pause soft=true") >= 0 {
		t.Fatalf("paused before refusing the id: %q", f.ev.all())
	}

	future := backupapi.ID(time.Now().Unix() + 1000)
	f.optimize.backups[future] = backupapi.NewOptimizeBackup(future, nil)
	taken, err := f.set.Take(context.Background(), SetOptions{})
	if err != nil {
		t.Fatalf("Take with a new id: %v", err)
	}
	if taken.ID != future+1 {
		t.Errorf("new id %s, want %s (one more than Optimize's largest)", taken.ID, future+1)
	}
}

// TestSetFoundPaused: exporting found paused is reported and left alone, or resumed first
// when asked.
func TestSetFoundPaused(t *testing.T) {
	f := newSetFixture()
	f.exporting.phase = backupapi.PhasePaused
	_, err := f.set.Take(context.Background(), SetOptions{ID: 90})
	var paused *PausedError
	if !errors.As(err, &paused) || !strings.Contains(err.Error(), "partition 1 PAUSED") || !strings.Contains(err.Error(), "curl -X POST") {
		t.Fatalf("error %v, want a *PausedError with the phases and the resume request", err)
	}
	if got := f.ev.all(); !slices.Equal(got, []string{"status"}) {
		t.Fatalf("calls %q, want only the status read", got)
	}
	lines, progress := recorder()
	taken, err := f.set.Take(context.Background(), SetOptions{ID: 90, ResumePaused: true, Progress: progress})
	if err != nil || len(taken.FoundPaused) != 2 {
		t.Fatalf("Take resuming first: %v, found %v", err, taken.FoundPaused)
	}
	if !strings.Contains(strings.Join(*lines, "\n"), "exporting found paused (partition 1 PAUSED, partition 2 PAUSED); resuming it first") {
		t.Errorf("progress does not report the paused cluster:\n%s", strings.Join(*lines, "\n"))
	}
}

// TestSetPartialLeftoversReplaced: the leftovers of a set that failed before Zeebe's step
// (Zeebe never took the id) are deleted before the set is taken again under the id; a
// completed backup without a failed one beside it is never touched.
func TestSetPartialLeftoversReplaced(t *testing.T) {
	f := newSetFixture()
	f.optimize.fail = true
	if _, err := f.set.Take(context.Background(), SetOptions{ID: 100}); err == nil {
		t.Fatal("the first attempt should fail at Optimize")
	}
	f.optimize.fail = false
	lines, progress := recorder()
	taken, err := f.set.Take(context.Background(), SetOptions{ID: 100, Progress: progress})
	if err != nil || !slices.Equal(taken.Replaced, []backupapi.Component{backupapi.ComponentWebapps, backupapi.ComponentOptimize}) {
		t.Fatalf("Take again: %v, replaced %v", err, taken.Replaced)
	}
	if !strings.Contains(strings.Join(*lines, "\n"), "optimize holds a FAILED backup under this id") {
		t.Errorf("the deletion is not reported:\n%s", strings.Join(*lines, "\n"))
	}
	if taken.Set.Restorable() != nil {
		t.Errorf("set 100 taken again: %+v", taken.Set)
	}

	// A web-app backup taken on its own under id 200 is not a failed set's leftover.
	if _, err := f.set.Webapp.Take(context.Background(), 200, TakeOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	_, err = f.set.Take(context.Background(), SetOptions{ID: 200})
	var used *UsedIDError
	if !errors.As(err, &used) || !strings.Contains(err.Error(), "webapps (COMPLETED)") {
		t.Fatalf("error %v, want a *UsedIDError naming the completed web-app backup", err)
	}
	if _, ok := f.web.backups[200]; !ok {
		t.Error("the web-app backup taken on its own was deleted")
	}
}

// TestSetListPruneAndPlan: sets are listed newest first with their state; retention deletes
// whole sets, never the newest restorable one, and removes partial sets older than it; the
// restore plan names every snapshot and the Zeebe step.
func TestSetListPruneAndPlan(t *testing.T) {
	f := newSetFixture()
	ctx := context.Background()
	for _, id := range []backupapi.ID{10, 20, 30} {
		if _, err := f.set.Take(ctx, SetOptions{ID: id, ZeebeRecords: true}); err != nil {
			t.Fatal(err)
		}
	}
	f.zeebe.failPartition = 1
	if _, err := f.set.Take(ctx, SetOptions{ID: 25}); err == nil {
		t.Fatal("want a failure") // refused: 25 < 30
	}
	if _, err := f.set.Take(ctx, SetOptions{ID: 40, ZeebeRecords: true}); err == nil {
		t.Fatal("want a failure at Zeebe")
	}
	list, err := f.set.List(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []backupapi.ID
	for _, s := range list.Sets {
		ids = append(ids, s.Set.ID)
	}
	if !slices.Equal(ids, []backupapi.ID{40, 30, 20, 10}) || list.LatestRestorable != 30 || list.Sets[0].Restorable {
		t.Fatalf("list %v latest %s, first restorable %v", ids, list.LatestRestorable, list.Sets[0].Restorable)
	}
	plan, err := f.set.RestorePlan(ctx, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range plan.Snapshots {
		names = append(names, s.Repository+"/"+s.Name)
	}
	want := []string{"camunda/camunda_webapps_30_8.8.0_part_1_of_2", "camunda/camunda_webapps_30_8.8.0_part_2_of_2",
		"camunda/camunda_optimize_30_8.8.0_part_1_of_2", "camunda/camunda_optimize_30_8.8.0_part_2_of_2", "records-repo/camunda_zeebe_records_backup_30"}
	if !slices.Equal(names, want) || plan.CamundaVersion != "8.8.0" || plan.OptimizeVersion != "8.8.0" || plan.Partitions != 2 ||
		plan.ZeebeRestore != "bin/restore --backupId=30" || !plan.Restorable {
		t.Fatalf("plan %+v\nsnapshots %q", plan, names)
	}

	deleted, err := f.set.Prune(ctx, backupapi.Retention{KeepLast: 1}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, []backupapi.ID{20, 10}) {
		t.Fatalf("pruned %v, want [20 10]", deleted)
	}
	if _, ok := f.optimize.backups[20]; ok {
		t.Error("Optimize's backup of pruned set 20 is still there")
	}
	if _, ok := f.records.snaps[10]; ok {
		t.Error("the zeebe-record snapshot of pruned set 10 is still there")
	}
	if _, ok := f.zeebe.backups[30]; !ok {
		t.Error("the newest restorable set lost its Zeebe backup")
	}
}
