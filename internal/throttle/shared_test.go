package throttle

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeShared is a Shared store for the Limiter's side: a Local, plus what a
// fleet adds, and a switch that makes every call fail as a Redis outage
// does.
type fakeShared struct {
	*Local
	procs int

	mu     sync.Mutex
	fail   bool
	closed time.Duration    // what ReserveOpen reports of the gate
	sends  []float64        // what Sends returns
	asked  [2]time.Duration // Sends' last window and ago
	held   int              // fleet slots taken
}

var errDown = errors.New("fleet down")

func newFakeShared(clock Clock, procs int) *fakeShared {
	return &fakeShared{Local: NewLocal(clock), procs: procs}
}

func (f *fakeShared) down() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail
}

func (f *fakeShared) setDown(v bool) { f.mu.Lock(); f.fail = v; f.mu.Unlock() }

func (f *fakeShared) UpdateRate(ctx context.Context, g func(RateState, time.Time) RateState) (RateState, error) {
	if f.down() {
		return RateState{}, errDown
	}
	return f.Local.UpdateRate(ctx, g)
}

func (f *fakeShared) ReserveOpen(ctx context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, time.Duration, error) {
	f.mu.Lock()
	fail, closed := f.fail, f.closed
	f.mu.Unlock()
	if fail {
		return 0, false, 0, errDown
	}
	if closed > 0 {
		return 0, false, closed, nil
	}
	w, ok, err := f.Local.Reserve(ctx, b, rate, burst, maxWait)
	return w, ok, 0, err
}

func (f *fakeShared) Sends(_ context.Context, window, ago time.Duration) ([]float64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, false, errDown
	}
	f.asked = [2]time.Duration{window, ago}
	return f.sends, true, nil
}

func (f *fakeShared) AcquireSlot(_ context.Context, limit int) (func(), bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, false, errDown
	}
	if f.held >= limit {
		return nil, false, nil
	}
	f.held++
	return func() { f.mu.Lock(); f.held--; f.mu.Unlock() }, true, nil
}

func (f *fakeShared) Processes() int { return f.procs }

func sharedLimiter(t *testing.T, clk *fakeClock, store *fakeShared, tweak func(*Config)) *Limiter {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Clock, cfg.Store = clk.Clock(), store
	if tweak != nil {
		tweak(&cfg)
	}
	l, err := New(cfg)
	require.NoError(t, err)
	return l
}

// TestSharedFallbackKeepsShare: with the fleet down, a process of 4 spaces
// its sends at a quarter of the configured rate (and a quarter of the
// burst), so the fleet as a whole stays within the rate.
func TestSharedFallbackKeepsShare(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 4)
	l := sharedLimiter(t, clk, store, func(c *Config) { c.Rate, c.Burst = 100, 8 })
	ctx := context.Background()

	var up []time.Duration
	for range 4 {
		w, ok, err := l.reserveIn(ctx, Configured, 100, 8, time.Hour)
		require.NoError(t, err)
		require.True(t, ok)
		up = append(up, w)
	}
	assert.Equal(t, []time.Duration{0, 0, 0, 0}, up, "the fleet's burst of 8")

	store.setDown(true)
	var alone []time.Duration
	for range 4 {
		w, ok, err := l.reserveIn(ctx, Configured, 100, 8, time.Hour)
		require.NoError(t, err, "a store error never fails a call")
		require.True(t, ok)
		alone = append(alone, w)
	}
	// 25/s with a burst of 2: two at once, then one every 40 ms.
	assert.Equal(t, []time.Duration{0, 0, 40 * time.Millisecond, 80 * time.Millisecond}, alone)
}

// TestSharedClosureLearnedFromReserve: a reservation that finds the shared
// gate closed (another process's throttle) closes this process's gate for
// as long, and the caller waits at it instead of sending.
func TestSharedClosureLearnedFromReserve(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 2)
	l := sharedLimiter(t, clk, store, func(c *Config) { c.Rate, c.Burst = 100, 1 })
	store.mu.Lock()
	store.closed = 700 * time.Millisecond
	store.mu.Unlock()

	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(100*time.Millisecond))
	defer cancel()
	_, err := l.Acquire(ctx) // the configured rate's reservation finds the gate closed
	var we *WaitError
	require.ErrorAs(t, err, &we, "the caller waits at the gate; its deadline before the reopening is told at once")
	assert.Equal(t, 700*time.Millisecond, we.Wait)
	assert.Equal(t, 700*time.Millisecond, l.GateClosedFor(), "this process's gate closed as long")
}

// TestSharedSlotsFallBackToShare: WithMaxInFlight(8) across 4 processes;
// with the fleet down a process holds at most its share, 2.
func TestSharedSlotsFallBackToShare(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 4)
	l := sharedLimiter(t, clk, store, func(c *Config) { c.MaxInFlight = 8 })
	ctx := context.Background()

	p1, err := l.Acquire(ctx)
	require.NoError(t, err)
	store.mu.Lock()
	assert.Equal(t, 1, store.held, "a fleet slot while the fleet answers")
	store.mu.Unlock()
	p1.Done(Result{Kind: Healthy})
	store.mu.Lock()
	assert.Zero(t, store.held, "given back")
	store.mu.Unlock()

	store.setDown(true)
	a, err := l.Acquire(ctx)
	require.NoError(t, err)
	b, err := l.Acquire(ctx)
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	_, err = l.Acquire(short)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded, "a third would exceed the share of 2")
	a.Done(Result{Kind: Healthy})
	c, err := l.Acquire(ctx)
	require.NoError(t, err, "a slot of the share was given back")
	b.Done(Result{Kind: Healthy})
	c.Done(Result{Kind: Healthy})
}

// TestSharedSlotsWaitForTheFleet: all fleet slots taken (by other
// processes): a caller polls until one is given back.
func TestSharedSlotsWaitForTheFleet(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 2)
	l := sharedLimiter(t, clk, store, func(c *Config) { c.MaxInFlight = 1 })
	store.mu.Lock()
	store.held = 1 // another process's request
	store.mu.Unlock()
	got := make(chan error, 1)
	go func() {
		p, err := l.Acquire(context.Background())
		if err == nil {
			p.Done(Result{Kind: Healthy})
		}
		got <- err
	}()
	clk.waitSleepers(t, 1)
	clk.Advance(slotPollMax)
	clk.waitSleepers(t, 1) // polled again, and sleeps again
	select {
	case <-got:
		t.Fatal("took a slot the fleet does not have")
	default:
	}
	store.mu.Lock()
	store.held = 0
	store.mu.Unlock()
	clk.Advance(slotPollMax)
	select {
	case err := <-got:
		require.NoError(t, err, "the next poll takes the slot given back")
	case <-time.After(5 * time.Second):
		t.Fatal("no slot after it was given back")
	}
}

// TestSharedEstimateReadsFleetSends: at a throttle, the estimate of the
// server's rate reads every process's sends from the store; with the store
// down, none.
func TestSharedEstimateReadsFleetSends(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 4)
	l := sharedLimiter(t, clk, store, nil)
	fleet := []float64{1, 2, 3, 4}
	store.mu.Lock()
	store.sends = fleet
	store.mu.Unlock()
	sent := clk.Now()
	clk.Advance(30 * time.Millisecond) // the throttle's answer
	got, whole := l.sendsUpTo(20*time.Millisecond, sent, clk.Now())
	assert.Equal(t, fleet, got)
	assert.True(t, whole)
	store.mu.Lock()
	assert.Equal(t, [2]time.Duration{20 * time.Millisecond, 30 * time.Millisecond}, store.asked,
		"the fleet's sends up to the throttled one's, 30 ms ago")
	store.mu.Unlock()

	l.sends.add(sent)
	store.setDown(true)
	got, _ = l.sendsUpTo(10*time.Millisecond, sent, clk.Now())
	assert.Empty(t, got, "none: this process's own sends would pass for the fleet's")
}

// TestSharedFreeSlotTakenAtOnce: while a caller polls for a fleet slot
// (the process's one poller), another that finds a slot free takes it
// without queueing behind the poller.
func TestSharedFreeSlotTakenAtOnce(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 2)
	l := sharedLimiter(t, clk, store, func(c *Config) { c.MaxInFlight = 2 })
	l.poller <- struct{}{} // another caller polls
	t.Cleanup(func() { <-l.poller })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := l.Acquire(ctx)
	require.NoError(t, err, "a free slot is taken without waiting for the poller")
	p.Done(Result{Kind: Healthy})
}

// TestSharedRateGoesOnFromLastKnown: the store fails after the learned rate
// was set; the limiter keeps the rate it knew instead of the empty
// fallback's (which would turn it off).
func TestSharedRateGoesOnFromLastKnown(t *testing.T) {
	clk := newFakeClock()
	store := newFakeShared(clk.Clock(), 2)
	l := sharedLimiter(t, clk, store, nil)
	l.updateRate(func(RateState, time.Time) RateState {
		return RateState{Active: true, Rate: 50, Max: 60, Since: clk.Now()}
	})
	store.setDown(true)
	clk.Advance(time.Second)
	l.updateRate(func(s RateState, now time.Time) RateState { return l.learn.Grow(s, now, 0) })
	r, on := l.LearnedRate()
	assert.True(t, on, "still in force")
	assert.Greater(t, r, 50.0, "grown from the known state")
}
