package apierr

import "errors"

// RetryBudget is a token bucket shared by every request of a Client, in the
// style of the aws-sdk-go-v2 standard retryer: each retry after a failure
// takes tokens and each success gives some back, so that against a server
// that keeps failing (5xx, network errors) the client stops retrying
// instead of multiplying the load on it. A request that finds the bucket
// short of tokens returns its last error at once.
//
// Free, because they are not a retry storm: a retry after a throttle (429,
// exos 300016, entrecode 1451), which waits at the client's gate until the
// time the server asked for (or the gate's backoff); a retry after a
// concurrency conflict (exos 400241, entrecode 373), which the server
// answered promptly; the auth replay after a refreshed token. RetryPolicy's
// MaxAttempts still bounds them.
// Capacity 0 (and so RetryBudget{}) turns the budget off; with a Capacity,
// a zero field takes its default (DefaultRetryBudget's value), as in
// RetryPolicy.
type RetryBudget struct {
	// Capacity is how many tokens the bucket holds; it starts full.
	// 0 turns the budget off: retries are then bounded only by the policy.
	Capacity int
	// RetryCost is taken by a retry after a failed response (502, 503,
	// 504, 408, and codes of class RetryTransient). 0: 5.
	RetryCost int
	// TimeoutCost is taken by a retry after a network error or timeout.
	// 0: 10.
	TimeoutCost int
	// Refund is given back by each request that succeeds at its first
	// attempt. A request that succeeds after retrying gives back the cost
	// of its last retry instead. 0: 1.
	Refund int
}

// DefaultRetryBudget returns the budget a Client uses unless
// WithRetryBudget says otherwise: 500 tokens, 5 per retry, 10 per retry
// after a network error, 1 back per first-attempt success (the
// aws-sdk-go-v2 defaults). With it, 100 retries after failures in a row
// drain the bucket.
func DefaultRetryBudget() RetryBudget {
	return RetryBudget{Capacity: 500, RetryCost: 5, TimeoutCost: 10, Refund: 1}
}

// withDefaults fills the zero costs of a budget that is on.
func (b RetryBudget) withDefaults() RetryBudget {
	if b.Capacity == 0 {
		return b
	}
	d := DefaultRetryBudget()
	if b.RetryCost == 0 {
		b.RetryCost = d.RetryCost
	}
	if b.TimeoutCost == 0 {
		b.TimeoutCost = d.TimeoutCost
	}
	if b.Refund == 0 {
		b.Refund = d.Refund
	}
	return b
}

// validate checks a budget whose defaults are filled.
func (b RetryBudget) validate() error {
	switch {
	case b.Capacity < 0:
		return errors.New("apierr: RetryBudget.Capacity must not be negative (0 turns the budget off)")
	case b.Capacity == 0:
		return nil
	case b.RetryCost <= 0:
		return errors.New("apierr: RetryBudget.RetryCost must not be negative (0 takes the default)")
	case b.TimeoutCost <= 0:
		return errors.New("apierr: RetryBudget.TimeoutCost must not be negative (0 takes the default)")
	case b.Refund < 0:
		return errors.New("apierr: RetryBudget.Refund must not be negative (0 takes the default)")
	}
	return nil
}
