package throttle

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBudgetCosts(t *testing.T) {
	b := newBudget(BudgetConfig{Capacity: 20, RetryCost: 5, TimeoutCost: 10, Refund: 1}, NewLocal(Clock{}), NewLocal(Clock{}))
	tests := []struct {
		r    Retry
		cost int64
	}{
		{Honoured, 0}, {Conflict, 0}, {Failure, 5}, {Network, 10},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.cost, b.Cost(tt.r), "retry kind %d", tt.r)
	}
	var nilBudget *Budget
	cost, ok := nilBudget.Spend(Network)
	assert.True(t, ok, "no budget: every retry allowed")
	assert.Zero(t, cost)
	nilBudget.Succeeded(false, 0)
}

func TestBudgetStopsFailuresNotHonouredWaits(t *testing.T) {
	b := newBudget(BudgetConfig{Capacity: 20, RetryCost: 5, TimeoutCost: 10, Refund: 1}, NewLocal(Clock{}), NewLocal(Clock{}))
	for i := range 1000 {
		_, ok := b.Spend(Honoured)
		assert.True(t, ok, "honoured wait %d", i)
	}
	cost, ok := b.Spend(Network)
	assert.True(t, ok)
	assert.Equal(t, int64(10), cost)
	_, ok = b.Spend(Failure)
	assert.True(t, ok)
	_, ok = b.Spend(Network)
	assert.False(t, ok, "5 left, 10 needed")
	_, ok = b.Spend(Failure)
	assert.True(t, ok)
	_, ok = b.Spend(Failure)
	assert.False(t, ok, "empty")
	_, ok = b.Spend(Conflict)
	assert.True(t, ok, "a conflict is free even when the budget is empty")

	// Five first-attempt successes give back 5 tokens; a success after a
	// retry gives back that retry's cost.
	for range 5 {
		b.Succeeded(false, 0)
	}
	_, ok = b.Spend(Failure)
	assert.True(t, ok)
	b.Succeeded(true, 10)
	cost, ok = b.Spend(Network)
	assert.True(t, ok)
	assert.Equal(t, int64(10), cost)
	for range 100 {
		b.Succeeded(false, 0)
	}
	assert.True(t, b.full.Load(), "refilled: successes stop writing")
}
