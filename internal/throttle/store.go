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
//     budget while it is not full. (A Shared Store is also asked for an
//     in-flight slot at each Acquire, and given it back at Done, while
//     MaxInFlight is set.)
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

// SendSlot is the length of the slots in which sends are counted, by a
// Limiter for itself and by a Shared store for the fleet.
const SendSlot = sendSlot

// Shared is a Store that several processes share (a fleet). Beyond Store it
// caps the requests in flight across the processes, counts every process's
// sends (the server's limit is shared: so is the evidence about it), tells
// a caller of a closed gate at once, and says how many processes share it,
// so that a process that cannot reach it keeps only its share.
type Shared interface {
	Store
	// ReserveOpen is Reserve, but takes nothing while the shared gate is
	// closed and returns how long, from now, it stays closed (0: open).
	// A reservation in the Learned bucket is counted as a send in the slot
	// of SendSlot it lets the caller send in.
	ReserveOpen(ctx context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (wait time.Duration, ok bool, closed time.Duration, err error)
	// Sends returns the sends of every process counted by ReserveOpen in
	// the slots of SendSlot from window+ago ago to ago ago (the send a
	// throttle answered), oldest first, and whether they reach back that
	// far.
	Sends(ctx context.Context, window, ago time.Duration) ([]float64, bool, error)
	// AcquireSlot takes one of max requests-in-flight slots shared by every
	// process; ok is false, taking none, while all are taken. release gives
	// the slot back. A slot of a process that stops (crash) expires.
	AcquireSlot(ctx context.Context, max int) (release func(), ok bool, err error)
	// Processes is how many live processes share the store, as last seen;
	// at least 1.
	Processes() int
}
