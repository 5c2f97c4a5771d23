package apierr

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// clock is the client's one time seam. The client, its token cache and the
// token endpoint's retries share one *clock, so a test that sets a field
// (through export_test.go or directly) moves all of them. Zero fields mean
// the real thing.
type clock struct {
	now    func() time.Time                  // nil: time.Now
	jitter func() float64                    // in [0, 1); nil: math/rand/v2
	sleep  func(time.Duration) time.Duration // the time actually slept for a computed wait; nil: the wait itself

	// skipped is how much of its waits the sleep seam did not sleep. The
	// throttle limiter's clock runs ahead by it, so that a test that
	// records waits instead of sleeping them sees the gate reopen.
	skipped atomic.Int64
}

// limiterNow is the throttle limiter's time: now, plus the waits a test's
// sleep seam skipped.
func (k *clock) limiterNow() time.Time {
	return k.current().Add(time.Duration(k.skipped.Load()))
}

// current returns the time now.
func (k *clock) current() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

// before reports whether now is before t. On the real clock it reads only
// the monotonic clock (t carries a monotonic reading), where time.Now also
// reads the wall clock: this is the per-request cost of a cached token.
func (k *clock) before(t time.Time) bool {
	if k.now != nil {
		return k.now().Before(t)
	}
	return time.Until(t) > 0
}

// random returns the jitter, in [0, 1).
func (k *clock) random() float64 {
	if k.jitter != nil {
		return k.jitter()
	}
	return rand.Float64()
}

// left returns the time before ctx's deadline, or -1 without one.
func (k *clock) left(ctx context.Context) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return -1
	}
	return max(dl.Sub(k.current()), 0)
}

// wait is where every wait of the client happens (hook point c): before a
// retry of an API call ("retrying"), of a token request or an exos login
// ("token endpoint"). It returns early with ctx's error. why names the wait
// for tests. The Observer hears of each wait from the caller, just before
// it calls wait: only the caller knows the reason (Retry-After, backoff,
// concurrency pause) and the attempt that follows.
func (k *clock) wait(ctx context.Context, why string, d time.Duration) error {
	_, err := k.waitSlept(ctx, why, d)
	return err
}

// waitSlept is wait, and returns how long it slept: less than d when a
// test's sleep seam skipped some of it.
func (k *clock) waitSlept(ctx context.Context, why string, d time.Duration) (time.Duration, error) {
	if k.sleep != nil {
		slept := k.sleep(d)
		if slept < d {
			k.skipped.Add(int64(d - max(slept, 0)))
		}
		d = slept
	}
	if d <= 0 {
		return 0, ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return d, nil
	case <-ctx.Done():
		return d, ctx.Err()
	}
}
