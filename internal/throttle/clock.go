package throttle

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock is the package's one seam for time and randomness. Tests give a
// fake; SystemClock is the real one.
type Clock struct {
	// Now returns the current time.
	Now func() time.Time
	// Sleep waits for d, or until ctx ends, when it returns ctx.Err().
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a uniformly random number in [0, 1).
	Jitter func() float64
}

// SystemClock returns the wall clock, timers and math/rand/v2.
func SystemClock() Clock {
	return Clock{Now: time.Now, Sleep: sleep, Jitter: rand.Float64}
}

func (c Clock) complete() bool { return c.Now != nil && c.Sleep != nil && c.Jitter != nil }

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
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

// jittered returns a duration uniformly in [lo, hi]; r is in [0, 1).
func jittered(lo, hi time.Duration, r float64) time.Duration {
	if hi <= lo || r <= 0 {
		return lo
	}
	if r >= 1 {
		return hi
	}
	return lo + time.Duration(r*float64(hi-lo))
}

// doubled is min(hi, lo·2ⁿ⁻¹) for n ≥ 1, without overflowing.
func doubled(lo, hi time.Duration, n int) time.Duration {
	if n <= 1 {
		return min(lo, hi)
	}
	if lo <= 0 || n-1 >= 62 || lo > hi>>(n-1) {
		return hi
	}
	return lo << (n - 1)
}
