package apierr

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/throttle"
)

// minGateBackoff is the gate's shortest closure after a throttle that
// names no wait, when the policy's MinWait is 0.
const minGateBackoff = 10 * time.Millisecond

// limitsConfig collects the options about the server's limits.
type limitsConfig struct {
	adaptiveOff bool
	rate        float64
	burst       int
	maxInFlight int
}

// WithRateLimit sends at most rps requests per second, in bursts of up to
// burst, whatever the server says; callers wait for their slot within
// their context's deadline (a caller whose slot comes after its deadline
// gets an error at once). It adds to the learned rate, which stays on.
func WithRateLimit(rps float64, burst int) Option {
	return func(c *config) error {
		switch {
		case !(rps > 0) || math.IsInf(rps, 0):
			return errors.New("apierr: WithRateLimit: rps must be a positive number of requests per second")
		case burst < 1:
			return errors.New("apierr: WithRateLimit: burst must be at least 1")
		}
		c.limits.rate, c.limits.burst = rps, burst
		return nil
	}
}

// WithMaxInFlight caps the client's requests in flight at n: a caller
// waits, within its context, until another request's response has been
// read. USTA documents at most 5 concurrent connections per IP.
func WithMaxInFlight(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("apierr: WithMaxInFlight: n must be at least 1")
		}
		c.limits.maxInFlight = n
		return nil
	}
}

// WithAdaptiveRate turns the learned send rate on (the default) or off.
// Off, a throttle still closes the gate until the time the server asked
// for, but the client does not slow down after it.
func WithAdaptiveRate(on bool) Option {
	return func(c *config) error {
		c.limits.adaptiveOff = !on
		return nil
	}
}

// newLimiter builds the client's gate, rates and budget. The limiter's
// clock is the client's, so the tests' seams move it too (see
// clock.limiterNow). A throttle that names no wait closes the gate for the
// policy's backoff: MinWait doubled per throttle in a row, up to MaxWait.
// With a fleet that implements FleetLimits, the limiter's state is the
// fleet's (returned, for the client to start and stop its loop).
func newLimiter(cfg config, k *clock) (*throttle.Limiter, *fleetLimiter, error) {
	tc := throttle.DefaultConfig()
	tc.Clock = throttle.Clock{
		Now:    k.limiterNow,
		Jitter: k.random,
		Sleep:  func(ctx context.Context, d time.Duration) error { return k.wait(ctx, "gate", d) },
	}
	tc.Gate.MinBackoff = max(cfg.policy.MinWait, minGateBackoff)
	tc.Gate.MaxBackoff = max(cfg.policy.MaxWait, tc.Gate.MinBackoff)
	tc.Learn.Off = cfg.limits.adaptiveOff
	tc.Rate, tc.Burst = cfg.limits.rate, cfg.limits.burst
	tc.MaxInFlight = cfg.limits.maxInFlight
	tc.Budget = throttle.BudgetConfig{
		Capacity:    int64(cfg.budget.Capacity),
		RetryCost:   int64(cfg.budget.RetryCost),
		TimeoutCost: int64(cfg.budget.TimeoutCost),
		Refund:      int64(cfg.budget.Refund),
	}
	fl := newFleetLimiter(cfg)
	if fl != nil {
		tc.Store = fl
	}
	lim, err := throttle.New(tc)
	if err != nil {
		return nil, nil, err
	}
	return lim, fl, nil
}

// resultOf tells the limiter what an attempt says about the server. A
// wait asked for above MaxRetryAfter, which the client does not honour,
// closes the gate for MaxRetryAfter.
func (c *Client) resultOf(s *callState, o outcome) throttle.Result {
	asked := min(o.asked, c.policy.MaxRetryAfter)
	switch {
	case o.status >= 200 && o.status <= 299:
		return throttle.Result{Kind: throttle.Healthy}
	case o.class == codes.RetryBackoff:
		return throttle.Result{Kind: throttle.Throttled, Wait: asked, Asked: asked > 0, Cause: causeOf(s)}
	case o.class == codes.RetryTransient:
		return throttle.Result{Kind: throttle.Failed, Wait: asked, Asked: asked > 0, Cause: causeOf(s)}
	case o.status == 0:
		return throttle.Result{Kind: throttle.Abandoned} // ours: the context, a certificate, a bad request
	}
	return throttle.Result{Kind: throttle.Healthy} // the server answered: 4xx, a conflict, a configuration error
}

// causeOf is the call's last typed error as the gate keeps it: a copy,
// as the call goes on to annotate its own while other calls read the
// gate's.
func causeOf(s *callState) error {
	if s.lastProblem != nil {
		return s.lastProblem.clone()
	}
	return s.last
}

// retryKind says what a retry of o costs the budget: nothing when the
// server asked for a wait that the client honours (at the gate) or refused
// a racing write; tokens when it is failing.
func retryKind(o outcome) throttle.Retry {
	switch {
	case o.class == codes.RetryBackoff:
		return throttle.Honoured
	case o.class == codes.RetryConcurrency:
		return throttle.Conflict
	case o.status == 0:
		return throttle.Network
	}
	return throttle.Failure
}

// gateError is what beforeAttempt returns when the caller's deadline ends
// before the server's limits let it send. Do turns it into the typed error
// of the response that closed the gate, with RetryAfter set.
type gateError struct {
	wait  time.Duration
	cause error // the typed error that closed the gate; nil: none known
}

func (e *gateError) Error() string {
	return "apierr: the server's limits let the request go only in " + e.wait.String() + ", after its deadline"
}

// Unwrap returns context.DeadlineExceeded, as the deadline is what is short.
func (e *gateError) Unwrap() error { return context.DeadlineExceeded }

// asGateError returns err's *gateError, nil when it has none. Only the
// error path calls it: errors.As's target escapes.
func asGateError(err error) *gateError {
	var ge *gateError
	if errors.As(err, &ge) {
		return ge
	}
	return nil
}

// typed returns the error Do gives for e: the call's own last typed error,
// or a copy of the response that closed the gate, annotated for this call;
// in both cases with RetryAfter set to the wait that was needed.
func (e *gateError) typed(s *callState) error {
	if s.lastProblem != nil {
		s.lastProblem.setRetryAfter(e.wait)
		return s.last
	}
	var p problem
	if e.cause == nil || !errors.As(e.cause, &p) {
		return e
	}
	q := p.clone()
	q.annotate(0, s.method, s.redactedURL())
	q.setRetryAfter(e.wait)
	return q
}
