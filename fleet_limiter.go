package apierr

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accessapi/apierr/internal/throttle"
)

// Settings of the fleet's shared limits.
const (
	fleetSyncEvery   = 50 * time.Millisecond // reading the shared gate and rate (jittered ±20 %)
	fleetBeatEvery   = time.Second           // the membership heartbeat
	fleetMemberTTL   = 3 * time.Second       // a process not heard from for this long is gone
	fleetSlotTTL     = 3 * time.Second       // an in-flight slot not renewed for this long is free
	fleetRateRetries = 8                     // optimistic updates of the learned rate before acting alone
)

// errRateContended: the learned rate kept changing under an update.
var errRateContended = errors.New("apierr: fleet: the learned rate changed under every update")

// fleetLimiter is throttle.Shared over a FleetLimits: the limiter's shared
// state for one API lives in the fleet. It keeps the membership heartbeat
// and reads the shared gate and rate now and then, so that a process
// learns of another's throttle soon, not by its own 429.
type fleetLimiter struct {
	f      FleetLimits
	scope  string
	holder string
	health *fleetHealth

	procs atomic.Int64 // live processes, as last seen; 1 until known
	seq   atomic.Uint64

	stop context.CancelFunc
	wg   sync.WaitGroup
}

var _ throttle.Shared = (*fleetLimiter)(nil)

// newFleetLimiter returns the shared store of the client's limits when its
// fleet implements FleetLimits; nil otherwise.
func newFleetLimiter(cfg config) *fleetLimiter {
	fl, ok := cfg.fleet.(FleetLimits)
	if !ok {
		return nil
	}
	s := &fleetLimiter{
		f: fl, scope: limitsScope(cfg), holder: newHolderID(),
		health: &fleetHealth{
			log: cfg.log, obs: cfg.observer,
			down: "apierr: fleet unavailable; this process keeps its share of the limits and the last closure it knew until it answers",
			up:   "apierr: fleet available again; sharing the limits",
		},
	}
	s.procs.Store(1)
	return s
}

// limitsScope names the limits a fleet shares: the API's, for the client's
// identity when it has one that the fleet shares (a server limits a client,
// or an IP, not a process).
func limitsScope(cfg config) string {
	h := sha256.New()
	h.Write([]byte("limits\x00"))
	if cfg.base == nil { // New refuses it before; no scope to share
		return hex.EncodeToString(h.Sum(nil))
	}
	h.Write([]byte(cfg.base.String()))
	if id, err := cfg.auth.fleetScope(cfg.base); err == nil {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// run keeps the membership and the shared gate and rate until close.
func (s *fleetLimiter) run(lim *throttle.Limiter, k *clock) {
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.beat(ctx)
		nextBeat := time.Now().Add(fleetBeatEvery)
		for {
			d := time.Duration(float64(fleetSyncEvery) * (0.8 + 0.4*k.random()))
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if time.Now().After(nextBeat) {
				s.beat(ctx)
				nextBeat = time.Now().Add(fleetBeatEvery)
			}
			s.report(ctx, "gate", lim.Sync(ctx))
		}
	}()
}

// beat records this process as live and learns how many there are.
func (s *fleetLimiter) beat(ctx context.Context) {
	n, err := s.f.Heartbeat(ctx, s.scope, s.holder, fleetMemberTTL, fleetSlotTTL)
	s.report(ctx, "membership", err)
	if err == nil && n > 0 {
		s.procs.Store(int64(n))
	}
}

// close stops the loop; the membership and the slots expire on their own.
func (s *fleetLimiter) close() {
	if s != nil && s.stop != nil {
		s.stop()
		s.wg.Wait()
	}
}

// report records an operation's result, and returns err; an operation
// whose caller gave up says nothing about the fleet.
func (s *fleetLimiter) report(ctx context.Context, feature string, err error) error {
	if err != nil && ctx.Err() != nil {
		return err
	}
	return s.health.outcome(feature, err)
}

// Processes implements throttle.Shared.
func (s *fleetLimiter) Processes() int { return int(max(1, s.procs.Load())) }

// CloseGate implements throttle.Store.
func (s *fleetLimiter) CloseGate(ctx context.Context, d time.Duration) (time.Duration, error) {
	rem, err := s.f.CloseGate(ctx, s.scope, d)
	return rem, s.report(ctx, "gate", err)
}

// GateClosedFor implements throttle.Store.
func (s *fleetLimiter) GateClosedFor(ctx context.Context) (time.Duration, error) {
	rem, err := s.f.GateClosedFor(ctx, s.scope)
	return rem, s.report(ctx, "gate", err)
}

// OpenGate implements throttle.Store.
func (s *fleetLimiter) OpenGate(ctx context.Context) error {
	return s.report(ctx, "gate", s.f.OpenGate(ctx, s.scope))
}

// UpdateRate implements throttle.Store: read, apply f on the store's clock,
// and write only if nobody wrote in between; a state f leaves as it was is
// not written at all.
func (s *fleetLimiter) UpdateRate(ctx context.Context, f func(throttle.RateState, time.Time) throttle.RateState) (throttle.RateState, error) {
	for range fleetRateRetries {
		cur, err := s.f.LoadRate(ctx, s.scope)
		if err != nil {
			return throttle.RateState{}, s.report(ctx, "rate", err)
		}
		old, _ := decodeRateState(cur.State)
		next := f(old, cur.Now)
		if next == old {
			return next, s.report(ctx, "rate", nil)
		}
		ok, err := s.f.SwapRate(ctx, s.scope, cur.Version, encodeRateState(next))
		if err != nil {
			return throttle.RateState{}, s.report(ctx, "rate", err)
		}
		if ok {
			return next, s.report(ctx, "rate", nil)
		}
	}
	return throttle.RateState{}, errRateContended // not a failure of the fleet: the limiter goes on from what it knew
}

// Reserve implements throttle.Store.
func (s *fleetLimiter) Reserve(ctx context.Context, b throttle.Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, error) {
	wait, ok, _, err := s.ReserveOpen(ctx, b, rate, burst, maxWait)
	return wait, ok, err
}

// ReserveOpen implements throttle.Shared.
func (s *fleetLimiter) ReserveOpen(ctx context.Context, b throttle.Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, time.Duration, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return 0, true, 0, nil
	}
	r := FleetReserve{Bucket: b.String(), Rate: rate, Burst: max(burst, 1), MaxWait: maxWait}
	if b == throttle.Learned {
		r.CountSlot = throttle.SendSlot
	}
	res, err := s.f.Reserve(ctx, s.scope, r)
	if err != nil {
		return 0, false, 0, s.report(ctx, "rate", err)
	}
	s.report(ctx, "rate", nil)
	return res.Wait, res.OK, res.GateClosed, nil
}

// Sends implements throttle.Shared.
func (s *fleetLimiter) Sends(ctx context.Context, window, ago time.Duration) ([]float64, bool, error) {
	want := int(window/throttle.SendSlot) + 1
	counts, err := s.f.Sends(ctx, s.scope, throttle.SendSlot, window, ago)
	if err != nil {
		return nil, false, s.report(ctx, "rate", err)
	}
	out := make([]float64, len(counts))
	for i, n := range counts {
		out[i] = float64(n)
	}
	return out, len(out) >= want, nil
}

// TakeBudget implements throttle.Store.
func (s *fleetLimiter) TakeBudget(ctx context.Context, n, capacity int64) (bool, error) {
	ok, err := s.f.TakeBudget(ctx, s.scope, n, capacity)
	return ok, s.report(ctx, "budget", err)
}

// GiveBudget implements throttle.Store.
func (s *fleetLimiter) GiveBudget(ctx context.Context, n, capacity int64) (bool, error) {
	full, err := s.f.GiveBudget(ctx, s.scope, n, capacity)
	return full, s.report(ctx, "budget", err)
}

// AcquireSlot implements throttle.Shared.
func (s *fleetLimiter) AcquireSlot(ctx context.Context, limit int) (func(), bool, error) {
	slot := s.holder + "|" + strconv.FormatUint(s.seq.Add(1), 10)
	ok, err := s.f.AcquireSlot(ctx, s.scope, slot, limit, fleetSlotTTL)
	if err != nil || !ok {
		return nil, false, s.report(ctx, "inflight", err)
	}
	s.report(ctx, "inflight", nil)
	return func() {
		// A release that fails leaves the slot to expire (fleetSlotTTL).
		s.report(context.Background(), "inflight", s.f.ReleaseSlot(context.Background(), s.scope, slot))
	}, true, nil
}

// fleetHealth reports each failure of the fleet to the observer, for the
// feature it failed ("token", "session", "lockout", "gate", "rate", …), and
// logs the switch to acting alone (at the first failure) and back (at the
// first success after one): once each, not on every call.
type fleetHealth struct {
	log      *slog.Logger
	obs      Observer // nil: none
	down, up string   // the two log lines
	degraded atomic.Bool
}

// outcome records err (nil: success) of an operation for feature, and
// returns err.
func (h *fleetHealth) outcome(feature string, err error) error {
	if err != nil && h.obs != nil {
		h.obs.FleetFallback(context.Background(), FleetFallbackEvent{Feature: feature, Err: err})
	}
	switch {
	case err != nil && !h.degraded.Swap(true):
		if h.log != nil {
			h.log.LogAttrs(context.Background(), slog.LevelWarn, h.down,
				slog.String("feature", feature), slog.String("error", err.Error()))
		}
	case err == nil && h.degraded.Load() && h.degraded.Swap(false):
		if h.log != nil {
			h.log.LogAttrs(context.Background(), slog.LevelInfo, h.up)
		}
	}
	return err
}

// The learned rate as the fleet stores it: a version byte, the flags, and
// six numbers (Since in unix nanoseconds of the store's clock; the last one
// reserved, zero).
const (
	rateStateVersion = 1
	rateStateLen     = 2 + 6*8
)

func encodeRateState(s throttle.RateState) []byte {
	b := make([]byte, rateStateLen)
	b[0] = rateStateVersion
	if s.Active {
		b[1] |= 1
	}
	if s.Probing {
		b[1] |= 2
	}
	var since int64
	if !s.Since.IsZero() {
		since = s.Since.UnixNano()
	}
	for i, v := range []uint64{
		math.Float64bits(s.Rate), math.Float64bits(s.Base), math.Float64bits(s.Max),
		math.Float64bits(s.Burst), uint64(since), 0,
	} {
		binary.BigEndian.PutUint64(b[2+8*i:], v)
	}
	return b
}

// decodeRateState reads what encodeRateState wrote. Anything else (none,
// another version, damage) is the zero state, the learned rate off: the
// next throttle starts it again.
func decodeRateState(b []byte) (throttle.RateState, error) {
	if len(b) == 0 {
		return throttle.RateState{}, nil
	}
	if len(b) != rateStateLen || b[0] != rateStateVersion || b[1]&^3 != 0 || binary.BigEndian.Uint64(b[2+8*5:]) != 0 {
		return throttle.RateState{}, errors.New("apierr: fleet: unreadable learned rate")
	}
	num := func(i int) float64 { return math.Float64frombits(binary.BigEndian.Uint64(b[2+8*i:])) }
	s := throttle.RateState{Active: b[1]&1 != 0, Probing: b[1]&2 != 0, Rate: num(0), Base: num(1), Max: num(2), Burst: num(3)}
	for _, v := range []float64{s.Rate, s.Base, s.Max, s.Burst} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return throttle.RateState{}, errors.New("apierr: fleet: unreadable learned rate")
		}
	}
	if ns := int64(binary.BigEndian.Uint64(b[2+8*4:])); ns != 0 {
		s.Since = time.Unix(0, ns)
	}
	return s, nil
}
