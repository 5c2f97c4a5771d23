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
// (as aws-sdk-go-v2's adaptive mode does): each throttle cuts the rate to
// RateConfig.Cut times the rate the server was accepting (Max), and
// successes grow it back along a cubic curve that stays flat around Max
// for a while before probing above it. After RateConfig.Quiet without a
// throttle, when the rate no longer limits what the callers send, it turns
// off again.
type RateState struct {
	Active  bool      // the rate limits sending
	Probing bool      // still looking for the limit: the rate doubles
	Rate    float64   // requests per second allowed now
	Base    float64   // probing: the rate at Since
	Max     float64   // CUBIC's W_max: the accepted rate at the last cut
	Since   time.Time // when the rate was last cut (store clock)
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
	// Burst is how many requests may go at once at the learned rate.
	Burst int
	// Quiet is how long after the last throttle the rate may turn off.
	Quiet time.Duration
}

// DefaultRateConfig returns the learned rate's defaults.
func DefaultRateConfig() RateConfig {
	return RateConfig{Cut: 0.9, Scale: 0.4, Doubling: 250 * time.Millisecond, Min: 0.5, Burst: 2, Quiet: time.Minute}
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
	case c.Burst < 1:
		return errors.New("throttle: RateConfig.Burst must be at least 1")
	case c.Quiet <= 0:
		return errors.New("throttle: RateConfig.Quiet must be positive")
	}
	return nil
}

// Throttle is the learned rate after a throttle at now. accepted is the
// rate at which the server accepted requests before it (0: unknown).
func (c RateConfig) Throttle(s RateState, now time.Time, accepted float64) RateState {
	if !s.Active {
		r := max(c.Min, c.Cut*accepted)
		return RateState{Active: true, Probing: true, Rate: r, Base: r, Since: now}
	}
	limit := s.Rate
	if accepted > 0 && accepted < limit {
		limit = accepted // we sent faster than the server let through
	}
	return RateState{Active: true, Rate: max(c.Min, c.Cut*limit), Max: limit, Since: now}
}

// Grow is the learned rate after successes at now; demand is the rate at
// which the callers' requests are being accepted (0: unknown). Outside
// probing the rate grows to at most twice the demand, so that it does not
// climb far beyond what is being sent and let a burst through later.
func (c RateConfig) Grow(s RateState, now time.Time, demand float64) RateState {
	if !s.Active {
		return s
	}
	t := now.Sub(s.Since).Seconds()
	if t < 0 {
		return s
	}
	if s.Probing {
		s.Rate = max(c.Min, s.Base*math.Exp2(min(t/c.Doubling.Seconds(), 60)))
		return s
	}
	k := math.Cbrt(s.Max * (1 - c.Cut) / c.Scale)
	r := c.Scale*math.Pow(t-k, 3) + s.Max
	if demand > 0 {
		r = min(r, max(2*demand, s.Max))
	}
	s.Rate = max(c.Min, r)
	if now.Sub(s.Since) >= c.Quiet && demand > 0 && s.Rate >= 2*demand {
		return RateState{} // it no longer limits anything
	}
	return s
}
