package apierr

import (
	"context"
	"math/rand/v2"
	"time"

	"golang.org/x/oauth2"
)

// Fallbacks when the client's policy leaves a field at zero.
const (
	authMinWait = 100 * time.Millisecond
	authMaxWait = 5 * time.Second
)

// endpointRetry retries token and login requests (429, 5xx, network
// errors) under the client's RetryPolicy: exponential backoff with full
// jitter, Retry-After honoured up to MaxRetryAfter and the context deadline.
type endpointRetry struct {
	policy RetryPolicy
	sleep  func(ctx context.Context, d time.Duration) error // seam for tests
	jitter func(n int64) int64                              // uniform in [0, n)
	now    func() time.Time
}

func newEndpointRetry(p RetryPolicy) endpointRetry {
	return endpointRetry{policy: p, sleep: sleepCtx, jitter: rand.Int64N, now: time.Now}
}

// attempt makes one request. It returns the token, or the typed error and
// whether sending the request again may help.
type attempt func(ctx context.Context) (*oauth2.Token, *AuthError, bool)

// do runs call until it succeeds, fails for good or the attempts run out.
// When the server asks for a longer wait than the policy or the deadline
// allows, it stops at once and the error holds the wait, so that the cache
// fails fast until it is over.
func (r endpointRetry) do(ctx context.Context, call attempt) (*oauth2.Token, error) {
	attempts := max(r.policy.MaxAttempts, 1)
	for n := 1; ; n++ {
		tok, err, again := call(ctx)
		if err == nil {
			return tok, nil
		}
		if !again || n >= attempts {
			if err.RetryAfter > 0 && err.hold == 0 {
				err.hold = err.RetryAfter
			}
			return nil, err
		}
		wait := err.RetryAfter
		if wait == 0 {
			wait = r.backoff(n)
		} else if r.policy.MaxRetryAfter > 0 && wait > r.policy.MaxRetryAfter {
			err.hold = wait
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok && r.now().Add(wait).After(dl) {
			if err.RetryAfter > 0 {
				err.hold = err.RetryAfter
			}
			return nil, err
		}
		if serr := r.sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// backoff is the wait before attempt n+1: uniform in [MinWait, MinWait·2^(n-1)],
// capped at MaxWait.
func (r endpointRetry) backoff(n int) time.Duration {
	lo, hi := r.policy.MinWait, r.policy.MaxWait
	if lo <= 0 {
		lo = authMinWait
	}
	if hi <= 0 {
		hi = max(authMaxWait, lo)
	}
	ceil := lo
	for i := 1; i < n && ceil < hi; i++ {
		if ceil > hi/2 {
			ceil = hi // doubling would pass hi, or overflow
			break
		}
		ceil *= 2
	}
	ceil = min(ceil, hi)
	if ceil <= lo {
		return lo
	}
	return lo + time.Duration(r.jitter(int64(ceil-lo)+1))
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
