package provider

import (
	"context"
	"time"
)

// backoff decides how long to wait before looking again at an operation that started elapsed
// ago: Min at first, then Fraction of the elapsed time, never more than Max. An operation that
// ends at elapsed time T is therefore seen at most max(Min, min(Fraction·T, Max)) after it
// ended (plus the time of one request), however long it ran.
type backoff struct {
	Min, Max time.Duration
	Fraction float64
}

// delay returns the wait before the next look.
func (b backoff) delay(elapsed time.Duration) time.Duration {
	return min(max(time.Duration(b.Fraction*float64(elapsed)), b.Min), b.Max)
}

// poller repeats a check with the backoff between tries. Its clock and sleep are injected so
// that tests can run hours of polling in no time.
type poller struct {
	backoff backoff
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
}

// defaultPoller looks after 100 ms at first and lags at most 10 % of the elapsed time, capped
// at 10 s.
func defaultPoller() poller {
	return poller{backoff: backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second, Fraction: 0.1}, now: time.Now, sleep: sleepContext}
}

// until calls check until it reports done or an error, or ctx ends; start is when the
// operation began, the origin of the backoff.
func (p poller) until(ctx context.Context, start time.Time, check func(context.Context) (done bool, err error)) error {
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if err := p.sleep(ctx, p.backoff.delay(p.now().Sub(start))); err != nil {
			return err
		}
	}
}

// sleepContext waits d, or less when ctx ends first (then it returns ctx's error).
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
