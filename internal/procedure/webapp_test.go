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

// fakeClient is a backupapi.Client whose backups complete, fail or stay running as a test
// says, with a clock that moves only when the poller sleeps.
type fakeClient struct {
	mu sync.Mutex
	// backups by id; a backup's state is what Get reports.
	backups map[backupapi.ID]backupapi.Backup
	// runningFor is how many Create calls answer "another backup is running".
	runningFor int
	// outcome is the state a created backup reaches after getsUntilDone Get calls.
	outcome       backupapi.State
	getsUntilDone int
	gets          map[backupapi.ID]int
	creates       int
	deletes       []backupapi.ID
	clock         *fakeClock
}

func newFakeClient(clock *fakeClock) *fakeClient {
	return &fakeClient{backups: map[backupapi.ID]backupapi.Backup{}, gets: map[backupapi.ID]int{},
		outcome: backupapi.StateCompleted, getsUntilDone: 2, clock: clock}
}

func part(id backupapi.ID, no, count int, state string) backupapi.Snapshot {
	m := backupapi.Metadata{BackupID: id, Version: "8.8.0", PartNo: no, PartCount: count}
	return backupapi.Snapshot{Name: m.SnapshotName(), State: state, Metadata: m}
}

func (c *fakeClient) Create(_ context.Context, id backupapi.ID) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creates++
	if c.runningFor > 0 {
		c.runningFor--
		return nil, &backupapi.Error{Kind: backupapi.ErrBackupRunning, Message: "running"}
	}
	if _, ok := c.backups[id]; ok {
		return nil, backupapi.AlreadyExists(id, nil)
	}
	c.backups[id] = backupapi.Backup{ID: id, State: backupapi.StateInProgress,
		Snapshots: []backupapi.Snapshot{part(id, 1, 2, backupapi.SnapshotInProgress)}}
	return []string{part(id, 1, 2, "").Name, part(id, 2, 2, "").Name}, nil
}

func (c *fakeClient) Get(_ context.Context, id backupapi.ID) (backupapi.Backup, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.backups[id]
	if !ok {
		return b, &backupapi.Error{Kind: backupapi.ErrNotFound, Message: "not found"}
	}
	if b.State == backupapi.StateInProgress {
		c.gets[id]++
		if c.gets[id] >= c.getsUntilDone {
			state := backupapi.SnapshotSuccess
			if c.outcome == backupapi.StateFailed {
				state = backupapi.SnapshotFailed
			}
			b = backupapi.Backup{ID: id, State: c.outcome, Snapshots: []backupapi.Snapshot{
				part(id, 1, 2, backupapi.SnapshotSuccess), part(id, 2, 2, state)}}
			if c.outcome == backupapi.StateFailed {
				b.Snapshots[1].Failures = []string{"disk full"}
			}
			c.backups[id] = b
		}
	}
	return b, nil
}

func (c *fakeClient) List(context.Context, backupapi.ListOptions) ([]backupapi.Backup, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []backupapi.Backup
	for _, b := range c.backups {
		out = append(out, b)
	}
	backupapi.SortNewestFirst(out)
	return out, nil
}

func (c *fakeClient) Delete(_ context.Context, id backupapi.ID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.backups[id]; !ok {
		return &backupapi.Error{Kind: backupapi.ErrNotFound, Message: "not found"}
	}
	delete(c.backups, id)
	c.deletes = append(c.deletes, id)
	return nil
}

// lockedClock is a fakeClock safe for concurrent procedures.
type lockedClock struct {
	mu sync.Mutex
	fakeClock
}

func newWebapp(c *fakeClient, clock *fakeClock) Webapp {
	p := DefaultPoller()
	p.Now, p.Sleep = clock.now, clock.sleep
	return Webapp{Client: c, Gate: NewGate(), Poll: p}
}

func recorder() (*[]string, Progress) {
	var lines []string
	var mu sync.Mutex
	return &lines, func(msg string) { mu.Lock(); lines = append(lines, msg); mu.Unlock() }
}

func TestTakeCompletes(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c := newFakeClient(clock)
	lines, progress := recorder()
	taken, err := newWebapp(c, clock).Take(context.Background(), 7, TakeOptions{Wait: true, Progress: progress})
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	if taken.Backup.State != backupapi.StateCompleted || len(taken.Scheduled) != 2 {
		t.Errorf("Take = %+v, want a COMPLETED backup with 2 scheduled parts", taken)
	}
	want := []string{"backup 7 started: 2 parts scheduled", "part 1 of 2 finished: SUCCESS", "part 2 of 2 finished: SUCCESS", "backup 7 completed"}
	if got := strings.Join(*lines, "\n"); !containsInOrder(got, want) {
		t.Errorf("progress:\n%s\nwant in order: %q", got, want)
	}
}

func TestTakeWaitsForARunningBackup(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c := newFakeClient(clock)
	c.runningFor = 5
	lines, progress := recorder()
	_, err := newWebapp(c, clock).Take(context.Background(), 7, TakeOptions{Wait: true, Progress: progress})
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	if c.creates != 6 {
		t.Errorf("Create called %d times, want 6 (5 refusals, then the backup)", c.creates)
	}
	if n := strings.Count(strings.Join(*lines, "\n"), "another backup is running"); n != 1 {
		t.Errorf("the wait was reported %d times, want once", n)
	}
}

func TestTakeGivesUpWaitingAtTheDeadline(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0), deadline: time.Unix(1_800_000_000, 0).Add(time.Minute)}
	c := newFakeClient(clock)
	c.runningFor = 1 << 30
	_, err := newWebapp(c, clock).Take(context.Background(), 7, TakeOptions{Wait: true})
	var timeout *TimeoutError
	if !errors.As(err, &timeout) || !strings.Contains(err.Error(), "running backup to finish") {
		t.Fatalf("Take = %v, want a TimeoutError about the running backup", err)
	}
}

func TestTakeFailure(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c := newFakeClient(clock)
	c.outcome = backupapi.StateFailed
	_, err := newWebapp(c, clock).Take(context.Background(), 7, TakeOptions{Wait: true})
	var failed *FailedError
	if !errors.As(err, &failed) {
		t.Fatalf("Take = %v, want a FailedError", err)
	}
	for _, want := range []string{"ended FAILED", "part_2_of_2: FAILED", "disk full"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestTakeReplacesOnlyBrokenBackups(t *testing.T) {
	for _, tc := range []struct {
		old      backupapi.State
		replaced bool
	}{
		{backupapi.StateIncomplete, true},
		{backupapi.StateFailed, true},
		{backupapi.StateCompleted, false},
		{backupapi.StateIncompatible, false},
		{backupapi.StateInProgress, false},
	} {

		t.Run(string(tc.old), func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
			c := newFakeClient(clock)
			c.backups[7] = backupapi.Backup{ID: 7, State: tc.old, Snapshots: []backupapi.Snapshot{part(7, 1, 2, backupapi.SnapshotSuccess)}}
			if tc.old == backupapi.StateInProgress {
				c.gets[7] = -1 << 30 // it stays so
			}
			lines, progress := recorder()
			taken, err := newWebapp(c, clock).Take(context.Background(), 7, TakeOptions{Wait: true, Progress: progress})
			if !tc.replaced {
				if !errors.Is(err, backupapi.ErrAlreadyExists) || len(c.deletes) != 0 {
					t.Fatalf("Take = %v after deleting %v, want ErrAlreadyExists and nothing deleted", err, c.deletes)
				}
				return
			}
			if err != nil || taken.Replaced == nil || taken.Replaced.State != tc.old {
				t.Fatalf("Take = %+v, %v; want the %s backup replaced", taken, err, tc.old)
			}
			if !strings.Contains(strings.Join(*lines, "\n"), "cannot be restored; deleting") {
				t.Errorf("the replacement was not reported: %q", *lines)
			}
		})
	}
}

// TestTakeAdoptsWhatStandsUnderTheID: with Adopt, a backup that stands under the id and is
// not broken is taken as it is and followed (never deleted, never taken again); a broken one
// is still replaced.
func TestTakeAdoptsWhatStandsUnderTheID(t *testing.T) {
	for _, tc := range []struct {
		old          backupapi.State
		onlyFinished bool // AdoptOnlyFinished
		adopted      bool
		want         backupapi.State // the state Take ends with
		wantFail     bool
	}{
		{old: backupapi.StateInProgress, onlyFinished: true, adopted: false, want: backupapi.StateCompleted},
		{old: backupapi.StateCompleted, onlyFinished: true, adopted: true, want: backupapi.StateCompleted},
		{old: backupapi.StateCompleted, adopted: true, want: backupapi.StateCompleted},
		{old: backupapi.StateInProgress, adopted: true, want: backupapi.StateCompleted},
		{old: backupapi.StateIncompatible, adopted: true, want: backupapi.StateIncompatible, wantFail: true},
		{old: backupapi.StateFailed, adopted: false, want: backupapi.StateCompleted},
	} {
		t.Run(fmt.Sprintf("%s only finished %v", tc.old, tc.onlyFinished), func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
			c := newFakeClient(clock)
			c.backups[7] = backupapi.Backup{ID: 7, State: tc.old, Snapshots: []backupapi.Snapshot{part(7, 1, 2, backupapi.SnapshotSuccess)}}
			lines, progress := recorder()
			taken, err := newWebapp(c, clock).Take(context.Background(), 7,
				TakeOptions{Wait: true, Progress: progress, Adopt: true, AdoptOnlyFinished: tc.onlyFinished})
			var failed *FailedError
			if tc.wantFail != errors.As(err, &failed) || (!tc.wantFail && err != nil) {
				t.Fatalf("Take: %v, want a failure: %v", err, tc.wantFail)
			}
			if taken.Adopted != tc.adopted || taken.Backup.State != tc.want {
				t.Fatalf("adopted %v, state %s; want %v, %s", taken.Adopted, taken.Backup.State, tc.adopted, tc.want)
			}
			if tc.adopted && (len(c.deletes) != 0 || !slices.Equal(taken.Scheduled, []string{part(7, 1, 2, "").Name})) {
				t.Errorf("adopted backup deleted %v, scheduled %q", c.deletes, taken.Scheduled)
			}
			if tc.adopted && !strings.Contains(strings.Join(*lines, "\n"), "already stood under this id") {
				t.Errorf("the adoption was not reported: %q", *lines)
			}
			if !tc.adopted && (taken.Replaced == nil || len(c.deletes) != 1) {
				t.Errorf("the broken backup was not replaced: %+v, deleted %v", taken, c.deletes)
			}
		})
	}
}

// TestGateSerialisesBackups starts backups concurrently through one gate: the backend never
// sees two at once, so none is refused as "another backup is running".
func TestGateSerialisesBackups(t *testing.T) {
	clock := &lockedClock{fakeClock: fakeClock{t: time.Unix(1_800_000_000, 0)}}
	c := &serialClient{fakeClient: newFakeClient(&clock.fakeClock)}
	w := newWebapp(c.fakeClient, &clock.fakeClock)
	w.Client = c
	w.Poll.Now = clock.now
	w.Poll.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = w.Take(context.Background(), backupapi.ID(i+1), TakeOptions{Wait: true})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("backup %d: %v", i+1, err)
		}
	}
	if c.overlaps > 0 {
		t.Errorf("%d creates overlapped a running backup", c.overlaps)
	}
}

func (c *lockedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// serialClient counts creates that arrive while another backup is still running.
type serialClient struct {
	*fakeClient
	running  bool
	overlaps int
}

func (c *serialClient) Create(ctx context.Context, id backupapi.ID) ([]string, error) {
	c.mu.Lock()
	if c.running {
		c.overlaps++
	}
	c.running = true
	c.mu.Unlock()
	return c.fakeClient.Create(ctx, id)
}

func (c *serialClient) Get(ctx context.Context, id backupapi.ID) (backupapi.Backup, error) {
	b, err := c.fakeClient.Get(ctx, id)
	if err == nil && b.State.Terminal() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}
	return b, err
}

func TestNeverRestorable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state backupapi.State
		parts []backupapi.Snapshot
		want  bool
	}{
		{"failed", backupapi.StateFailed, nil, true},
		{"incomplete", backupapi.StateIncomplete, nil, true},
		{"completed", backupapi.StateCompleted, nil, false},
		{"incompatible", backupapi.StateIncompatible, nil, false},
		{"running part", backupapi.StateInProgress, []backupapi.Snapshot{part(7, 1, 3, "SUCCESS"), part(7, 2, 3, "IN_PROGRESS")}, false},
		{"between parts", backupapi.StateInProgress, []backupapi.Snapshot{part(7, 1, 3, "SUCCESS"), part(7, 2, 3, "SUCCESS")}, false},
		{"a part in the middle deleted", backupapi.StateInProgress, []backupapi.Snapshot{part(7, 1, 3, "SUCCESS"), part(7, 3, 3, "SUCCESS")}, true},
	} {
		if got := neverRestorable(backupapi.Backup{ID: 7, State: tc.state, Snapshots: tc.parts}); got != tc.want {
			t.Errorf("%s: neverRestorable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNewID(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c := newFakeClient(clock)
	w := newWebapp(c, clock)
	if id, err := w.NewID(context.Background()); err != nil || id != 1_800_000_000 {
		t.Errorf("NewID on an empty backend = %d, %v; want the clock's 1800000000", id, err)
	}
	c.backups[2_000_000_000] = backupapi.Backup{ID: 2_000_000_000, State: backupapi.StateCompleted}
	if id, err := w.NewID(context.Background()); err != nil || id != 2_000_000_001 {
		t.Errorf("NewID after a larger id = %d, %v; want 2000000001", id, err)
	}
}

func TestPruneDeletesWhatThePolicyDoesNotKeep(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c := newFakeClient(clock)
	for _, id := range []backupapi.ID{1, 2, 3, 4} {
		c.backups[id] = backupapi.Backup{ID: id, State: backupapi.StateCompleted}
	}
	c.backups[5] = backupapi.Backup{ID: 5, State: backupapi.StateInProgress}
	c.gets[5] = -1 << 30
	lines, progress := recorder()
	deleted, err := newWebapp(c, clock).Prune(context.Background(), backupapi.Retention{KeepLast: 2}, progress)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, []backupapi.ID{2, 1}) {
		t.Errorf("deleted %v, want [2 1]", deleted)
	}
	if len(*lines) != 2 {
		t.Errorf("progress %q, want one line per deletion", *lines)
	}
}

func containsInOrder(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
