package apierr

import (
	"context"
	"time"
)

// FleetLimits shares the server's limits across a fleet: the gate that a
// throttle or an outage closes, the learned send rate, the buckets of the
// learned and the configured rate (WithRateLimit), the requests in flight
// (WithMaxInFlight) and the retry budget. A Fleet that also implements
// FleetLimits (redisfleet's does) gives every process of the fleet one set
// of limits per API, so that a server's limit is not exceeded N times over;
// a Fleet that does not leaves each process its own.
//
// Every time is measured by the store's clock (Redis: TIME, inside the
// scripts), never the machines': durations cross the interface as "from the
// store's now", and FleetRate.Now is the only instant, returned for the
// client to compare with the instants it put in the state itself. Every
// operation is atomic, answers fast and may fail: on an error the client
// does, for that call, what a lone process does with its share of the
// configured limits (1/N of the rate and of the requests in flight, N being
// the processes last seen by Heartbeat) and keeps the last closure it knew.
//
// scope names the API (and the identity, when the client has one); as for
// Fleet, it holds no secret but should not be used in key names as it is.
type FleetLimits interface {
	// CloseGate closes the gate for at least d from now and returns how
	// long it stays closed: more than d when it was closed for longer.
	CloseGate(ctx context.Context, scope string, d time.Duration) (time.Duration, error)
	// GateClosedFor returns how long the gate stays closed; 0 when open.
	GateClosedFor(ctx context.Context, scope string) (time.Duration, error)
	// OpenGate ends a closure at once (a probe succeeded after an outage).
	OpenGate(ctx context.Context, scope string) error

	// LoadRate returns the learned rate's state (bytes the client wrote
	// with SwapRate, opaque to the fleet; nil when none), its version (0:
	// none written) and the store's clock.
	LoadRate(ctx context.Context, scope string) (FleetRate, error)
	// SwapRate writes state as version+1 if the stored version is still
	// version (optimistic concurrency), and reports whether it did.
	SwapRate(ctx context.Context, scope string, version int64, state []byte) (bool, error)

	// Reserve takes the next send slot of a GCRA bucket (see
	// FleetReservation), unless the gate is closed.
	Reserve(ctx context.Context, scope string, r FleetReserve) (FleetReservation, error)
	// Sends returns the sends that Reserve counted per slot of length slot
	// (FleetReserve.CountSlot), for the slots from window+ago ago to ago
	// ago, oldest first: at most FleetSendSlots of them, the most recent.
	// ago ends the count at a past instant (the send a throttle answered),
	// as a duration from the store's now, like every time here.
	Sends(ctx context.Context, scope string, slot, window, ago time.Duration) ([]int64, error)

	// TakeBudget takes n tokens from the retry budget, which holds at most
	// capacity and starts full; false, taking none, when fewer are left.
	TakeBudget(ctx context.Context, scope string, n, capacity int64) (bool, error)
	// GiveBudget gives n tokens back, up to capacity, and reports whether
	// the budget is full.
	GiveBudget(ctx context.Context, scope string, n, capacity int64) (full bool, err error)

	// AcquireSlot takes one of limit slots for requests in flight, named
	// slot ("holder|n"), until ttl from now; false while all are
	// taken. Heartbeat renews a live holder's slots, so a crashed
	// process's slots expire.
	AcquireSlot(ctx context.Context, scope, slot string, limit int, ttl time.Duration) (bool, error)
	// ReleaseSlot gives a slot back.
	ReleaseSlot(ctx context.Context, scope, slot string) error
	// Heartbeat records holder as a live process until ttl from now,
	// renews its slots ("holder|…") for slotTTL, and returns how many live
	// processes there are (holder included).
	Heartbeat(ctx context.Context, scope, holder string, ttl, slotTTL time.Duration) (int, error)
}

// FleetSendSlots is the most slots FleetLimits.Sends returns: what the store
// keeps of the send counts.
const FleetSendSlots = 512

// FleetRate is the learned rate as the fleet stores it.
type FleetRate struct {
	State   []byte    // written by the client; nil when none
	Version int64     // 0 when none was written
	Now     time.Time // the store's clock when it was read
}

// FleetReserve asks for a send slot of a bucket: a GCRA bucket (a token
// bucket without a refill loop) that lets Rate requests per second through
// in bursts of up to Burst.
type FleetReserve struct {
	Bucket  string  // the bucket's name: "learned", "configured"
	Rate    float64 // requests per second; a change applies from the next slot
	Burst   int     // at least 1
	MaxWait time.Duration
	// CountSlot, when positive, counts the reservation as a send in the
	// slot of this length that it lets the caller send in (see Sends).
	CountSlot time.Duration
}

// FleetReservation is Reserve's answer.
type FleetReservation struct {
	// Wait is how long the caller waits before sending in its slot; when
	// it would exceed MaxWait nothing is taken and OK is false.
	Wait time.Duration
	OK   bool
	// GateClosed, when positive, is how long the gate stays closed: nothing
	// was taken, and the caller waits at the gate.
	GateClosed time.Duration
}
