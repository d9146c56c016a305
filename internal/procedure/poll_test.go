package procedure

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeClock is a clock that only moves when the poller sleeps or a check takes time.
// A non-zero deadline ends every sleep that would pass it with context.DeadlineExceeded.
type fakeClock struct {
	t        time.Time
	deadline time.Time
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !c.deadline.IsZero() && c.t.Add(d).After(c.deadline) {
		return context.DeadlineExceeded
	}
	c.t = c.t.Add(d)
	return nil
}

func TestPollerLagIsBounded(t *testing.T) {
	const requestTime = 20 * time.Millisecond
	p := DefaultPoller()
	for _, tc := range []struct {
		name     string
		duration time.Duration // when the operation ends, after its start
		maxLag   time.Duration // the promise: max(100ms, 10% of the duration, capped at 10s) + one request
		maxPolls int
	}{
		{"instant", 0, 100*time.Millisecond + requestTime, 1},
		{"half a second", 500 * time.Millisecond, 100*time.Millisecond + requestTime, 6},
		{"seven seconds", 7 * time.Second, 700*time.Millisecond + requestTime, 35},
		{"two minutes", 2 * time.Minute, 12*time.Second + requestTime, 60},
		{"ten minutes", 10 * time.Minute, 10*time.Second + requestTime, 110},
		{"three hours", 3 * time.Hour, 10*time.Second + requestTime, 1200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
			p.Now, p.Sleep = clock.now, clock.sleep
			start := clock.now()
			polls := 0
			err := p.Until(context.Background(), start, func(context.Context) (bool, error) {
				polls++
				clock.t = clock.t.Add(requestTime)
				return clock.now().Sub(start) >= tc.duration, nil
			})
			if err != nil {
				t.Fatalf("until: %v", err)
			}
			if lag := clock.now().Sub(start) - tc.duration; lag > tc.maxLag {
				t.Errorf("the end was seen %v late, want at most %v", lag, tc.maxLag)
			}
			if polls > tc.maxPolls {
				t.Errorf("polled %d times, want at most %d", polls, tc.maxPolls)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second, Fraction: 0.1}
	for _, tc := range []struct {
		elapsed, want time.Duration
	}{
		{0, 100 * time.Millisecond},
		{500 * time.Millisecond, 100 * time.Millisecond},
		{3 * time.Second, 300 * time.Millisecond},
		{time.Minute, 6 * time.Second},
		{time.Hour, 10 * time.Second},
	} {
		if got := b.Delay(tc.elapsed); got != tc.want {
			t.Errorf("Delay(%v) = %v, want %v", tc.elapsed, got, tc.want)
		}
	}
}

func TestPollerStops(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	p := DefaultPoller()
	p.Now, p.Sleep = clock.now, clock.sleep
	t.Run("on the check's error", func(t *testing.T) {
		boom := errors.New("boom")
		err := p.Until(context.Background(), clock.now(), func(context.Context) (bool, error) { return false, boom })
		if !errors.Is(err, boom) {
			t.Errorf("until = %v, want the check's error", err)
		}
	})
	t.Run("when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		polls := 0
		err := p.Until(ctx, clock.now(), func(context.Context) (bool, error) {
			if polls++; polls == 3 {
				cancel()
			}
			return false, nil
		})
		if !errors.Is(err, context.Canceled) || polls != 3 {
			t.Errorf("until = %v after %d polls, want context.Canceled after 3", err, polls)
		}
	})
	t.Run("real sleep returns early on a cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := SleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("sleepContext = %v, want context.Canceled", err)
		}
	})
}
