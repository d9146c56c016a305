package procedure

import (
	"context"
	"time"
)

// Backoff decides how long to wait before looking again at an operation that started elapsed
// ago: Min at first, then Fraction of the elapsed time, never more than Max. An operation that
// ends at elapsed time T is therefore seen at most max(Min, min(Fraction·T, Max)) after it
// ended (plus the time of one request), however long it ran.
type Backoff struct {
	Min, Max time.Duration
	Fraction float64
}

// Delay returns the wait before the next look.
func (b Backoff) Delay(elapsed time.Duration) time.Duration {
	return min(max(time.Duration(b.Fraction*float64(elapsed)), b.Min), b.Max)
}

// Poller repeats a check with the backoff between tries. Its clock and sleep are injected so
// that tests can run hours of polling in no time.
type Poller struct {
	Backoff Backoff
	Now     func() time.Time
	Sleep   func(ctx context.Context, d time.Duration) error
}

// DefaultPoller looks after 100 ms at first and lags at most 10 % of the elapsed time, capped
// at 10 s.
func DefaultPoller() Poller {
	return Poller{Backoff: Backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second, Fraction: 0.1}, Now: time.Now, Sleep: SleepContext}
}

// Until calls check until it reports done or an error, or ctx ends; start is when the
// operation began, the origin of the backoff.
func (p Poller) Until(ctx context.Context, start time.Time, check func(context.Context) (done bool, err error)) error {
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if err := p.Sleep(ctx, p.Backoff.Delay(p.Now().Sub(start))); err != nil {
			return err
		}
	}
}

// SleepContext waits d, or less when ctx ends first (then it returns ctx's error).
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
