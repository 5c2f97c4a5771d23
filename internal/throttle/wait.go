package throttle

import (
	"context"
	"time"
)

// WaitKind says what an Acquire waits for, besides the gate.
type WaitKind uint8

const (
	// WaitLearned: a send slot of the learned rate.
	WaitLearned WaitKind = iota + 1
	// WaitConfigured: a send slot of the rate set with Config.Rate.
	WaitConfigured
	// WaitInFlight: a request in flight to end, under Config.MaxInFlight.
	WaitInFlight
)

func (k WaitKind) String() string {
	switch k {
	case WaitLearned:
		return "learned rate"
	case WaitConfigured:
		return "configured rate"
	case WaitInFlight:
		return "in flight"
	}
	return "unknown wait"
}

// waitKinds maps a send bucket to the wait for its slots.
var waitKinds = [...]WaitKind{Learned: WaitLearned, Configured: WaitConfigured}

// Waiter hears of an Acquire's waits, each once, before it starts; d is
// how long it is for, or 0 when it lasts until another request ends
// (WaitInFlight). It runs on the caller's goroutine and must be quick.
type Waiter interface {
	Waiting(k WaitKind, d time.Duration)
}

// AcquireFor is Acquire, telling w (when not nil) of each wait for a send
// slot or an in-flight slot before it starts. While nothing limits the
// caller it costs what Acquire does: w is not called.
func (l *Limiter) AcquireFor(ctx context.Context, w Waiter) (Permit, error) {
	if s := l.state.Load(); s&flagMask == 0 && !l.limited {
		return Permit{l: l, epoch: s >> flagBits}, nil
	}
	return l.acquireSlow(ctx, w)
}

// takeSlot takes an in-flight slot, waiting (and telling w) when none is
// free.
func (l *Limiter) takeSlot(ctx context.Context, w Waiter) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	if w != nil {
		w.Waiting(WaitInFlight, 0)
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
