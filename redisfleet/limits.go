package redisfleet

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/accessapi/apierr"
)

// The shared limits (apierr.FleetLimits): the gate, the learned rate, the
// GCRA buckets with the fleet's send counts, the retry budget, the slots for
// requests in flight and the live processes. Every decision runs in a Lua
// script on Redis's clock (TIME). Nothing here is secret: the values are
// durations, counters and the learned rate's numbers.

var _ apierr.FleetLimits = (*Fleet)(nil)

// Expiry of state nobody touches: an idle learned rate turns off, an idle
// budget is full again, idle send counts are gone.
const (
	rateIdle   = 10 * time.Minute
	budgetIdle = time.Hour
	sendsIdle  = 5 * time.Second
)

// CloseGate closes scope's gate for at least d from now on Redis's clock and
// returns how long it stays closed.
func (f *Fleet) CloseGate(ctx context.Context, scope string, d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return f.GateClosedFor(ctx, scope)
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "close gate", scriptGateClose, []string{k.gate}, millis(d))
	if err != nil {
		return 0, err
	}
	ms, err := asInt("close gate", v)
	return time.Duration(ms) * time.Millisecond, err
}

// GateClosedFor returns how long scope's gate stays closed; 0 when open.
func (f *Fleet) GateClosedFor(ctx context.Context, scope string) (time.Duration, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "gate", scriptGateGet, []string{k.gate})
	if err != nil {
		return 0, err
	}
	ms, err := asInt("gate", v)
	return time.Duration(ms) * time.Millisecond, err
}

// OpenGate opens scope's gate at once.
func (f *Fleet) OpenGate(ctx context.Context, scope string) error {
	k := f.keysFor(scope)
	_, err := f.run(ctx, "open gate", scriptGateOpen, []string{k.gate})
	return err
}

// LoadRate returns scope's learned rate with Redis's clock.
func (f *Fleet) LoadRate(ctx context.Context, scope string) (apierr.FleetRate, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "load rate", scriptRateLoad, []string{k.rate})
	if err != nil {
		return apierr.FleetRate{}, err
	}
	r := asReply("load rate", v)
	sec, usec, ver, state := r.int(0), r.int(1), r.int(2), r.str(3)
	if r.err != nil {
		return apierr.FleetRate{}, r.err
	}
	out := apierr.FleetRate{Version: ver, Now: time.Unix(sec, usec*1000)}
	if state != "" {
		out.State = []byte(state)
	}
	return out, nil
}

// SwapRate writes state as the next version of scope's learned rate if the
// stored version is still version.
func (f *Fleet) SwapRate(ctx context.Context, scope string, version int64, state []byte) (bool, error) {
	if version < 0 {
		return false, errors.New("redisfleet: swap rate: negative version")
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "swap rate", scriptRateSwap, []string{k.rate}, version, state, millis(rateIdle))
	if err != nil {
		return false, err
	}
	n, err := asInt("swap rate", v)
	return n == 1, err
}

// Reserve takes the next send slot of scope's bucket r.Bucket on Redis's
// clock, unless the gate is closed.
func (f *Fleet) Reserve(ctx context.Context, scope string, r apierr.FleetReserve) (apierr.FleetReservation, error) {
	if err := checkReserve(r); err != nil {
		return apierr.FleetReservation{}, err
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "reserve", scriptReserve, []string{k.bucket + r.Bucket, k.gate, k.sends},
		strconv.FormatFloat(r.Rate, 'g', -1, 64), r.Burst, r.MaxWait.Microseconds(),
		max(r.CountSlot, 0).Microseconds(), millis(sendsIdle))
	if err != nil {
		return apierr.FleetReservation{}, err
	}
	rep := asReply("reserve", v)
	wait, ok, closed := rep.int(0), rep.int(1), rep.int(2)
	if rep.err != nil {
		return apierr.FleetReservation{}, rep.err
	}
	return apierr.FleetReservation{
		Wait: time.Duration(wait) * time.Microsecond, OK: ok == 1,
		GateClosed: time.Duration(closed) * time.Millisecond,
	}, nil
}

// checkReserve refuses what the script cannot take: a bucket name that is
// not a plain word, a rate that is not a positive number.
func checkReserve(r apierr.FleetReserve) error {
	if r.Bucket == "" || len(r.Bucket) > 32 {
		return errors.New("redisfleet: reserve: the bucket needs a name of 1 to 32 characters")
	}
	for _, c := range r.Bucket {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errors.New("redisfleet: reserve: the bucket's name must be lowercase letters, digits, '-' or '_'")
		}
	}
	switch {
	case !(r.Rate > 0) || math.IsInf(r.Rate, 0):
		return errors.New("redisfleet: reserve: the rate must be a positive number")
	case r.Burst < 1:
		return errors.New("redisfleet: reserve: the burst must be at least 1")
	case r.CountSlot > 0 && r.CountSlot < time.Microsecond:
		return errors.New("redisfleet: reserve: the counting slot must be at least 1µs")
	}
	return nil
}

// Sends returns the sends Reserve counted in scope's slots of length slot
// from window+ago ago to ago ago (Redis's clock), oldest first; at most
// apierr.FleetSendSlots.
func (f *Fleet) Sends(ctx context.Context, scope string, slot, window, ago time.Duration) ([]int64, error) {
	if slot < time.Microsecond || window < 0 || ago < 0 {
		return nil, errors.New("redisfleet: sends: need a slot of at least 1µs, and a window and an end of at least 0")
	}
	n := min(int64(window/slot)+1, apierr.FleetSendSlots)
	k := f.keysFor(scope)
	v, err := f.run(ctx, "sends", scriptSends, []string{k.sends}, slot.Microseconds(), n, ago.Microseconds())
	if err != nil {
		return nil, err
	}
	r := asReply("sends", v)
	out := make([]int64, len(r.v))
	for i := range out {
		out[i] = r.int(i)
	}
	if r.err != nil {
		return nil, r.err
	}
	return out, nil
}

// TakeBudget takes n tokens from scope's retry budget.
func (f *Fleet) TakeBudget(ctx context.Context, scope string, n, capacity int64) (bool, error) {
	if n < 0 || capacity < 0 {
		return false, errors.New("redisfleet: take budget: negative tokens")
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "take budget", scriptBudgetTake, []string{k.budget}, n, capacity, millis(budgetIdle))
	if err != nil {
		return false, err
	}
	ok, err := asInt("take budget", v)
	return ok == 1, err
}

// GiveBudget gives n tokens back to scope's retry budget and reports whether
// it is full.
func (f *Fleet) GiveBudget(ctx context.Context, scope string, n, capacity int64) (bool, error) {
	if n < 0 || capacity < 0 {
		return false, errors.New("redisfleet: give budget: negative tokens")
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "give budget", scriptBudgetGive, []string{k.budget}, n, millis(budgetIdle))
	if err != nil {
		return false, err
	}
	full, err := asInt("give budget", v)
	return full == 1, err
}

// AcquireSlot takes one of limit slots of scope for requests in flight, until
// ttl from now unless a Heartbeat of its holder renews it.
func (f *Fleet) AcquireSlot(ctx context.Context, scope, slot string, limit int, ttl time.Duration) (bool, error) {
	if slot == "" || limit < 1 || ttl <= 0 {
		return false, errors.New("redisfleet: acquire slot: need a slot name, a limit >= 1 and a positive ttl")
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "acquire slot", scriptSlotAcquire, []string{k.slots}, slot, limit, millis(ttl))
	if err != nil {
		return false, err
	}
	ok, err := asInt("acquire slot", v)
	return ok == 1, err
}

// ReleaseSlot gives scope's slot back.
func (f *Fleet) ReleaseSlot(ctx context.Context, scope, slot string) error {
	k := f.keysFor(scope)
	_, err := f.run(ctx, "release slot", scriptSlotRelease, []string{k.slots}, slot)
	return err
}

// Heartbeat records holder as a live process of scope until ttl from now,
// renews its slots for slotTTL, and returns how many processes are live.
func (f *Fleet) Heartbeat(ctx context.Context, scope, holder string, ttl, slotTTL time.Duration) (int, error) {
	if err := checkHolder(holder); err != nil {
		return 0, err
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "heartbeat", scriptHeartbeat, []string{k.members, k.slots}, holder, millis(ttl), millis(slotTTL))
	if err != nil {
		return 0, err
	}
	n, err := asInt("heartbeat", v)
	return int(n), err
}
