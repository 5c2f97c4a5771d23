package apierr

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"golang.org/x/oauth2"
)

// endpointRetry retries token and login requests (429, 5xx, network
// errors) under the client's RetryPolicy: exponential backoff with full
// jitter, Retry-After honoured up to MaxRetryAfter and the context deadline.
type endpointRetry struct {
	policy RetryPolicy
	sleep  func(ctx context.Context, d time.Duration) error // seam for tests
	jitter func() float64                                   // in [0, 1)
	now    func() time.Time
}

// newEndpointRetry uses the client's policy, jitter and clock.
func newEndpointRetry(c *Client) endpointRetry {
	r := endpointRetry{policy: c.policy, sleep: sleepCtx, jitter: c.jitter, now: c.now}
	if r.jitter == nil {
		r.jitter = rand.Float64
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// attempt makes one request. It returns the token, or the typed error and
// whether sending the request again may help.
type attempt func(ctx context.Context) (*oauth2.Token, *AuthError, bool)

// do runs call until it succeeds, fails for good or the attempts run out.
// When the server asks for a longer wait than the policy or the deadline
// allows, it stops at once and the error holds the wait it asked for; the
// cache then fails fast for that long, but never longer than MaxRetryAfter:
// a server must not lock the client out for a year with one header.
func (r endpointRetry) do(ctx context.Context, call attempt) (*oauth2.Token, error) {
	attempts := max(r.policy.MaxAttempts, 1)
	for n := 1; ; n++ {
		tok, err, again := call(ctx)
		if err == nil {
			return tok, nil
		}
		var p problem
		if errors.As(err.Err, &p) {
			p.setAttempts(n) // what the endpoint's error says, as an API error would
		}
		if !again || n >= attempts {
			if err.RetryAfter > 0 && err.hold == 0 {
				err.hold = r.bounded(err.RetryAfter)
			}
			return nil, err
		}
		wait := err.RetryAfter
		if wait == 0 {
			wait = r.policy.backoff(n, r.jitter())
		} else if r.policy.MaxRetryAfter > 0 && wait > r.policy.MaxRetryAfter {
			err.hold = r.bounded(wait)
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok && r.now().Add(wait).After(dl) {
			if err.RetryAfter > 0 {
				err.hold = r.bounded(err.RetryAfter)
			}
			return nil, err
		}
		if serr := r.sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// bounded is a server's wait as the client honours it: at most MaxRetryAfter.
func (r endpointRetry) bounded(d time.Duration) time.Duration {
	if r.policy.MaxRetryAfter > 0 {
		return min(d, r.policy.MaxRetryAfter)
	}
	return d
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
