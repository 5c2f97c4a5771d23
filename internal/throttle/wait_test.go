package throttle

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type waitRecord struct {
	k WaitKind
	d time.Duration
}

// recorder is a Waiter that keeps what it is told.
type recorder struct {
	mu    sync.Mutex
	waits []waitRecord
}

func (r *recorder) Waiting(k WaitKind, d time.Duration) {
	r.mu.Lock()
	r.waits = append(r.waits, waitRecord{k, d})
	r.mu.Unlock()
}

func (r *recorder) got() []waitRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]waitRecord(nil), r.waits...)
}

func acquireForAsync(l *Limiter, w Waiter) <-chan acquired {
	ch := make(chan acquired, 1)
	go func() {
		p, err := l.AcquireFor(context.Background(), w)
		ch <- acquired{p, err}
	}()
	return ch
}

func TestAcquireForTellsOfEachWait(t *testing.T) {
	t.Run("nothing limits: no wait", func(t *testing.T) {
		l := newTestLimiter(t, newFakeClock(), nil)
		var r recorder
		p, err := l.AcquireFor(context.Background(), &r)
		require.NoError(t, err)
		p.Done(Result{Kind: Healthy})
		assert.Empty(t, r.got())
	})
	t.Run("configured rate", func(t *testing.T) {
		fc := newFakeClock()
		l := newTestLimiter(t, fc, func(c *Config) { c.Rate, c.Burst = 100, 1 })
		var r recorder
		p, err := l.AcquireFor(context.Background(), &r)
		require.NoError(t, err)
		p.Done(Result{Kind: Healthy})
		assert.Empty(t, r.got(), "the burst")
		got := acquireForAsync(l, &r)
		fc.waitSleepers(t, 1)
		assert.Equal(t, []waitRecord{{WaitConfigured, 10 * time.Millisecond}}, r.got(), "told before it sleeps")
		fc.Advance(10 * time.Millisecond)
		a := <-got
		require.NoError(t, a.err)
		a.p.Done(Result{Kind: Healthy})
	})
	t.Run("a slot further than reserveAhead: told once, of the whole wait", func(t *testing.T) {
		fc := newFakeClock()
		l := newTestLimiter(t, fc, func(c *Config) { c.Rate, c.Burst = 5, 1 })
		var r recorder
		p, err := l.AcquireFor(context.Background(), &r)
		require.NoError(t, err)
		p.Done(Result{Kind: Healthy})
		got := acquireForAsync(l, &r)
		for range 8 {
			fc.waitSleepers(t, 1)
			fc.Advance(reserveAhead / 2)
		}
		a := <-got
		require.NoError(t, a.err)
		a.p.Done(Result{Kind: Healthy})
		assert.Equal(t, []waitRecord{{WaitConfigured, 200 * time.Millisecond}}, r.got())
	})
	t.Run("learned rate", func(t *testing.T) {
		fc := newFakeClock()
		l := newTestLimiter(t, fc, nil)
		setLearned(l, RateState{Active: true, Rate: 50, Base: 50, Max: 50, Since: fc.Now()})
		var r recorder
		for range DefaultRateConfig().Burst {
			p, err := l.AcquireFor(context.Background(), &r)
			require.NoError(t, err)
			p.Done(Result{Kind: Healthy})
		}
		got := acquireForAsync(l, &r)
		fc.waitSleepers(t, 1)
		assert.Equal(t, []waitRecord{{WaitLearned, 20 * time.Millisecond}}, r.got())
		fc.Advance(20 * time.Millisecond)
		a := <-got
		require.NoError(t, a.err)
		a.p.Done(Result{Kind: Healthy})
	})
	t.Run("in flight", func(t *testing.T) {
		l := newTestLimiter(t, newFakeClock(), func(c *Config) { c.MaxInFlight = 1 })
		var r recorder
		held, err := l.AcquireFor(context.Background(), &r)
		require.NoError(t, err)
		assert.Empty(t, r.got(), "a free slot")
		got := acquireForAsync(l, &r)
		require.Eventually(t, func() bool { return len(r.got()) == 1 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []waitRecord{{WaitInFlight, 0}}, r.got())
		held.Done(Result{Kind: Healthy})
		a := <-got
		require.NoError(t, a.err)
		a.p.Done(Result{Kind: Healthy})
	})
	t.Run("the kinds' names", func(t *testing.T) {
		assert.Equal(t, "learned rate", WaitLearned.String())
		assert.Equal(t, "configured rate", WaitConfigured.String())
		assert.Equal(t, "in flight", WaitInFlight.String())
		assert.Equal(t, "unknown wait", WaitKind(0).String())
	})
}

func TestAcquireForOpenGateAllocatesNothing(t *testing.T) {
	l := newTestLimiter(t, newFakeClock(), nil)
	var r recorder
	allocs := testing.AllocsPerRun(1000, func() {
		p, err := l.AcquireFor(context.Background(), &r)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(Result{Kind: Healthy})
	})
	assert.Zero(t, allocs)
}
