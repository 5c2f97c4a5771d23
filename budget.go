package apierr

import (
	"errors"
	"sync/atomic"
)

// RetryBudget is a token bucket shared by every request of a Client, in the
// style of the aws-sdk-go-v2 standard retryer: each retry takes tokens and
// each success gives some back, so that during an outage the client stops
// retrying instead of multiplying the load on the server. A request that
// finds the bucket short of tokens returns its last error at once.
//
// The auth replay after a refreshed token is not charged. Capacity 0 (and
// so RetryBudget{}) turns the budget off; with a Capacity, a zero field
// takes its default (DefaultRetryBudget's value), as in RetryPolicy.
type RetryBudget struct {
	// Capacity is how many tokens the bucket holds; it starts full.
	// 0 turns the budget off: retries are then bounded only by the policy.
	Capacity int
	// RetryCost is taken by a retry after an error response. 0: 5.
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
// aws-sdk-go-v2 defaults). With it, 100 retries in a row drain the bucket.
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

// tokenBucket is the running RetryBudget. It is lock-free: in the steady
// state the bucket is full and a success does not write at all, so
// concurrent requests do not contend on it.
type tokenBucket struct {
	tokens      atomic.Int64
	capacity    int64
	retryCost   int64
	timeoutCost int64
	refund      int64
}

// newTokenBucket returns nil when the budget is off.
func newTokenBucket(b RetryBudget) *tokenBucket {
	if b.Capacity == 0 {
		return nil
	}
	t := &tokenBucket{
		capacity:    int64(b.Capacity),
		retryCost:   int64(b.RetryCost),
		timeoutCost: int64(b.TimeoutCost),
		refund:      int64(b.Refund),
	}
	t.tokens.Store(t.capacity)
	return t
}

// take removes n tokens; it reports false, taking none, when fewer are left.
func (t *tokenBucket) take(n int64) bool {
	for {
		cur := t.tokens.Load()
		if cur < n {
			return false
		}
		if t.tokens.CompareAndSwap(cur, cur-n) {
			return true
		}
	}
}

// give returns n tokens, up to the capacity.
func (t *tokenBucket) give(n int64) {
	for {
		cur := t.tokens.Load()
		if cur >= t.capacity || n <= 0 {
			return
		}
		if t.tokens.CompareAndSwap(cur, min(cur+n, t.capacity)) {
			return
		}
	}
}
