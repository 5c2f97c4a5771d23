package throttle

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time moves only when a test advances it;
// sleepers wake when it passes their time. Its jitter is a fixed value.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	jitter   float64
	slept    []time.Duration // every Sleep's duration, in call order
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (f *fakeClock) Clock() Clock {
	return Clock{Now: f.Now, Sleep: f.Sleep, Jitter: f.Jitter}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Jitter() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jitter
}

func (f *fakeClock) setJitter(r float64) {
	f.mu.Lock()
	f.jitter = r
	f.mu.Unlock()
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.slept = append(f.slept, d)
	if d <= 0 {
		f.mu.Unlock()
		return ctx.Err()
	}
	s := &sleeper{until: f.now.Add(d), wake: make(chan struct{})}
	f.sleepers = append(f.sleepers, s)
	f.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		for i, o := range f.sleepers {
			if o == s {
				f.sleepers = append(f.sleepers[:i], f.sleepers[i+1:]...)
				break
			}
		}
		f.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the time by d, waking the sleepers it passes in the order
// of their times.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	sort.Slice(f.sleepers, func(i, j int) bool { return f.sleepers[i].until.Before(f.sleepers[j].until) })
	kept := f.sleepers[:0]
	for _, s := range f.sleepers {
		if s.until.After(f.now) {
			kept = append(kept, s)
			continue
		}
		close(s.wake)
	}
	f.sleepers = kept
}

// sleeping returns the wake times of the current sleepers, earliest first.
func (f *fakeClock) sleeping() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, s := range f.sleepers {
		out = append(out, s.until)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// waitSleepers waits (in real time, bounded) until n callers sleep.
func (f *fakeClock) waitSleepers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(f.sleeping()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d sleepers after 5 s, want %d", len(f.sleeping()), n)
		}
		time.Sleep(time.Millisecond)
	}
}
