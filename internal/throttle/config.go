package throttle

import (
	"errors"
	"math"
	"time"
)

// GateConfig tunes the gate.
type GateConfig struct {
	// MinBackoff and MaxBackoff bound how long a throttle that names no
	// wait closes the gate: after the nth throttle in a row, a uniformly
	// random time in [MinBackoff, min(MaxBackoff, MinBackoff·2ⁿ)] (the
	// client's RetryPolicy backoff, with full jitter).
	MinBackoff, MaxBackoff time.Duration
	// OutageAfter is how many transient failures in a row (502, 503, 504,
	// resets) close the gate for an outage.
	OutageAfter int
	// MinOutage and MaxOutage bound how long an outage closes the gate
	// before a probe may go: MinOutage doubled per failed probe, with
	// jitter, up to MaxOutage.
	MinOutage, MaxOutage time.Duration
	// Spread is the window over which callers waiting at the gate are let
	// through when it reopens, each at a random point, so that they do not
	// arrive at the server all at once.
	Spread time.Duration
}

// DefaultGateConfig returns the gate's defaults.
func DefaultGateConfig() GateConfig {
	return GateConfig{
		MinBackoff: 100 * time.Millisecond, MaxBackoff: 5 * time.Second,
		OutageAfter: 3,
		MinOutage:   100 * time.Millisecond, MaxOutage: time.Second,
		Spread: 100 * time.Millisecond,
	}
}

func (c GateConfig) validate() error {
	switch {
	case c.MinBackoff <= 0 || c.MaxBackoff < c.MinBackoff:
		return errors.New("throttle: GateConfig needs 0 < MinBackoff ≤ MaxBackoff")
	case c.OutageAfter < 1:
		return errors.New("throttle: GateConfig.OutageAfter must be at least 1")
	case c.MinOutage <= 0 || c.MaxOutage < c.MinOutage:
		return errors.New("throttle: GateConfig needs 0 < MinOutage ≤ MaxOutage")
	case c.Spread < 0:
		return errors.New("throttle: GateConfig.Spread must not be negative")
	}
	return nil
}

// Config configures a Limiter. The zero Config is not valid: start from
// DefaultConfig.
type Config struct {
	Clock Clock // the zero Clock: SystemClock
	Store Store // nil: a new Local on Clock
	Gate  GateConfig
	Learn RateConfig // the learned send rate; Learn.Off turns it off

	// Rate and Burst set a fixed send rate in requests per second, with
	// bursts of up to Burst (at least 1). Rate 0: none.
	Rate  float64
	Burst int
	// MaxInFlight caps the requests in flight in this process, or in the
	// whole fleet when the Store is Shared; 0: no cap.
	MaxInFlight int

	Budget BudgetConfig // Capacity 0: no retry budget
}

// DefaultConfig returns the gate and the learned rate on, no configured
// limits and no budget.
func DefaultConfig() Config {
	return Config{Gate: DefaultGateConfig(), Learn: DefaultRateConfig()}
}

func (c Config) validate() error {
	if err := c.Gate.validate(); err != nil {
		return err
	}
	if err := c.Learn.validate(); err != nil {
		return err
	}
	switch {
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return errors.New("throttle: Config.Rate must be a positive number of requests per second, or 0")
	case c.Rate > 0 && c.Burst < 1:
		return errors.New("throttle: Config.Burst must be at least 1 with a Rate")
	case c.MaxInFlight < 0:
		return errors.New("throttle: Config.MaxInFlight must not be negative")
	}
	return c.Budget.validate()
}
