package apierr

import (
	"context"
	"errors"
	"net/http"

	"github.com/accessapi/apierr/codes"
	"golang.org/x/oauth2"
)

// endpointRetry retries token requests and exos logins (429, 5xx, network
// errors) with the rule API calls use (RetryPolicy.decide): exponential
// backoff with full jitter, Retry-After honoured up to MaxRetryAfter and
// the context deadline. A token request may be sent again whatever its
// method: it changes nothing on the server.
type endpointRetry struct {
	policy RetryPolicy
	clock  *clock
}

// attempt makes one request. It returns the token, or the typed error and
// whether sending the request again may help.
type attempt func(ctx context.Context) (*oauth2.Token, *AuthError, bool)

// do runs call until it succeeds, fails for good or the attempts run out.
// When it stops while the server asked for a wait (too long for the policy
// or the deadline, or no attempts left), the error holds that wait, so that
// the cache fails fast until it is over.
func (r endpointRetry) do(ctx context.Context, call attempt) (*oauth2.Token, error) {
	for n := 1; ; n++ {
		tok, err, again := call(ctx)
		if err == nil {
			return tok, nil
		}
		var p problem
		if errors.As(err.Err, &p) {
			p.setAttempts(n) // what the endpoint's error says, as an API error would
		}
		class := codes.RetryNever
		switch {
		case !again:
		case err.Status == http.StatusTooManyRequests:
			class = codes.RetryBackoff
		default:
			class = codes.RetryTransient
		}
		v := r.policy.decide(retryCase{
			class: class, idempotent: true, retries: n - 1, asked: err.RetryAfter,
			deadline: r.clock.left(ctx), jitter: r.clock.random(),
		})
		if !v.retry {
			if err.RetryAfter > 0 && err.hold == 0 {
				err.hold = err.RetryAfter
			}
			return nil, err
		}
		if r.clock.wait(ctx, "token endpoint", v.wait) != nil {
			return nil, err
		}
	}
}
