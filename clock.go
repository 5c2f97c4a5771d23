package apierr

import (
	"context"
	"math/rand/v2"
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
// ("token endpoint"). It returns early with ctx's error. why names the wait:
// an observer (issue 14) records why and d here, and nowhere else.
func (k *clock) wait(ctx context.Context, why string, d time.Duration) error {
	if k.sleep != nil {
		d = k.sleep(d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
