package throttle

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalGateKeepsTheLatestReopening(t *testing.T) {
	fc := newFakeClock()
	s := NewLocal(fc.Clock())
	ctx := context.Background()
	steps := []struct {
		name  string
		close time.Duration // 0: only read
		adv   time.Duration
		want  time.Duration
	}{
		{"open", 0, 0, 0},
		{"closed for 2 s", 2 * time.Second, 0, 2 * time.Second},
		{"a shorter closure keeps the longer", time.Second, 0, 2 * time.Second},
		{"time passes", 0, 500 * time.Millisecond, 1500 * time.Millisecond},
		{"a longer closure extends", 3 * time.Second, 0, 3 * time.Second},
		{"past the reopening", 0, 4 * time.Second, 0},
	}
	for _, st := range steps {
		fc.Advance(st.adv)
		if st.close > 0 {
			got, err := s.CloseGate(ctx, st.close)
			require.NoError(t, err)
			assert.Equal(t, st.want, got, st.name)
		}
		got, err := s.GateClosedFor(ctx)
		require.NoError(t, err)
		assert.Equal(t, st.want, got, st.name)
	}
	_, _ = s.CloseGate(ctx, time.Minute)
	require.NoError(t, s.OpenGate(ctx))
	got, _ := s.GateClosedFor(ctx)
	assert.Zero(t, got)
}

func TestLocalReserveIsGCRA(t *testing.T) {
	fc := newFakeClock()
	s := NewLocal(fc.Clock())
	ctx := context.Background()
	type step struct {
		adv     time.Duration
		maxWait time.Duration
		wait    time.Duration
		ok      bool
	}
	const forever = time.Hour
	// 10 per second (100 ms apart), burst 3.
	steps := []step{
		{0, forever, 0, true}, {0, forever, 0, true}, {0, forever, 0, true},
		{0, forever, 100 * time.Millisecond, true},
		{0, forever, 200 * time.Millisecond, true},
		{0, 250 * time.Millisecond, 300 * time.Millisecond, false}, // nothing taken
		{0, forever, 300 * time.Millisecond, true},
		{time.Second, forever, 0, true}, // refilled
		{0, forever, 0, true}, {0, forever, 0, true},
		{0, forever, 100 * time.Millisecond, true},
	}
	for i, st := range steps {
		fc.Advance(st.adv)
		wait, ok, err := s.Reserve(ctx, Configured, 10, 3, st.maxWait)
		require.NoError(t, err)
		assert.Equal(t, st.wait, wait, "step %d", i)
		assert.Equal(t, st.ok, ok, "step %d", i)
	}
	// The learned bucket is separate, and no rate means no wait.
	wait, ok, _ := s.Reserve(ctx, Learned, 10, 1, 0)
	assert.True(t, ok)
	assert.Zero(t, wait)
	wait, ok, _ = s.Reserve(ctx, Learned, 0, 1, 0)
	assert.True(t, ok)
	assert.Zero(t, wait)
}

func TestLocalBudgetConcurrent(t *testing.T) {
	s := NewLocal(Clock{})
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if ok, _ := s.TakeBudget(ctx, 5, 500); ok {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 100, taken, "500 tokens at 5 each")
	full, _ := s.GiveBudget(ctx, 499, 500)
	assert.False(t, full)
	full, _ = s.GiveBudget(ctx, 10, 500)
	assert.True(t, full, "capped at the capacity")
	ok, _ := s.TakeBudget(ctx, 501, 500)
	assert.False(t, ok)
}
