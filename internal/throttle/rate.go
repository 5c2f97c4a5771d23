package throttle

import (
	"errors"
	"math"
	"time"
)

// RateState is the learned send rate, as a Store keeps it. Its instants are
// read from the store's clock.
//
// The rate is off until the first throttle. It then probes: starting from
// what the server accepted before the throttle, it doubles every
// RateConfig.Doubling until the next throttle. From there it follows CUBIC
// (as aws-sdk-go-v2's adaptive mode does) around Max, the server's rate
// estimated at the last throttle: the curve starts at Base, rises to Max
// over CUBIC's K, stays flat around it for a while and then probes above
// it. A throttle met while the learned rate was what held the callers back
// (the probe, or the curve, ran into the limit) gives a well-supported
// estimate: Base is Max, the rate stays at the estimate for RateConfig.Hold
// (at least K) before it probes above. A throttle met while the callers
// sent less than the rate allowed says less (the callers' own demand ran
// into the limit, or the server throttled at random): the rate is cut to
// RateConfig.Cut times the estimate and grows back along the curve.
//
// The rate turns off again when it no longer limits anything: probing
// that has gone far above what the callers send, for RateConfig.Idle;
// and, after RateConfig.Quiet without a throttle, a rate twice the demand.
type RateState struct {
	Active  bool      // the rate limits sending
	Probing bool      // still looking for the limit: the rate doubles
	Rate    float64   // requests per second allowed now
	Base    float64   // the rate at Since: where probing doubles from, or the curve starts
	Max     float64   // CUBIC's W_max: the server's rate estimated at the last throttle
	Burst   float64   // the server's burst, estimated at the first throttle
	Since   time.Time // when the gate reopened after the last throttle (store clock)
}

// RateConfig tunes the learned rate.
type RateConfig struct {
	// Off turns the learned rate off: throttles still close the gate.
	Off bool
	// Cut is the factor a throttle multiplies the accepted rate by (CUBIC's
	// β), in (0, 1).
	Cut float64
	// Scale is CUBIC's C: how fast the rate grows back, in requests/s per s³.
	Scale float64
	// Doubling is how long the probing rate takes to double.
	Doubling time.Duration
	// Min is the lowest rate, in requests per second.
	Min float64
	// Start is the lowest rate probing starts from after the first
	// throttle, when little was accepted before it.
	Start float64
	// Burst is how many requests may go at once at the learned rate.
	Burst int
	// Quiet is how long after the last throttle the rate may turn off.
	Quiet time.Duration
	// Idle is how long probing may run far above what the callers send
	// before it turns off: it no longer limits anything.
	Idle time.Duration
	// Hold is how long a well-supported estimate of the server's rate
	// holds before the rate probes above it (CUBIC's K when that is
	// longer). A probe above a server's fixed limit ends in a throttle
	// whose closure (a Retry-After, a second typically) idles the server:
	// probing from K on (a throttle every ~15 s at 200/s) costs some 6 %
	// of it.
	Hold time.Duration
}

// DefaultRateConfig returns the learned rate's defaults.
func DefaultRateConfig() RateConfig {
	return RateConfig{Cut: 0.97, Scale: 0.02, Doubling: 100 * time.Millisecond, Min: 0.5, Start: 10, Burst: 2, Quiet: time.Minute, Idle: 5 * time.Second, Hold: 30 * time.Second}
}

func (c RateConfig) validate() error {
	switch {
	case c.Off:
		return nil
	case !(c.Cut > 0 && c.Cut < 1):
		return errors.New("throttle: RateConfig.Cut must be in (0, 1)")
	case !(c.Scale > 0) || math.IsInf(c.Scale, 0):
		return errors.New("throttle: RateConfig.Scale must be positive")
	case c.Doubling <= 0:
		return errors.New("throttle: RateConfig.Doubling must be positive")
	case !(c.Min > 0) || math.IsInf(c.Min, 0):
		return errors.New("throttle: RateConfig.Min must be positive")
	case c.Start < 0 || math.IsInf(c.Start, 0) || math.IsNaN(c.Start):
		return errors.New("throttle: RateConfig.Start must not be negative")
	case c.Burst < 1:
		return errors.New("throttle: RateConfig.Burst must be at least 1")
	case c.Quiet <= 0:
		return errors.New("throttle: RateConfig.Quiet must be positive")
	case c.Idle <= 0:
		return errors.New("throttle: RateConfig.Idle must be positive")
	case c.Hold < 0:
		return errors.New("throttle: RateConfig.Hold must not be negative")
	}
	return nil
}

// Observed is what a limiter saw up to a throttle.
type Observed struct {
	// Accepted is how many requests the server accepted since the gate
	// last opened (or the limiter was made), Window ago. While the learned
	// rate is in force: the sends before the throttled one since the gate
	// opened (the fleet's, when shared), over the time up to it.
	Accepted float64
	Window   time.Duration
	// Share says that Accepted is one fleet member's share of what the
	// server accepted, at its first throttle since the learned rate was
	// off: the shares of the throttles that turned the rate on add up to
	// the server's burst.
	Share bool
	// Burst is what the server accepted in the window before the previous
	// closure, late answers included, when that window was under a second
	// (see Limiter.burstSeen); 0: not known. In a fleet, this process's
	// part of it.
	Burst float64
	// Limit is the server's rate estimated from this process's sends
	// (see EstimateLimit), less a safety margin of a percent; 0 when it
	// could not be told.
	Limit float64
	// Recent is the rate the sends before the throttled one went at over
	// about the last Doubling (the fleet's when shared); 0: not known.
	Recent float64
	// Evidence is how many sends Limit was estimated from. A bucket that
	// refilled during the closure runs dry only after its burst and what
	// it refilled meanwhile: with fewer than twice the burst, the throttle
	// may be a stray one as much as a limit.
	Evidence float64
	// Limiting says that the learned rate was what held the callers back
	// when the server's bucket ran dry: they sent about as fast as it
	// allowed. Limit is then well supported: the rate ran into the limit.
	Limiting bool
	// Closed is how long the gate stays closed: growth starts when it
	// reopens.
	Closed time.Duration
}

// Throttle is the learned rate after a throttle at now.
//
// The first throttle starts probing from what was accepted over a second;
// what was accepted within less than a second is the server's burst, and
// the probe starts from burstProbe times it a second. Later throttles set
// Max to the estimated limit: a well-supported one (from at least twice
// the burst in sends, while the learned rate was limiting) becomes the
// rate as it is, one the callers' own demand ran into is cut to Cut times
// it. With fewer sends the rate probes again from Cut times the geometric
// mean of the estimate and itself; without an estimate, from Cut times
// itself or what the server accepted.
func (c RateConfig) Throttle(s RateState, now time.Time, t Observed) RateState {
	reopen := now.Add(max(0, t.Closed))
	if !s.Active {
		burst, r := 0.0, c.Cut*t.Accepted/max(t.Window, time.Second).Seconds()
		if t.Window < time.Second {
			// What was accepted within a second is the server's burst,
			// which says nothing of its rate.
			burst, r = t.Accepted, burstProbe*c.Cut*t.Accepted
		}
		r = max(c.Min, c.Start, r)
		return RateState{Active: true, Probing: true, Rate: r, Base: r, Burst: burst, Since: reopen}
	}
	if t.Share && t.Window < time.Second {
		// Another member of the fleet turned the rate on at this closure:
		// what this one saw accepted adds to the burst it counted.
		if s, ok := c.withShare(s, t.Accepted, reopen); ok {
			return s
		}
	}
	if now.Before(s.Since) {
		// The gate has not reopened since the last throttle set the rate:
		// this one (another fleet member's answer from the same burst)
		// says nothing of the rate set, which has not been tried yet.
		// Its evidence is the same, read at another send: one estimate
		// per closure, not the least of several.
		s.Since = maxTime(s.Since, reopen)
		return s
	}
	current := c.rateAt(s, now) // the stored Rate lags while probing
	burst := max(s.Burst, t.Burst)
	limit := t.Limit
	// What the server was seen to let through since the gate opened, when
	// that is enough to tell a rate by: on average (its burst included),
	// and beyond its burst (a rate it sustained; the burst, when unknown,
	// taken as a tenth of a second's worth, as estimateLimit does).
	accepted, sustained := 0.0, 0.0
	if t.Window > 0 && t.Accepted >= minEvidence {
		w := t.Window.Seconds()
		// Not less than a tenth of a second's worth: a burst counted too
		// small (a fleet's, with answers missing) must not pass for a
		// sustained rate.
		b := max(burst, t.Accepted*min(1, 0.1/w))
		accepted, sustained = t.Accepted/w, max(0, t.Accepted-b)/w
	}
	if seen := max(accepted, t.Recent); limit > 0 && seen > 0 && limit > overEstimate*seen {
		// An estimate far above what the server let through, over the
		// window or over its last stretch, is one the evidence does not
		// bear out (sends that look bunched, a burst taken too small): not
		// installed. The last stretch counts because a probe's average
		// over the window is held down by its slow start: a probe that
		// started at a tenth of the limit averages about 0.6 of it.
		limit = 0
	}
	if !(limit > 0) {
		// No estimate (too few sends to tell, or none to trust): probe
		// again, from below the rate. When the server accepted enough
		// since the gate reopened to tell a rate by, not from above both
		// the rate the gate reopened at and below what it sustained: a
		// probe overshoots the limit, and throttles met soon after each
		// reopening, its burst just spent, would otherwise restart it each
		// time from higher up, and it would climb without end. (Nor from
		// below where it reopened: throttles that keep coming would wear
		// it down to nothing.) With fewer accepted, a stray throttle is as
		// likely as a limit: from below the rate.
		r := max(c.Min, c.Cut*current)
		if accepted > 0 {
			r = max(c.Min, min(r, max(c.rateAt(s, s.Since), c.Cut*sustained)))
		}
		return RateState{Active: true, Probing: true, Rate: r, Base: r, Burst: burst, Since: reopen}
	}
	limit = max(c.Min, min(limit, current)) // not above the rate we sent at
	if t.Evidence < max(minEvidence, 2*burst) {
		// Too few sends to tell a limit from a stray throttle: probe
		// again from halfway (in ratio) between the estimate and the rate.
		// Stray throttles then slow the callers little and briefly; a
		// limit there soon throttles the probe again, with more sends to
		// tell it by, each time closer to it.
		r := max(c.Min, c.Cut*math.Sqrt(limit*current))
		return RateState{Active: true, Probing: true, Rate: r, Base: r, Burst: burst, Since: reopen}
	}
	base := limit
	if !t.Limiting {
		base = max(c.Min, c.Cut*limit)
	}
	return RateState{Active: true, Rate: base, Base: base, Max: limit, Burst: burst, Since: reopen}
}

// EstimateLimit estimates the server's rate from the requests sent in
// consecutive slots of length slot, oldest first, the last of which holds
// the send that met a throttle. The server is taken to be a token bucket
// of burst tokens that held start tokens when the first slot began, and
// the last slot's sends to be spread over it, so that the throttled one
// comes halfway through it, after half of the others. The sends before it
// bound the server's rate: at the lowest rate, the bucket fed them would
// just not have run dry; at the highest, it would just not have held a
// token for the throttled send. The estimate is the middle of the two
// (they are a token's worth of refill apart over the time the bucket took
// to drain). 0: nothing to tell (fewer than two slots, or sends that
// would not have emptied the bucket).
func EstimateLimit(sends []float64, slot time.Duration, burst, start float64) float64 {
	return estimateLimitAt(sends, slot, burst, start, 0.5, 0.5)
}

// estimateLimitAt is EstimateLimit for a throttled send that came at the
// share at of its slot, after the share before of that slot's other sends.
func estimateLimitAt(sends []float64, slot time.Duration, burst, start, at, before float64) float64 {
	if len(sends) < 2 || slot <= 0 {
		return 0
	}
	dt := slot.Seconds()
	last := len(sends) - 1
	// left is how many tokens the bucket would have held when the
	// throttled send came, at rate r, or -1 if one of the sends before it
	// would have found it empty.
	left := func(r float64) float64 {
		b := min(burst, start)
		for i, n := range sends {
			refill := r * dt
			if i == last {
				refill, n = refill*at, max(0, n-1)*before
			}
			// The slot's sends and refill are spread over it: the bucket
			// is capped only after both.
			if b = min(burst, b+refill-n); b < 0 {
				return -1
			}
		}
		return b
	}
	peak := 0.0
	for _, n := range sends {
		peak = max(peak, n/dt)
	}
	// Nothing to tell when the bucket would have held a token for the
	// throttled send without any refill, or would not have at twice the
	// fastest the sends came.
	if peak == 0 || left(0) >= 1 || left(2*peak) < 1 {
		return 0
	}
	// The send before the throttled one found a token, and the bucket
	// refilled for the time between sends since: the lower bound leaves
	// that much in it.
	gap := 0.0
	if prev := sends[max(0, last-2):last]; len(prev) > 0 {
		for _, n := range prev {
			gap += n
		}
		if gap > 0 {
			gap = float64(len(prev)) * dt / gap
		}
	}
	lo := bisect(0, 2*peak, func(r float64) bool { return left(r) >= min(1, r*gap) })
	hi := bisect(lo, 2*peak, func(r float64) bool { return left(r) >= 1 })
	return (lo + hi) / 2
}

// bisect returns the least x in [lo, hi] for which ok(x) holds, ok being
// false below some point and true above it.
func bisect(lo, hi float64, ok func(float64) bool) float64 {
	for range 40 {
		mid := (lo + hi) / 2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// rateAt is the rate s let requests go at, at time t: while probing,
// Base doubled every Doubling since Since; else CUBIC's curve around Max,
// which takes K to rise from Cut times Max back to it, but never below
// Base (a well-supported Max, Base = Max, holds for Hold, or K).
func (c RateConfig) rateAt(s RateState, t time.Time) float64 {
	d := max(0, t.Sub(s.Since).Seconds()) // before Since the gate is closed
	if s.Probing {
		return max(c.Min, s.Base*math.Exp2(min(d/c.Doubling.Seconds(), 60)))
	}
	k := math.Cbrt(s.Max * (1 - c.Cut) / c.Scale)
	if s.Base >= s.Max {
		k = max(k, c.Hold.Seconds())
	}
	return max(c.Min, s.Base, c.Scale*math.Pow(d-k, 3)+s.Max)
}

// Grow is the learned rate after successes at now; demand is the rate at
// which the callers' requests are being accepted (0: unknown). Outside
// probing the rate grows to at most twice the demand, so that it does not
// climb far beyond what is being sent and let a burst through later.
//
// The rate turns off when it no longer limits anything: probing that has
// run for Idle and reached more than farAbove times the demand (the
// callers do not need more: no throttle will end it), and a curve at twice
// the demand Quiet after the last throttle.
func (c RateConfig) Grow(s RateState, now time.Time, demand float64) RateState {
	if !s.Active {
		return s
	}
	if now.Before(s.Since) {
		return s // the gate has not reopened yet
	}
	r := c.rateAt(s, now)
	if s.Probing {
		if demand > 0 && r >= farAbove*demand && now.Sub(s.Since) >= c.Idle {
			return RateState{}
		}
		s.Rate = r
		return s
	}
	if demand > 0 {
		r = min(r, max(2*demand, s.Max))
	}
	s.Rate = max(c.Min, r)
	if now.Sub(s.Since) >= c.Quiet && demand > 0 && s.Rate >= 2*demand {
		return RateState{} // it no longer limits anything
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// withShare adds n, what was seen accepted of the server's burst besides
// what s counted (a fleet member's share, or answers that came late), to
// s's burst, when s is the probe that a closure ending at reopen (the
// store's clock) started, and raises the probe's start to what the burst
// calls for; false, s unchanged, otherwise.
func (c RateConfig) withShare(s RateState, n float64, reopen time.Time) (RateState, bool) {
	if !s.Active || !s.Probing || s.Max != 0 || reopen.Sub(s.Since).Abs() > sameClosure {
		return s, false
	}
	s.Burst += n
	if r := burstProbe * c.Cut * s.Burst; r > s.Base {
		s.Base, s.Rate = r, r
	}
	return s, true
}

// sameClosure is how far apart two fleet members' reopenings may be for
// their throttles to count as one closure's: the shared gate reopens once,
// extended by throttles answered a little later.
const sameClosure = 100 * time.Millisecond

// overEstimate is how far above the rate the server was seen to accept
// over the same time an estimate of its limit may be: the burst at the
// start of that time lets the accepted rate exceed the limit, not fall
// far below it, while callers kept sending.
const overEstimate = 1.5

// burstProbe is how many times its burst a second the probe starts from
// when the server's burst ran out within a second. The probe overshoots a
// bucket that takes a second to refill at its first doubling whatever it
// starts from, and each doubling below the server's rate leaves the server
// idle: this saves two for a bucket that refills in a tenth of a second.
const burstProbe = 4

// farAbove is how far above the demand a probing rate has gone when it no
// longer limits anything: callers that kept up with a rate doubling every
// Doubling send more than half of it.
const farAbove = 8
