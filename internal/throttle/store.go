package throttle

import (
	"context"
	"time"
)

// Store holds the state that every caller of one API shares: the gate's
// reopening time, the learned send rate, the send buckets of the learned and
// the configured rate, and the retry budget's tokens. NewLocal returns the
// in-process Store; a fleet of processes implements it over a shared
// database (issue 13: Redis), with the database's clock.
//
// Rules every implementation follows:
//
//   - Times cross the interface as durations measured from the store's own
//     "now", or as instants of the store's clock that only the store and the
//     functions it is given compare (UpdateRate). Two machines' clocks never
//     meet.
//   - Each method is atomic with respect to every other call on the same
//     Store, from any process.
//   - Each call bounds its own duration (a fleet store: about 100 ms): the
//     context is often context.Background, as outcomes are reported after
//     the caller's request. On an error the Limiter falls back to its own
//     in-process state for that call, so a Store error never fails a request.
//   - The Limiter calls the Store only off its hot path: when the gate
//     closes or is about to reopen, while the learned or a configured rate
//     is in force, for each retry the budget is asked for, and to refund the
//     budget while it is not full.
type Store interface {
	// CloseGate closes the gate for at least d from now and returns how
	// long, from now, it stays closed: more than d when the gate was
	// already closed for longer (by this process or another).
	CloseGate(ctx context.Context, d time.Duration) (time.Duration, error)
	// GateClosedFor returns how long, from now, the gate stays closed;
	// 0 when it is open.
	GateClosedFor(ctx context.Context) (time.Duration, error)
	// OpenGate ends a closure at once: a probe succeeded after an outage.
	OpenGate(ctx context.Context) error

	// UpdateRate replaces the learned rate s by f(s, now), atomically, with
	// now read from the store's clock, and returns the new state. f is pure
	// and may be called more than once (optimistic concurrency: read, apply
	// f, write only if nobody wrote in between, else start again).
	UpdateRate(ctx context.Context, f func(s RateState, now time.Time) RateState) (RateState, error)

	// Reserve takes the next send slot of bucket b, a GCRA bucket (a token
	// bucket without a refill loop) that lets rate requests per second
	// through with bursts of up to burst. It returns how long the caller
	// must wait before sending in that slot. When that wait would exceed
	// maxWait it takes nothing and returns the wait with ok false. A change
	// of rate applies from the next slot on.
	Reserve(ctx context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (wait time.Duration, ok bool, err error)

	// TakeBudget takes n tokens from the retry budget, which holds at most
	// capacity tokens and starts full; it reports false, taking none, when
	// fewer than n are left.
	TakeBudget(ctx context.Context, n, capacity int64) (bool, error)
	// GiveBudget gives n tokens back, up to capacity, and reports whether
	// the budget is full now (the Limiter then stops giving until it next
	// takes).
	GiveBudget(ctx context.Context, n, capacity int64) (full bool, err error)
}

// Bucket names one of the send buckets a Store keeps.
type Bucket uint8

const (
	// Learned is the bucket of the learned (adaptive) send rate.
	Learned Bucket = iota
	// Configured is the bucket of the rate set with Config.Rate.
	Configured
)

func (b Bucket) String() string {
	if b == Learned {
		return "learned"
	}
	return "configured"
}
