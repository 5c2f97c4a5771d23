package throttle

import (
	"context"
	"errors"
	"sync/atomic"
)

// BudgetConfig is the retry budget: a token bucket shared by every request
// of a client that stops retries against a server that keeps failing.
type BudgetConfig struct {
	Capacity    int64 // tokens; the bucket starts full. 0 turns the budget off.
	RetryCost   int64 // a retry after a failed response (5xx)
	TimeoutCost int64 // a retry after a network error or timeout
	Refund      int64 // given back by a request that succeeds at its first attempt
}

func (c BudgetConfig) validate() error {
	switch {
	case c.Capacity < 0:
		return errors.New("throttle: BudgetConfig.Capacity must not be negative")
	case c.Capacity == 0:
		return nil
	case c.RetryCost <= 0 || c.TimeoutCost <= 0:
		return errors.New("throttle: BudgetConfig.RetryCost and TimeoutCost must be positive")
	case c.Refund < 0:
		return errors.New("throttle: BudgetConfig.Refund must not be negative")
	}
	return nil
}

// Retry says why a request is about to be sent again; it decides what the
// retry costs.
type Retry uint8

const (
	// Honoured: the server asked for a wait (a throttle, with or without
	// Retry-After) and the client waits it out, at the gate or before the
	// retry. Free: the server is pacing us, not failing.
	Honoured Retry = iota
	// Conflict: the server refused a write that raced another (exos
	// 400241). Free: the server is healthy; MaxAttempts bounds it.
	Conflict
	// Failure: a response that says the server is failing (5xx). RetryCost.
	Failure
	// Network: no response, or a timeout. TimeoutCost.
	Network
)

// Budget is the running retry budget. Its tokens live in the Store; it
// remembers locally whether the bucket is full, so that in the steady state
// a success neither locks nor writes.
type Budget struct {
	cfg      BudgetConfig
	store    Store
	fallback *Local
	full     atomic.Bool
}

func newBudget(cfg BudgetConfig, store Store, fallback *Local) *Budget {
	if cfg.Capacity == 0 {
		return nil
	}
	b := &Budget{cfg: cfg, store: store, fallback: fallback}
	b.full.Store(true)
	return b
}

// Config returns the budget's configuration (the zero config when off).
func (b *Budget) Config() BudgetConfig {
	if b == nil {
		return BudgetConfig{}
	}
	return b.cfg
}

// Cost is what a retry of kind r takes from the budget.
func (b *Budget) Cost(r Retry) int64 {
	switch {
	case b == nil:
		return 0
	case r == Failure:
		return b.cfg.RetryCost
	case r == Network:
		return b.cfg.TimeoutCost
	}
	return 0
}

// Spend takes the cost of a retry of kind r, and reports false, taking
// nothing, when the budget is short of it. A nil Budget (off) always
// allows. It returns the cost taken, for Succeeded.
func (b *Budget) Spend(r Retry) (cost int64, ok bool) {
	cost = b.Cost(r)
	if cost == 0 {
		return 0, true
	}
	b.full.Store(false)
	ok, err := b.store.TakeBudget(context.Background(), cost, b.cfg.Capacity)
	if err != nil {
		ok, _ = b.fallback.TakeBudget(context.Background(), cost, b.cfg.Capacity)
	}
	if !ok {
		return 0, false
	}
	return cost, true
}

// Succeeded gives tokens back after a success: Refund when the request
// succeeded at its first attempt, else lastCost, the cost of its last retry.
func (b *Budget) Succeeded(retried bool, lastCost int64) {
	if b == nil || b.full.Load() {
		return
	}
	n := b.cfg.Refund
	if retried {
		n = lastCost
	}
	if n <= 0 {
		return
	}
	full, err := b.store.GiveBudget(context.Background(), n, b.cfg.Capacity)
	if err != nil {
		full, _ = b.fallback.GiveBudget(context.Background(), n, b.cfg.Capacity)
	}
	if full {
		b.full.Store(true)
	}
}

// Left returns the tokens left in the budget when its Store is a Local (0,
// false otherwise, or when the budget is off): for tests and diagnostics.
func (b *Budget) Left() (int64, bool) {
	if b == nil {
		return 0, false
	}
	l, ok := b.store.(*Local)
	if !ok {
		return 0, false
	}
	return b.cfg.Capacity - l.spent.Load(), true
}
