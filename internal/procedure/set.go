package procedure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// RecordsSnapshots takes and reads the Elasticsearch snapshots of the zeebe-record indices,
// one per backup id, named backupapi.ZeebeRecordsSnapshotName(id). Camunda has no API for
// them: they are plain snapshots in the repository.
type RecordsSnapshots interface {
	// Start starts the snapshot of id (Indices, no global state) without waiting for it; a
	// snapshot of that name that exists already is an error.
	Start(ctx context.Context, id backupapi.ID) error
	// Indices is the index expression of the snapshot, e.g. "zeebe-record_*": what the legacy
	// Elasticsearch exporter writes, by its index prefix.
	Indices() string
	// MatchingIndices returns the indices the snapshot would hold now.
	MatchingIndices(ctx context.Context) ([]string, error)
	// Get returns the snapshot of id; ErrNotFound when there is none.
	Get(ctx context.Context, id backupapi.ID) (backupapi.Snapshot, error)
	// List returns every zeebe-record snapshot of the repository, in any order.
	List(ctx context.Context) ([]backupapi.Snapshot, error)
	// Delete deletes the snapshot of id; none is no error.
	Delete(ctx context.Context, id backupapi.ID) error
	// Repository is the snapshot repository the snapshots are in.
	Repository() string
}

var recordsName = regexp.MustCompile(`^camunda_zeebe_records_backup_(\d+)$`)

// ParseRecordsSnapshotID returns the backup id of a zeebe-record snapshot name; ok is false
// for any other name.
func ParseRecordsSnapshotID(name string) (backupapi.ID, bool) {
	m := recordsName.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return backupapi.ID(n), true
}

// DefaultResumeTimeout bounds resuming exporting at the end of a set, on a context of its
// own: the caller's may be cancelled or expired by then.
const DefaultResumeTimeout = 2 * time.Minute

// zeebeNotSeenLimit is how long a Zeebe backup just taken may stay unknown (404, or
// INCOMPLETE while some partitions have not written their manifest yet) before it counts.
const zeebeNotSeenLimit = time.Minute

// SetPoller is the poller of a whole backup: exporting stays paused while the set runs, so
// each step's end is seen soon (at most 25 ms, or 3 % of the step's time, capped at 5 s,
// after it), at the price of one GET per look.
func SetPoller() Poller {
	return Poller{Backoff: Backoff{Min: 25 * time.Millisecond, Max: 5 * time.Second, Fraction: 0.03}, Now: time.Now, Sleep: SleepContext}
}

// Set runs Camunda 8.8's procedure for a whole backup: web applications, Optimize (when
// deployed), the zeebe-record snapshot (when asked) and Zeebe, under one id, with exporting
// soft-paused for the duration and resumed on every path.
type Set struct {
	// Webapp takes the web applications' part (its Client, Gate and Poll are used).
	Webapp Webapp
	// Zeebe is Zeebe's runtime backup API; Exporting its exporting control.
	Zeebe     backupapi.ZeebeBackups
	Exporting backupapi.Exporting
	// Optimize is Optimize's backup API; nil when Optimize is not deployed (no Optimize part).
	Optimize backupapi.OptimizeBackups
	// Records takes the zeebe-record snapshot; nil when there is no Elasticsearch access
	// (a set that asks for the snapshot is then refused before anything is paused).
	Records RecordsSnapshots
	// Poll follows each component.
	Poll Poller
	// Repository is the snapshot repository of the web applications and Optimize, for
	// restore plans; may be empty when unknown.
	Repository string
	// ResumeRequest is the request that resumes exporting by hand, quoted when resuming
	// fails, e.g. "curl -X POST http://zeebe:9600/actuator/exporting/resume".
	ResumeRequest string
	// ResumeTimeout bounds resuming exporting; 0: DefaultResumeTimeout.
	ResumeTimeout time.Duration
}

// SetOptions tune Set.Take.
type SetOptions struct {
	// ID is the backup id; 0 chooses a new one (NewID).
	ID backupapi.ID
	// ZeebeRecords takes the zeebe-record snapshot (needed while Optimize reads the legacy
	// exporter's indices).
	ZeebeRecords bool
	// ResumePaused resumes exporting found paused before the backup (left so by an earlier
	// run, or by an operator). Without it such a cluster is reported and nothing is done.
	ResumePaused bool
	// Progress receives one line per step as it finishes; may be nil. It may be called
	// from several goroutines, one call at a time.
	Progress Progress
}

// StepTime is when one step of a set ran.
type StepTime struct {
	Component  backupapi.Component
	Start, End time.Time
}

// Duration is how long the step ran.
func (s StepTime) Duration() time.Duration { return s.End.Sub(s.Start) }

// SetTaken is the outcome of Set.Take, also when it failed.
type SetTaken struct {
	ID backupapi.ID
	// Set is the last state seen of each component of the set, in the procedure's order.
	Set backupapi.BackupSet
	// Webapp is the web applications' part; Optimize, Records and Zeebe the last state seen
	// of the others (zero when not reached).
	Webapp   Taken
	Optimize backupapi.OptimizeBackup
	Records  backupapi.Snapshot
	Zeebe    backupapi.RuntimeBackup
	// FoundPaused are the partitions found paused before the backup, with their phase.
	FoundPaused map[int]backupapi.ExporterPhase
	// Replaced are the components whose broken backup under the id was deleted first.
	Replaced []backupapi.Component
	// Steps are the steps that ran, in the order they started; Paused is how long exporting
	// stayed paused (from the pause request to the end of the resume request).
	Steps  []StepTime
	Paused time.Duration
	// Resumed is true when exporting was resumed after the backup.
	Resumed bool
}

// Holding lists the components that hold a backup under the id (any state but
// DOES_NOT_EXIST), in the procedure's order.
func (t SetTaken) Holding() []backupapi.ComponentBackup {
	var out []backupapi.ComponentBackup
	for _, c := range t.Set.Components {
		if c.State != backupapi.StateDoesNotExist {
			out = append(out, c)
		}
	}
	return out
}

// SetError is a set that did not complete: the step that failed (or was cut short), why,
// which components hold a backup under the id, and whether exporting is still paused.
type SetError struct {
	ID backupapi.ID
	// Component is the step that failed; empty when every step succeeded and only resuming
	// exporting failed.
	Component backupapi.Component
	Err       error
	// Holding are the components that hold a backup under the id.
	Holding []backupapi.ComponentBackup
	// ResumeErr is the failure to resume exporting; ResumeRequest the request that resumes
	// it by hand.
	ResumeErr     error
	ResumeRequest string
}

// Error puts a failed resume first (the cluster's disk fills while exporting stays paused),
// then the failed step and the partial set.
func (e *SetError) Error() string {
	var b strings.Builder
	if e.ResumeErr != nil {
		fmt.Fprintf(&b, "EXPORTING IS STILL PAUSED: resuming it failed: %v. Resume it now (a soft-paused exporter blocks log compaction until the brokers' disks fill): %s\n",
			e.ResumeErr, e.ResumeRequest)
	}
	if e.Component == "" {
		fmt.Fprintf(&b, "backup %s: every component completed, but exporting was not resumed", e.ID)
		return b.String()
	}
	fmt.Fprintf(&b, "backup %s failed at %s: %v", e.ID, e.Component, e.Err)
	if e.ResumeErr == nil {
		b.WriteString("\nexporting was resumed")
	}
	if len(e.Holding) == 0 {
		b.WriteString("\nno component holds a backup under this id")
	} else {
		parts := make([]string, len(e.Holding))
		for i, c := range e.Holding {
			parts[i] = fmt.Sprintf("%s (%s)", c.Component, c.State)
		}
		fmt.Fprintf(&b, "\ncomponents holding a backup under id %s: %s; the set is partial and cannot be restored; take a new backup with a greater id", e.ID, strings.Join(parts, ", "))
	}
	return b.String()
}

// Unwrap returns the step's error.
func (e *SetError) Unwrap() error { return e.Err }

// Cancelled reports whether the step was cut short by the context (timeout or interruption).
func (e *SetError) Cancelled() bool {
	return errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded)
}

// IDRefusedError is a given id that Zeebe would refuse: not greater than its largest backup
// id. It is found before anything is paused. It matches backupapi.ErrConflict.
type IDRefusedError struct {
	ID, Latest backupapi.ID
}

func (e *IDRefusedError) Error() string {
	return fmt.Sprintf("backup id %s is refused before anything was paused: Zeebe's largest backup id is %s, and Zeebe takes only ids greater than every id it used (completed, failed or deleted); choose an id greater than %s, or leave the id out to get one",
		e.ID, e.Latest, e.Latest)
}

// Is makes the error match backupapi.ErrConflict.
func (e *IDRefusedError) Is(target error) bool { return target == backupapi.ErrConflict }

// NoRecordsError is a zeebe-record snapshot asked for when no index matches its expression:
// the snapshot would succeed empty. Nothing was changed.
type NoRecordsError struct {
	// Indices is the snapshot's index expression.
	Indices string
	// Taken is true when the snapshot was taken and holds no index (the indices could not
	// be listed beforehand).
	Taken bool
}

func (e *NoRecordsError) Error() string {
	if e.Taken {
		return fmt.Sprintf("the zeebe-record snapshot holds no index: none matched %s, so the set cannot be restored with the "+
			"legacy exporter's records. If that exporter writes under another index prefix (its index.prefix), give it as "+
			"zeebe_records_index_prefix in the provider's elasticsearch block; if it is not deployed, take the backup without "+
			"the zeebe-record snapshot", e.Indices)
	}
	return fmt.Sprintf("no index matches %s, so the zeebe-record snapshot would hold nothing; the backup stopped before anything was paused. "+
		"The snapshot is of the legacy Elasticsearch exporter's indices, which Optimize reads: if that exporter writes under another "+
		"index prefix (its index.prefix), give it as zeebe_records_index_prefix in the provider's elasticsearch block; if it is not "+
		"deployed, take the backup without the zeebe-record snapshot", e.Indices)
}

// Is makes the error match backupapi.ErrInvalid.
func (e *NoRecordsError) Is(target error) bool { return target == backupapi.ErrInvalid }

// PausedError is exporting found paused before a set, left so: the caller did not ask to
// resume it. Nothing was changed.
type PausedError struct {
	Phases        map[int]backupapi.ExporterPhase
	ResumeRequest string
}

func (e *PausedError) Error() string {
	return fmt.Sprintf("exporting is already paused (%s), probably left so by an earlier backup that did not finish or by an operator; "+
		"nothing was changed. Resume it (%s), or let the backup resume it first", phaseList(e.Phases), e.ResumeRequest)
}

// UsedIDError is an id under which components already hold backups that are running, or
// completed without a failed one beside them: they are not the leftovers of a failed set,
// and are never overwritten.
type UsedIDError struct {
	ID      backupapi.ID
	Holding []backupapi.ComponentBackup
}

func (e *UsedIDError) Error() string {
	parts := make([]string, len(e.Holding))
	for i, c := range e.Holding {
		parts[i] = fmt.Sprintf("%s (%s)", c.Component, c.State)
	}
	return fmt.Sprintf("backup id %s is already used by %s; nothing was paused; choose another id", e.ID, strings.Join(parts, ", "))
}

// Is makes the error match backupapi.ErrConflict.
func (e *UsedIDError) Is(target error) bool { return target == backupapi.ErrConflict }

func phaseList(p map[int]backupapi.ExporterPhase) string {
	ids := slices.Sorted(maps.Keys(p))
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprintf("partition %d %s", id, p[id])
	}
	return strings.Join(s, ", ")
}

// components are the components of a set this procedure takes.
func (s Set) components(records bool) []backupapi.Component {
	return backupapi.SetComponents(s.Optimize != nil, records)
}

func (s Set) resumeRequest() string {
	if s.ResumeRequest != "" {
		return s.ResumeRequest
	}
	return "POST /actuator/exporting/resume on the orchestration cluster's management port"
}

// lockedProgress serialises the calls of p.
func lockedProgress(p Progress) Progress {
	if p == nil {
		return nil
	}
	var mu sync.Mutex
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		p(msg)
	}
}

// Take runs the whole procedure for one id:
//
//  1. read exporting's state; exporting found paused is resumed with opts.ResumePaused,
//     else the run stops with a *PausedError, nothing changed;
//  2. choose the id (NewID), or check the given one: not greater than Zeebe's largest id
//     is an *IDRefusedError; the leftovers of a set that failed before Zeebe's step under
//     it are deleted (reported in Replaced); anything else under it (running, or completed
//     without a failed component beside it) is a *UsedIDError;
//  3. soft-pause exporting;
//  4. take the web applications' and Optimize's backups side by side, wait for both;
//  5. the zeebe-record snapshot, with opts.ZeebeRecords;
//  6. Zeebe's backup, waiting for every partition;
//  7. resume exporting, on a context of its own, whatever happened since step 3.
//
// A failed step stops the later ones: the error is a *SetError naming the step, its reason
// and the components holding a backup under the id.
func (s Set) Take(ctx context.Context, opts SetOptions) (taken SetTaken, err error) {
	progress := lockedProgress(opts.Progress)
	if opts.ZeebeRecords {
		if err := s.checkRecords(ctx, progress); err != nil {
			return taken, err
		}
	}
	phases, err := s.Exporting.Status(ctx)
	if err != nil {
		return taken, fmt.Errorf("reading the state of exporting before the backup (nothing was paused): %w", err)
	}
	if paused := pausedPartitions(phases); len(paused) > 0 {
		taken.FoundPaused = paused
		if !opts.ResumePaused {
			return taken, &PausedError{Phases: paused, ResumeRequest: s.resumeRequest()}
		}
		progress.say("exporting found paused (%s); resuming it first, as asked", phaseList(paused))
		if err := s.Exporting.Resume(ctx); err != nil {
			return taken, fmt.Errorf("resuming exporting found paused: %w; resume it by hand: %s", err, s.resumeRequest())
		}
		progress.say("exporting resumed")
	}

	id, holding, err := s.chooseID(ctx, opts)
	taken.ID = id
	if err != nil {
		return taken, err
	}
	if opts.ID == 0 {
		progress.say("backup %s: a new id, greater than the clock's and every id any component lists", id)
	}
	taken.Set = backupapi.NewBackupSet(id, s.components(opts.ZeebeRecords))
	if len(holding) > 0 {
		if err := s.clearPartial(ctx, id, holding, progress); err != nil {
			return taken, err
		}
		for _, h := range holding {
			taken.Replaced = append(taken.Replaced, h.Component)
		}
	}

	pausedAt := s.Poll.Now()
	perr := s.Exporting.Pause(ctx, true)
	defer func() {
		rerr := s.resume(ctx)
		end := s.Poll.Now()
		taken.Paused = end.Sub(pausedAt)
		if rerr == nil {
			taken.Resumed = true
			progress.say("exporting resumed after %s paused", taken.Paused.Round(time.Millisecond))
		}
		var setErr *SetError
		switch {
		case rerr == nil:
		case errors.As(err, &setErr):
			setErr.ResumeErr, setErr.ResumeRequest = rerr, s.resumeRequest()
		default:
			err = &SetError{ID: id, Err: err, ResumeErr: rerr, ResumeRequest: s.resumeRequest()}
		}
	}()
	if perr != nil {
		return taken, s.fail(&taken, "exporting", fmt.Errorf("soft-pausing exporting: %w", perr))
	}
	progress.say("backup %s: exporting soft-paused", id)

	if err := s.takeSecondary(ctx, id, &taken, progress); err != nil {
		return taken, err
	}
	if opts.ZeebeRecords {
		if err := s.takeRecords(ctx, id, &taken, progress); err != nil {
			return taken, err
		}
	}
	if err := s.takeZeebe(ctx, id, &taken, progress); err != nil {
		return taken, err
	}
	progress.say("backup %s: every component completed", id)
	return taken, nil
}

// checkRecords refuses, before anything is paused, a zeebe-record snapshot that cannot be
// taken or would hold nothing: a snapshot of an index expression that matches no index
// succeeds empty, and a set holding it would read restorable.
func (s Set) checkRecords(ctx context.Context, progress Progress) error {
	if s.Records == nil {
		return backupapi.Invalidf("the zeebe-record snapshot needs Elasticsearch access, which is not configured")
	}
	names, err := s.Records.MatchingIndices(ctx)
	if errors.Is(err, backupapi.ErrUnauthorized) {
		// Listing indices needs a monitor privilege that a user who may only take snapshots
		// lacks: the snapshot is checked once taken instead (takeRecords).
		progress.say("the indices of %s cannot be listed with these credentials (%v); the snapshot's indices are checked once it is taken", s.Records.Indices(), err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking for the indices of the zeebe-record snapshot (nothing was paused): %w", err)
	}
	if len(names) == 0 {
		return &NoRecordsError{Indices: s.Records.Indices()}
	}
	return nil
}

// resume resumes exporting on a context of its own, which keeps ctx's values but not its
// cancellation or deadline: the caller's context may be cancelled or expired by now.
func (s Set) resume(ctx context.Context) error {
	timeout := cmp.Or(s.ResumeTimeout, DefaultResumeTimeout)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return s.Exporting.Resume(ctx)
}

// fail builds the *SetError of a step.
func (s Set) fail(taken *SetTaken, component backupapi.Component, err error) error {
	return &SetError{ID: taken.ID, Component: component, Err: err, Holding: taken.Holding()}
}

func pausedPartitions(phases map[int]backupapi.ExporterPhase) map[int]backupapi.ExporterPhase {
	out := map[int]backupapi.ExporterPhase{}
	for p, ph := range phases {
		if ph == backupapi.PhasePaused || ph == backupapi.PhaseSoftPaused {
			out[p] = ph
		}
	}
	return out
}

// chooseID returns the id of the set and the broken components that hold a backup under a
// given id (to delete before the set is taken).
func (s Set) chooseID(ctx context.Context, opts SetOptions) (backupapi.ID, []backupapi.ComponentBackup, error) {
	if opts.ID == 0 {
		id, err := s.NewID(ctx)
		return id, nil, err
	}
	id := opts.ID
	if err := id.Validate(); err != nil {
		return id, nil, err
	}
	zeebe, err := s.Zeebe.List(ctx, "")
	if err != nil {
		return id, nil, fmt.Errorf("listing Zeebe's backups to check id %s (nothing was paused): %w", id, err)
	}
	var latest backupapi.ID
	for _, b := range zeebe {
		latest = max(latest, b.ID)
	}
	if !backupapi.AcceptsCheckpoint(latest, id) {
		return id, nil, &IDRefusedError{ID: id, Latest: latest}
	}
	set, err := s.Get(ctx, id, opts.ZeebeRecords)
	if err != nil {
		return id, nil, fmt.Errorf("looking for backups under id %s (nothing was paused): %w", id, err)
	}
	// Zeebe never took the id, so what stands under it is the leftover of a set that stopped
	// before Zeebe's step. Such a set is taken again only when it shows that it failed (a
	// component FAILED, INCOMPLETE or INCOMPATIBLE): all its backups, completed ones
	// included, were taken at another moment than the new set and are deleted. Anything
	// running, or completed backups without a failed one beside them (a web-app backup
	// taken on its own, say), is never touched.
	holding := nonEmpty(set.Set.Components)
	broken := false
	for _, c := range holding {
		switch c.State {
		case backupapi.StateFailed, backupapi.StateIncomplete, backupapi.StateIncompatible:
			broken = true
		case backupapi.StateInProgress:
			return id, nil, &UsedIDError{ID: id, Holding: holding}
		}
	}
	if len(holding) > 0 && !broken {
		return id, nil, &UsedIDError{ID: id, Holding: holding}
	}
	return id, holding, nil
}

func nonEmpty(cs []backupapi.ComponentBackup) []backupapi.ComponentBackup {
	var out []backupapi.ComponentBackup
	for _, c := range cs {
		if c.State != backupapi.StateDoesNotExist {
			out = append(out, c)
		}
	}
	return out
}

// clearPartial deletes the broken backups left under id by a partial set (Zeebe never got
// the id: chooseID checked it), before exporting is paused.
func (s Set) clearPartial(ctx context.Context, id backupapi.ID, holding []backupapi.ComponentBackup, progress Progress) error {
	for _, h := range holding {
		progress.say("backup %s: %s holds a %s backup under this id, left by a partial set; deleting it to take the set again", id, h.Component, h.State)
		if err := s.deleteComponent(ctx, id, h.Component); err != nil {
			return fmt.Errorf("deleting the %s %s backup under id %s (nothing was paused): %w", h.State, h.Component, id, err)
		}
	}
	return nil
}

// NewID returns an id for a new set: the clock's Unix seconds, or one more than the largest
// id any component lists when that is larger (Zeebe's included, so Zeebe accepts it).
func (s Set) NewID(ctx context.Context) (backupapi.ID, error) {
	ids, err := s.allIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing backups to choose a new id (nothing was paused): %w", err)
	}
	id := backupapi.ID(s.Poll.Now().Unix())
	for _, seen := range ids {
		id = max(id, seen+1)
	}
	return id, nil
}

// takeSecondary takes the web applications' and Optimize's backups side by side and waits
// for both.
func (s Set) takeSecondary(ctx context.Context, id backupapi.ID, taken *SetTaken, progress Progress) error {
	type outcome struct {
		step StepTime
		err  error
	}
	var wg sync.WaitGroup
	var web, opt outcome
	var webTaken Taken
	var optBackup backupapi.OptimizeBackup
	wg.Add(1)
	go func() {
		defer wg.Done()
		web.step.Component, web.step.Start = backupapi.ComponentWebapps, s.Poll.Now()
		webTaken, web.err = s.Webapp.Take(ctx, id, TakeOptions{Wait: true, Progress: progress})
		web.step.End = s.Poll.Now()
	}()
	if s.Optimize != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt.step.Component, opt.step.Start = backupapi.ComponentOptimize, s.Poll.Now()
			optBackup, opt.err = s.takeOptimize(ctx, id, progress)
			opt.step.End = s.Poll.Now()
		}()
	}
	wg.Wait()
	taken.Webapp = webTaken
	taken.Steps = append(taken.Steps, web.step)
	if webTaken.Replaced != nil {
		taken.Replaced = append(taken.Replaced, backupapi.ComponentWebapps)
	}
	if webTaken.Backup.ID != 0 {
		taken.Set = taken.Set.With(backupapi.ComponentWebapps, webTaken.Backup.State, webTaken.Backup.FailureReason)
	} else if len(webTaken.Scheduled) > 0 {
		taken.Set = taken.Set.With(backupapi.ComponentWebapps, backupapi.StateInProgress, "")
	}
	if s.Optimize != nil {
		taken.Optimize = optBackup
		taken.Steps = append(taken.Steps, opt.step)
		if optBackup.ID != 0 || optBackup.State != "" {
			taken.Set = taken.Set.With(backupapi.ComponentOptimize, optBackup.State, optBackup.FailureReason)
		}
	}
	switch {
	case web.err != nil:
		return s.fail(taken, backupapi.ComponentWebapps, web.err)
	case opt.err != nil:
		return s.fail(taken, backupapi.ComponentOptimize, opt.err)
	}
	return nil
}

// optimizeSettle is how long a FAILED Optimize backup that shows fewer than its two parts is
// given for the other part to appear: Optimize starts both snapshots at once, asynchronously.
const optimizeSettle = 10 * time.Second

// takeOptimize starts Optimize's backup and follows it to a terminal state, reporting each
// snapshot as it finishes. The last state seen is returned; State is IN_PROGRESS when the
// backup was started but never seen.
func (s Set) takeOptimize(ctx context.Context, id backupapi.ID, progress Progress) (backupapi.OptimizeBackup, error) {
	var last backupapi.OptimizeBackup
	if err := s.Optimize.Take(ctx, id); err != nil {
		return last, fmt.Errorf("starting Optimize's backup: %w", err)
	}
	start := s.Poll.Now()
	last.State = backupapi.StateInProgress
	progress.say("backup %s: Optimize's backup started", id)
	seen := false
	told := map[string]bool{}
	err := s.Poll.Until(ctx, start, func(ctx context.Context) (bool, error) {
		b, err := s.Optimize.Get(ctx, id)
		// Optimize starts its snapshots asynchronously: 404 right after the take, and
		// INCOMPLETE while part 2 has not started.
		if errors.Is(err, backupapi.ErrNotFound) && !seen && s.Poll.Now().Sub(start) < notSeenLimit {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		seen, last = true, b
		for _, snap := range b.Details {
			if snap.State == "" || backupapi.SnapshotRunning(snap.State) || told[snap.Name] {
				continue
			}
			told[snap.Name] = true
			progress.say("backup %s: Optimize snapshot finished: %s (%s)", id, snap.State, snap.Name)
		}
		if b.State == backupapi.StateIncomplete && s.Poll.Now().Sub(start) < notSeenLimit {
			return false, nil
		}
		// A part that failed at once ends the backup FAILED while the other part may still
		// be on its way: wait for it a little, so that no snapshot of the failed backup
		// appears after it was reported (and after a retake has cleared the id).
		if b.State == backupapi.StateFailed && len(b.Details) < backupapi.OptimizeParts && s.Poll.Now().Sub(start) < optimizeSettle {
			return false, nil
		}
		return b.State.Terminal(), nil
	})
	if err != nil {
		return last, fmt.Errorf("waiting for Optimize's backup: %w", err)
	}
	if last.State != backupapi.StateCompleted {
		return last, fmt.Errorf("the Optimize backup ended %s: %s", last.State, cmp.Or(last.FailureReason, "no reason given"))
	}
	progress.say("backup %s: Optimize's backup completed in %s", id, s.Poll.Now().Sub(start).Round(time.Millisecond))
	return last, nil
}

// recordsState is the component state of a zeebe-record snapshot.
func recordsState(snapshotState string) backupapi.State {
	switch snapshotState {
	case backupapi.SnapshotSuccess:
		return backupapi.StateCompleted
	case backupapi.SnapshotInProgress, backupapi.SnapshotStarted:
		return backupapi.StateInProgress
	case backupapi.SnapshotIncompatible:
		return backupapi.StateIncompatible
	case "":
		return backupapi.StateDoesNotExist
	}
	return backupapi.StateFailed
}

func recordsReason(s backupapi.Snapshot) string {
	if len(s.Failures) > 0 {
		return strings.Join(s.Failures, "; ")
	}
	if st := recordsState(s.State); st == backupapi.StateFailed {
		return "snapshot " + s.Name + " is " + s.State
	}
	return ""
}

// takeRecords takes the zeebe-record snapshot and waits for it.
func (s Set) takeRecords(ctx context.Context, id backupapi.ID, taken *SetTaken, progress Progress) error {
	step := StepTime{Component: backupapi.ComponentZeebeRecords, Start: s.Poll.Now()}
	defer func() { step.End = s.Poll.Now(); taken.Steps = append(taken.Steps, step) }()
	name := backupapi.ZeebeRecordsSnapshotName(id)
	if err := s.Records.Start(ctx, id); err != nil {
		return s.fail(taken, backupapi.ComponentZeebeRecords, fmt.Errorf("starting snapshot %s: %w", name, err))
	}
	taken.Set = taken.Set.With(backupapi.ComponentZeebeRecords, backupapi.StateInProgress, "")
	var last backupapi.Snapshot
	err := s.Poll.Until(ctx, step.Start, func(ctx context.Context) (bool, error) {
		snap, err := s.Records.Get(ctx, id)
		if errors.Is(err, backupapi.ErrNotFound) && last.Name == "" && s.Poll.Now().Sub(step.Start) < notSeenLimit {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = snap
		return !backupapi.SnapshotRunning(snap.State), nil
	})
	taken.Records = last
	if last.Name != "" {
		taken.Set = taken.Set.With(backupapi.ComponentZeebeRecords, recordsState(last.State), recordsReason(last))
	}
	if err != nil {
		return s.fail(taken, backupapi.ComponentZeebeRecords, fmt.Errorf("waiting for snapshot %s: %w", name, err))
	}
	if last.State != backupapi.SnapshotSuccess {
		return s.fail(taken, backupapi.ComponentZeebeRecords, fmt.Errorf("snapshot %s ended %s: %s", name, last.State, cmp.Or(recordsReason(last), "no reason given")))
	}
	if last.Indices != nil && len(last.Indices) == 0 {
		// Taken when the indices could not be listed beforehand: the set must not read
		// restorable without the records.
		taken.Set = taken.Set.With(backupapi.ComponentZeebeRecords, backupapi.StateFailed, "the snapshot holds no index")
		return s.fail(taken, backupapi.ComponentZeebeRecords, &NoRecordsError{Indices: s.Records.Indices(), Taken: true})
	}
	progress.say("backup %s: zeebe-record snapshot finished: SUCCESS (%s)", id, name)
	return nil
}

// takeZeebe takes Zeebe's backup and waits for every partition, reporting each as it
// finishes.
func (s Set) takeZeebe(ctx context.Context, id backupapi.ID, taken *SetTaken, progress Progress) error {
	step := StepTime{Component: backupapi.ComponentZeebe, Start: s.Poll.Now()}
	defer func() { step.End = s.Poll.Now(); taken.Steps = append(taken.Steps, step) }()
	if err := s.Zeebe.Take(ctx, id); err != nil {
		if errors.Is(err, backupapi.ErrConflict) {
			err = fmt.Errorf("id %s refused by Zeebe (it keeps the ids of deleted backups used, and does not list them): %w", id, err)
		}
		return s.fail(taken, backupapi.ComponentZeebe, err)
	}
	taken.Set = taken.Set.With(backupapi.ComponentZeebe, backupapi.StateInProgress, "")
	progress.say("backup %s: Zeebe took the checkpoint on every partition", id)
	var last backupapi.RuntimeBackup
	told := map[int]bool{}
	err := s.Poll.Until(ctx, step.Start, func(ctx context.Context) (bool, error) {
		b, err := s.Zeebe.Get(ctx, id)
		early := s.Poll.Now().Sub(step.Start) < zeebeNotSeenLimit
		if errors.Is(err, backupapi.ErrNotFound) && early {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = b
		for _, p := range b.Details {
			if told[p.PartitionID] || (p.State != backupapi.StateCompleted && p.State != backupapi.StateFailed) {
				continue
			}
			told[p.PartitionID] = true
			msg := fmt.Sprintf("backup %s: Zeebe partition %d finished: %s", id, p.PartitionID, p.State)
			if p.FailureReason != "" {
				msg += " (" + p.FailureReason + ")"
			}
			progress.say("%s", msg)
		}
		if b.State == backupapi.StateIncomplete && early {
			return false, nil
		}
		return b.State.Terminal(), nil
	})
	taken.Zeebe = last
	if last.ID != 0 {
		taken.Set = taken.Set.With(backupapi.ComponentZeebe, last.State, last.FailureReason)
	}
	if err != nil {
		return s.fail(taken, backupapi.ComponentZeebe, fmt.Errorf("waiting for Zeebe's backup: %w", err))
	}
	if last.State != backupapi.StateCompleted {
		return s.fail(taken, backupapi.ComponentZeebe, fmt.Errorf("the Zeebe backup ended %s: %s", last.State, cmp.Or(last.FailureReason, "no reason given")))
	}
	progress.say("backup %s: Zeebe's backup completed on %d partitions in %s", id, len(last.Details), s.Poll.Now().Sub(step.Start).Round(time.Millisecond))
	return nil
}
