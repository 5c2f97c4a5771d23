package throttle

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Local is the in-process Store: the state of one Limiter, or of several
// Limiters of one process that share a server's limits.
type Local struct {
	clock Clock

	mu        sync.Mutex
	gateUntil time.Time
	rate      RateState
	tat       [2]time.Time // GCRA: the theoretical arrival time per Bucket
	tatRate   [2]float64   // the rate tat was reserved at

	spent atomic.Int64 // budget tokens taken and not given back: 0 is full
}

// NewLocal returns an in-process Store on clock (the zero Clock: the
// system clock).
func NewLocal(clock Clock) *Local {
	if !clock.complete() {
		clock = SystemClock()
	}
	return &Local{clock: clock}
}

var _ Store = (*Local)(nil)

// CloseGate implements Store.
func (l *Local) CloseGate(_ context.Context, d time.Duration) (time.Duration, error) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := now.Add(d); until.After(l.gateUntil) {
		l.gateUntil = until
	}
	return l.gateUntil.Sub(now), nil
}

// GateClosedFor implements Store.
func (l *Local) GateClosedFor(context.Context) (time.Duration, error) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(0, l.gateUntil.Sub(now)), nil
}

// OpenGate implements Store.
func (l *Local) OpenGate(context.Context) error {
	l.mu.Lock()
	l.gateUntil = time.Time{}
	l.mu.Unlock()
	return nil
}

// UpdateRate implements Store.
func (l *Local) UpdateRate(_ context.Context, f func(RateState, time.Time) RateState) (RateState, error) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate = f(l.rate, now)
	return l.rate, nil
}

// Reserve implements Store with GCRA: a bucket is one instant, the
// theoretical arrival time of the next request at the rate.
func (l *Local) Reserve(_ context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return 0, true, nil
	}
	interval := time.Duration(float64(time.Second) / rate)
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat[b]
	if tat.Before(now) {
		tat = now
	} else if old := l.tatRate[b]; old > 0 && old != rate {
		// The slots reserved ahead were spaced at the old rate: respace
		// them, so that a rate that grows takes effect at once.
		tat = now.Add(time.Duration(float64(tat.Sub(now)) * old / rate))
	}
	l.tat[b], l.tatRate[b] = tat, rate
	next := tat.Add(interval)
	wait := max(0, next.Sub(now)-time.Duration(max(burst, 1))*interval)
	if wait > maxWait {
		return wait, false, nil
	}
	l.tat[b] = next
	return wait, true, nil
}

// TakeBudget implements Store, without a lock.
func (l *Local) TakeBudget(_ context.Context, n, capacity int64) (bool, error) {
	for {
		spent := l.spent.Load()
		if capacity-spent < n {
			return false, nil
		}
		if l.spent.CompareAndSwap(spent, spent+n) {
			return true, nil
		}
	}
}

// GiveBudget implements Store, without a lock.
func (l *Local) GiveBudget(_ context.Context, n, _ int64) (bool, error) {
	for {
		spent := l.spent.Load()
		if spent == 0 || n <= 0 {
			return spent == 0, nil
		}
		left := max(0, spent-n)
		if l.spent.CompareAndSwap(spent, left) {
			return left == 0, nil
		}
	}
}
