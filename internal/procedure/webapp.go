package procedure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Gate lets one backup at a time start through a backend within this process; the others
// wait their turn. The zero value is not usable: use NewGate.
type Gate chan struct{}

// NewGate returns an open gate.
func NewGate() Gate { return make(Gate, 1) }

// enter waits for the gate, or for ctx to end.
func (g Gate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g Gate) leave() { <-g }

// Webapp runs the procedures of web-application backups over one backend.
type Webapp struct {
	Client backupapi.Client
	// Gate serialises the backups started through this process; share one per backend.
	Gate Gate
	Poll Poller
}

// Progress receives one line for each step of a procedure as it finishes.
type Progress func(msg string)

func (p Progress) say(format string, args ...any) {
	if p != nil {
		p(fmt.Sprintf(format, args...))
	}
}

// TakeOptions tune Take.
type TakeOptions struct {
	// Wait follows the backup until it has finished. Without it Take returns once the backup
	// has started.
	Wait bool
	// Progress receives the steps of the backup; may be nil.
	Progress Progress
	// NewID takes the backup under a new id (see NewID), chosen once it is this backup's turn,
	// so that two backups started at once never choose the same id; Take's id is then
	// ignored. When another process takes the chosen id first, a new one is chosen.
	NewID bool
	// Adopt takes a backup that already stands under the id, and could still be restored,
	// as this backup (reported in Taken.Adopted) instead of failing with ErrAlreadyExists:
	// the caller knows it is the backup it means, e.g. one its own destroy kept a moment
	// ago. It is followed like a new one.
	Adopt bool
	// AdoptOnlyFinished adopts only a backup that has finished: one still running counts as
	// broken (deleted and taken again). For backends whose parts are taken by the process
	// that started the backup (the Elasticsearch driver), which may have ended since.
	AdoptOnlyFinished bool
}

// notSeenLimit is how long a backup just created may stay invisible to Get (its first part
// not yet registered) before waiting gives up.
const notSeenLimit = time.Minute

// Taken is the outcome of Take.
type Taken struct {
	// ID is the id of the backup.
	ID backupapi.ID
	// Scheduled are the names of the snapshots the backup was scheduled to take, in part order.
	Scheduled []string
	// Backup is the last state seen; its ID is zero when the backup was never seen.
	Backup backupapi.Backup
	// Replaced is the broken backup that stood under the same id and was deleted first, if any.
	Replaced *backupapi.Backup
	// Adopted is true when the backup already stood under the id and was taken as it was
	// (TakeOptions.Adopt).
	Adopted bool
	// Elapsed is the time from the start of the backup to its last state seen.
	Elapsed time.Duration
}

// Take starts backup id and, with opts.Wait, follows it to a terminal state.
//
// It waits its turn: behind backups started through the same Gate, and, while the backend
// answers that another backup is running (another process, or Camunda itself), it tries again
// with backoff until ctx ends. A backup that already stands under id but is FAILED or
// INCOMPLETE (never restorable, and in the way of the id) is deleted first and reported in
// Taken.Replaced. The error of a backup that ends other than COMPLETED is a *FailedError; of
// a wait cut short by ctx, a *TimeoutError; otherwise a *backupapi.Error from the backend.
func (w Webapp) Take(ctx context.Context, id backupapi.ID, opts TakeOptions) (Taken, error) {
	var taken Taken
	if err := w.Gate.enter(ctx); err != nil {
		return taken, &TimeoutError{ID: id, Waited: "its turn behind another backup of this run", Err: err}
	}
	defer w.Gate.leave()

	taken.ID = id
	names, err := w.createNew(ctx, opts, &taken)
	if err != nil {
		return taken, err
	}
	id = taken.ID
	taken.Scheduled = names
	start := w.Poll.Now()
	if taken.Adopted {
		opts.Progress.say("backup %s already stood under this id (%d parts); adopted", id, len(names))
	} else {
		opts.Progress.say("backup %s started: %d parts scheduled", id, len(names))
	}
	if !opts.Wait {
		if b, err := w.Client.Get(ctx, id); err == nil {
			taken.Backup = b
		}
		return taken, nil
	}
	b, err := w.follow(ctx, id, start, opts.Progress)
	taken.Backup, taken.Elapsed = b, w.Poll.Now().Sub(start)
	switch {
	case ctx.Err() != nil:
		return taken, &TimeoutError{ID: id, Waited: "the backup to finish", Started: true, Last: b, Err: ctx.Err()}
	case err != nil:
		return taken, err
	case b.State != backupapi.StateCompleted:
		return taken, &FailedError{Backup: b}
	}
	opts.Progress.say("backup %s completed in %s", id, taken.Elapsed.Round(time.Millisecond))
	return taken, nil
}

// newIDTries is how many new ids TakeOptions.NewID tries when other processes take them first.
const newIDTries = 3

// createNew starts the backup under taken.ID or, with opts.NewID, under a new id, which it
// records in taken.ID.
func (w Webapp) createNew(ctx context.Context, opts TakeOptions, taken *Taken) ([]string, error) {
	if !opts.NewID {
		return w.create(ctx, taken.ID, opts, taken)
	}
	for try := 1; ; try++ {
		id, err := w.NewID(ctx)
		if err != nil {
			return nil, err
		}
		taken.ID = id
		opts.Progress.say("backup %s: a new id, greater than every existing backup's", id)
		names, err := w.create(ctx, id, TakeOptions{Progress: opts.Progress}, taken)
		if !errors.Is(err, backupapi.ErrAlreadyExists) || try == newIDTries {
			return names, err
		}
	}
}

// create starts the backup, waiting while another one runs and clearing a broken one that
// holds the id, or adopting a sound one with opts.Adopt.
func (w Webapp) create(ctx context.Context, id backupapi.ID, opts TakeOptions, taken *Taken) ([]string, error) {
	progress := opts.Progress
	waitStart := w.Poll.Now()
	toldRunning, cleared := false, false
	for {
		names, err := w.Client.Create(ctx, id)
		switch {
		case err == nil:
			return names, nil
		case errors.Is(err, backupapi.ErrBackupRunning):
			if !toldRunning {
				progress.say("backup %s: another backup is running; waiting for it to finish", id)
				toldRunning = true
			}
			if err := w.Poll.Sleep(ctx, w.Poll.Backoff.Delay(w.Poll.Now().Sub(waitStart))); err != nil {
				return nil, &TimeoutError{ID: id, Waited: "the running backup to finish before starting", Err: err}
			}
		case errors.Is(err, backupapi.ErrAlreadyExists) && !cleared:
			old, replaced, err2 := w.clearBroken(ctx, id, opts.Adopt && opts.AdoptOnlyFinished, progress)
			if err2 != nil {
				return nil, err2
			}
			if !replaced && opts.Adopt {
				taken.Adopted = true
				return append([]string{}, old.SnapshotNames()...), nil
			}
			if !replaced {
				return nil, err
			}
			taken.Replaced, cleared = &old, true
		default:
			return nil, err
		}
	}
}

// clearBroken deletes the backup under id when it can never be restored (see
// neverRestorable), or, with runningIsBroken, when it has not finished (its remaining parts
// were the ended process's to take: TakeOptions.AdoptOnlyFinished), and waits until it is
// gone. It reports whether it did.
func (w Webapp) clearBroken(ctx context.Context, id backupapi.ID, runningIsBroken bool, progress Progress) (backupapi.Backup, bool, error) {
	old, err := w.Client.Get(ctx, id)
	if err != nil {
		return old, false, fmt.Errorf("looking at the backup that already holds id %s: %w", id, err)
	}
	switch {
	case neverRestorable(old):
		progress.say("backup %s: the backup under this id is %s and cannot be restored; deleting its snapshots (%s) to take it again",
			id, old.State, joinNames(old.SnapshotNames()))
	case runningIsBroken && !old.State.Terminal():
		progress.say("backup %s: the backup under this id is %s, and its remaining parts were to be taken by a process "+
			"that may have ended; deleting its snapshots (%s) to take it again", id, old.State, joinNames(old.SnapshotNames()))
	default:
		return old, false, nil
	}
	if err := w.Delete(ctx, id); err != nil {
		return old, false, fmt.Errorf("deleting the %s backup %s: %w", old.State, id, err)
	}
	return old, true, nil
}

// neverRestorable reports whether a backup can never become restorable: FAILED, INCOMPLETE,
// or still read IN_PROGRESS while no part runs and a part in the middle is missing. Parts are
// taken in order, so a gap means a part was deleted; Camunda reads such a backup IN_PROGRESS
// until its incomplete-check timeout has passed.
func neverRestorable(b backupapi.Backup) bool {
	switch b.State {
	case backupapi.StateFailed, backupapi.StateIncomplete:
		return true
	case backupapi.StateInProgress:
	default:
		return false
	}
	highest := 0
	for _, s := range b.Snapshots {
		if s.State == "" || backupapi.SnapshotRunning(s.State) {
			return false
		}
		highest = max(highest, s.Metadata.PartNo)
	}
	return len(b.Snapshots) < highest
}

// Delete deletes backup id and waits until the backend no longer lists it. A backup already
// gone counts as deleted.
func (w Webapp) Delete(ctx context.Context, id backupapi.ID) error {
	start := w.Poll.Now()
	err := w.Client.Delete(ctx, id)
	if errors.Is(err, backupapi.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.Poll.Until(ctx, start, func(ctx context.Context) (bool, error) {
		_, err := w.Client.Get(ctx, id)
		if errors.Is(err, backupapi.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

// follow polls the backup until its state is terminal, reporting each part as it finishes.
// It returns the last state seen (zero when none was).
func (w Webapp) follow(ctx context.Context, id backupapi.ID, start time.Time, progress Progress) (backupapi.Backup, error) {
	var last backupapi.Backup
	told := map[string]bool{}
	err := w.Poll.Until(ctx, start, func(ctx context.Context) (bool, error) {
		b, err := w.Client.Get(ctx, id)
		if errors.Is(err, backupapi.ErrNotFound) && last.ID == 0 && w.Poll.Now().Sub(start) < notSeenLimit {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = b
		for _, s := range b.Snapshots {
			if s.State == "" || backupapi.SnapshotRunning(s.State) || told[s.Name] {
				continue
			}
			told[s.Name] = true
			progress.say("backup %s: part %d of %d finished: %s (%s)", b.ID, s.Metadata.PartNo, s.Metadata.PartCount, s.State, s.Name)
		}
		return b.State.Terminal(), nil
	})
	return last, err
}

// NewID returns an id for a new backup: the current Unix time in seconds, or one more than the
// largest id the backend lists when that is larger. Camunda's documentation asks for ids that
// only grow, and the clock gives ids that an operator can read as a date.
func (w Webapp) NewID(ctx context.Context) (backupapi.ID, error) {
	backups, err := w.Client.List(ctx, backupapi.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("listing backups to choose a new id: %w", err)
	}
	id := backupapi.ID(w.Poll.Now().Unix())
	for _, b := range backups {
		id = max(id, b.ID+1)
	}
	return id, nil
}

// Prune deletes the backups that the policy does not keep, never the ids in keep, and returns
// the ids it deleted, newest first. It stops at the first deletion that fails.
func (w Webapp) Prune(ctx context.Context, policy backupapi.Retention, progress Progress, keep ...backupapi.ID) ([]backupapi.ID, error) {
	if !policy.Enabled() {
		return nil, nil
	}
	backups, err := w.Client.List(ctx, backupapi.ListOptions{Verbose: true})
	if err != nil {
		return nil, fmt.Errorf("listing backups for retention: %w", err)
	}
	candidates := make([]backupapi.RetentionCandidate, len(backups))
	for i, b := range backups {
		candidates[i] = backupapi.RetentionCandidate{
			ID: b.ID, Restorable: b.State == backupapi.StateCompleted,
			Running: b.State == backupapi.StateInProgress, Start: b.EarliestStart(),
		}
	}
	var deleted []backupapi.ID
	for _, id := range policy.Prune(candidates, w.Poll.Now(), keep...) {
		if err := w.Delete(ctx, id); err != nil {
			return deleted, fmt.Errorf("retention: deleting backup %s: %w", id, err)
		}
		deleted = append(deleted, id)
		progress.say("retention: deleted backup %s", id)
	}
	return deleted, nil
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// FailedError is a backup that ended in another state than COMPLETED.
type FailedError struct {
	Backup backupapi.Backup
}

// Error describes the failure: the state, the reason, and every part that did not succeed
// with its failures.
func (e *FailedError) Error() string {
	b := e.Backup
	msg := fmt.Sprintf("backup %s ended %s", b.ID, b.State)
	if b.FailureReason != "" {
		msg += ": " + b.FailureReason
	}
	for _, s := range b.Snapshots {
		if s.State != backupapi.SnapshotSuccess {
			msg += fmt.Sprintf("\n  %s: %s", s.Name, s.State)
			for _, f := range s.Failures {
				msg += "\n    " + f
			}
		}
	}
	return msg
}

// TimeoutError is a procedure cut short by its context while it waited.
type TimeoutError struct {
	ID backupapi.ID
	// Waited says what it was waiting for.
	Waited string
	// Started is true once the backup was started: the timeout cut short the wait for it to
	// finish, not the wait for its turn.
	Started bool
	// Last is the last state of the backup seen; zero ID when none was.
	Last backupapi.Backup
	Err  error
}

// Error says what was waited for and the last state known.
func (e *TimeoutError) Error() string {
	if !e.Started {
		return fmt.Sprintf("backup %s: stopped waiting for %s (%v); the backup was not started", e.ID, e.Waited, e.Err)
	}
	state := "not yet visible"
	if e.Last.ID != 0 {
		state = string(e.Last.State)
	}
	return fmt.Sprintf("backup %s: stopped waiting for %s (%v); its last known state is %s", e.ID, e.Waited, e.Err, state)
}

// Unwrap returns the context's error.
func (e *TimeoutError) Unwrap() error { return e.Err }
