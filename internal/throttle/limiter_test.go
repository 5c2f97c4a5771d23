package throttle

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errThrottled = errors.New("429 from the server")

func newTestLimiter(t *testing.T, fc *fakeClock, edit func(*Config)) *Limiter {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Clock = fc.Clock()
	if edit != nil {
		edit(&cfg)
	}
	l, err := New(cfg)
	require.NoError(t, err)
	return l
}

// acquireAsync runs Acquire in a goroutine and returns its outcome's channel.
type acquired struct {
	p   Permit
	err error
}

func acquireAsync(ctx context.Context, l *Limiter) <-chan acquired {
	ch := make(chan acquired, 1)
	go func() {
		p, err := l.Acquire(ctx)
		ch <- acquired{p, err}
	}()
	return ch
}

func TestOpenGateAllocatesNothing(t *testing.T) {
	l := newTestLimiter(t, newFakeClock(), nil)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		p, err := l.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(Result{Kind: Healthy})
	})
	assert.Zero(t, allocs)
	assert.Equal(t, uint64(1001), l.ok.Load(), "every success is counted (AllocsPerRun runs once more)")
}

func TestThrottleWithRetryAfterClosesGateUntilAsked(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Learn.Off = true })
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true, Cause: errThrottled})
	assert.Equal(t, time.Second, l.GateClosedFor())

	fc.setJitter(0.5)
	got := acquireAsync(context.Background(), l)
	fc.waitSleepers(t, 1)
	// The caller waits for the reopening plus its share of the spread.
	assert.Equal(t, []time.Time{fc.Now().Add(time.Second + 50*time.Millisecond)}, fc.sleeping())
	fc.Advance(999 * time.Millisecond)
	select {
	case a := <-got:
		t.Fatalf("let through before the reopening: %+v", a)
	case <-time.After(20 * time.Millisecond):
	}
	fc.Advance(51 * time.Millisecond)
	a := <-got
	require.NoError(t, a.err)
	assert.Zero(t, l.GateClosedFor())
	a.p.Done(Result{Kind: Healthy})
}

func TestThrottleWithoutRetryAfterBacksOff(t *testing.T) {
	// MinBackoff 100 ms; after the nth throttle in a row a time in
	// [100 ms, min(5 s, 100 ms·2ⁿ)].
	tests := []struct {
		name   string
		jitter float64
		want   []time.Duration
	}{
		{"jitter 0: MinBackoff", 0, []time.Duration{100, 100, 100, 100}},
		{"jitter 0.5: the middle", 0.5, []time.Duration{150, 250, 450, 850, 1650, 2550, 2550}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeClock()
			fc.setJitter(tt.jitter)
			l := newTestLimiter(t, fc, func(c *Config) { c.Learn.Off = true; c.Gate.Spread = 0 })
			for i, want := range tt.want {
				p, err := l.Acquire(context.Background())
				require.NoError(t, err, "throttle %d", i+1)
				p.Done(Result{Kind: Throttled})
				assert.Equal(t, want*time.Millisecond, l.GateClosedFor(), "throttle %d", i+1)
				got := acquireAsync(context.Background(), l)
				fc.waitSleepers(t, 1)
				fc.Advance(want * time.Millisecond)
				require.NoError(t, (<-got).err)
			}
			// A success after the reopening ends the run of throttles.
			p, err := l.Acquire(context.Background())
			require.NoError(t, err)
			p.Done(Result{Kind: Healthy})
			p, err = l.Acquire(context.Background())
			require.NoError(t, err)
			p.Done(Result{Kind: Throttled})
			assert.Equal(t, tt.want[0]*time.Millisecond, l.GateClosedFor())
		})
	}
}

func TestThrottlesOfRequestsSentBeforeTheClosureCountOnce(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	var inFlight []Permit
	for range 32 {
		p, err := l.Acquire(context.Background())
		require.NoError(t, err)
		inFlight = append(inFlight, p)
	}
	for _, p := range inFlight {
		p.Done(Result{Kind: Throttled})
	}
	assert.Equal(t, 100*time.Millisecond, l.GateClosedFor(), "one backoff level, not 32")
	r, on := l.LearnedRate()
	assert.True(t, on)
	assert.Equal(t, DefaultRateConfig().Start, r, "one cut: nothing was accepted before the throttle")

	// A stale throttle that names a later time still extends the closure.
	l2 := newTestLimiter(t, fc, nil)
	a, _ := l2.Acquire(context.Background())
	b, _ := l2.Acquire(context.Background())
	a.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	b.Done(Result{Kind: Throttled, Wait: 3 * time.Second, Asked: true})
	assert.Equal(t, 3*time.Second, l2.GateClosedFor())
}

func TestDeadlineShorterThanTheGate(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration
		blocked  bool // waits instead of failing at once
	}{
		{"ends before the reopening", 999 * time.Millisecond, false},
		{"ends long before", time.Millisecond, false},
		{"ends within the spread", 1050 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeClock()
			fc.setJitter(0.99)
			l := newTestLimiter(t, fc, nil)
			p, _ := l.Acquire(context.Background())
			p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true, Cause: errThrottled})
			ctx := deadlineShift{context.Background(), fc.Now().Add(tt.deadline)}
			got := acquireAsync(ctx, l)
			if !tt.blocked {
				a := <-got
				var we *WaitError
				require.ErrorAs(t, a.err, &we)
				assert.Equal(t, time.Second, we.Wait)
				assert.ErrorIs(t, a.err, errThrottled, "the response that closed the gate")
				assert.Empty(t, fc.sleeping(), "told at once, without waiting")
				return
			}
			fc.waitSleepers(t, 1)
			// The spread would take it past the deadline: it goes at the reopening.
			assert.Equal(t, []time.Time{fc.Now().Add(time.Second)}, fc.sleeping())
			fc.Advance(time.Second)
			require.NoError(t, (<-got).err)
		})
	}
}

// deadlineShift reports a deadline on the fake clock's time line; it never
// ends by itself.
type deadlineShift struct {
	context.Context
	dl time.Time
}

func (d deadlineShift) Deadline() (time.Time, bool) { return d.dl, true }

func TestCancelWhileWaitingAtTheGate(t *testing.T) {
	for _, outage := range []bool{false, true} {
		t.Run(map[bool]string{false: "throttle", true: "outage"}[outage], func(t *testing.T) {
			fc := newFakeClock()
			l := newTestLimiter(t, fc, nil)
			if outage {
				closeForOutage(t, l)
			} else {
				p, _ := l.Acquire(context.Background())
				p.Done(Result{Kind: Throttled, Wait: time.Minute, Asked: true})
			}
			ctx, cancel := context.WithCancel(context.Background())
			got := acquireAsync(ctx, l)
			fc.waitSleepers(t, 1)
			cancel()
			assert.ErrorIs(t, (<-got).err, context.Canceled)
			assert.Empty(t, fc.sleeping(), "the sleep ended with the context")
		})
	}
}

// closeForOutage reports OutageAfter failures in a row.
func closeForOutage(t *testing.T, l *Limiter) {
	t.Helper()
	for range l.gate.OutageAfter {
		p, err := l.Acquire(context.Background())
		require.NoError(t, err)
		p.Done(Result{Kind: Failed})
	}
	require.Positive(t, l.GateClosedFor(), "closed for the outage")
}

func TestOutageLetsOneProbeThroughAtATime(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	// Two failures are not an outage yet.
	for range 2 {
		p, _ := l.Acquire(context.Background())
		p.Done(Result{Kind: Failed})
	}
	assert.Zero(t, l.GateClosedFor())
	p, _ := l.Acquire(context.Background())
	p.Done(Result{Kind: Failed})
	assert.Equal(t, 50*time.Millisecond, l.GateClosedFor(), "MinOutage with jitter 0: half")

	const waiters = 16
	results := make(chan acquired, waiters)
	for range waiters {
		go func() {
			p, err := l.Acquire(context.Background())
			results <- acquired{p, err}
		}()
	}
	fc.waitSleepers(t, waiters)
	fc.Advance(50 * time.Millisecond)
	probe := <-results
	require.NoError(t, probe.err)
	require.True(t, probe.p.Probe())
	select {
	case a := <-results:
		t.Fatalf("a second caller went while the probe was out: %+v", a)
	case <-time.After(20 * time.Millisecond):
	}

	// The probe fails: closed again, twice as long.
	probe.p.Done(Result{Kind: Failed})
	assert.Equal(t, 100*time.Millisecond, l.GateClosedFor())
	fc.waitSleepers(t, waiters-1)
	fc.Advance(100 * time.Millisecond)
	probe = <-results
	require.NoError(t, probe.err)
	require.True(t, probe.p.Probe())

	// An abandoned probe hands the probe to another caller.
	probe.p.Done(Result{Kind: Abandoned})
	probe = <-results
	require.NoError(t, probe.err)
	require.True(t, probe.p.Probe())

	// The probe succeeds: everybody goes, and none of them is a probe.
	probe.p.Done(Result{Kind: Healthy})
	assert.Zero(t, l.GateClosedFor())
	for range waiters - 3 {
		a := <-results
		require.NoError(t, a.err)
		assert.False(t, a.p.Probe())
		a.p.Done(Result{Kind: Healthy})
	}
	// A new outage starts again from MinOutage.
	closeForOutage(t, l)
	assert.Equal(t, 50*time.Millisecond, l.GateClosedFor())
}

func TestProbeSuccessSpreadsTheWaiters(t *testing.T) {
	fc := newFakeClock()
	fc.setJitter(0.25)
	l := newTestLimiter(t, fc, nil) // Spread 100 ms
	closeForOutage(t, l)
	probeCh := acquireAsync(context.Background(), l)
	fc.waitSleepers(t, 1)
	fc.Advance(time.Second)
	probe := <-probeCh
	require.True(t, probe.p.Probe())
	waiter := acquireAsync(context.Background(), l)
	// Only a caller woken by the probe's success is spread: wait until it
	// waits for the outcome. (A fixed 20 ms sleep here was wall-clock luck:
	// a caller late on a loaded machine finds the gate open, goes at once,
	// and waitSleepers below fails after 5 s.)
	require.Eventually(t, func() bool { return l.atProbe.Load() == 1 }, 10*time.Second, time.Millisecond,
		"the caller waits for the probe's outcome")
	probe.p.Done(Result{Kind: Healthy})
	fc.waitSleepers(t, 1)
	assert.Equal(t, []time.Time{fc.Now().Add(25 * time.Millisecond)}, fc.sleeping(), "its share of the spread")
	fc.Advance(25 * time.Millisecond)
	require.NoError(t, (<-waiter).err)
	assert.Zero(t, l.atProbe.Load())
}

func TestReopeningIsSpreadOverTheWindow(t *testing.T) {
	fc := newFakeClock()
	var n atomic.Int64
	c := fc.Clock()
	c.Jitter = func() float64 { return float64(n.Add(1)%10) / 10 } // 0.1, 0.2, … 0.9, 0
	l, err := New(Config{Clock: c, Gate: DefaultGateConfig(), Learn: RateConfig{Off: true}})
	require.NoError(t, err)
	p, _ := l.Acquire(context.Background())
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	reopen := fc.Now().Add(time.Second)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := l.Acquire(context.Background())
			assert.NoError(t, err)
			p.Done(Result{Kind: Healthy})
		}()
	}
	fc.waitSleepers(t, 10)
	times := fc.sleeping()
	for _, at := range times {
		assert.False(t, at.Before(reopen), "released before the reopening")
		assert.True(t, at.Before(reopen.Add(100*time.Millisecond)), "released after the spread")
	}
	assert.Len(t, distinct(times), 10, "each at its own time")
	fc.Advance(time.Second + 100*time.Millisecond)
	waitGroupWithin(t, &wg, time.Minute, "callers at the reopened gate")
}

func distinct(ts []time.Time) map[time.Time]bool {
	m := map[time.Time]bool{}
	for _, t := range ts {
		m[t] = true
	}
	return m
}

func TestMaxInFlight(t *testing.T) {
	l := newTestLimiter(t, newFakeClock(), func(c *Config) { c.MaxInFlight = 2 })
	a, err := l.Acquire(context.Background())
	require.NoError(t, err)
	b, err := l.Acquire(context.Background())
	require.NoError(t, err)
	third := acquireAsync(context.Background(), l)
	select {
	case got := <-third:
		t.Fatalf("a third request in flight: %+v", got)
	case <-time.After(20 * time.Millisecond):
	}
	a.Done(Result{Kind: Healthy})
	c := <-third
	require.NoError(t, c.err)

	ctx, cancel := context.WithCancel(context.Background())
	fourth := acquireAsync(ctx, l)
	cancel()
	assert.ErrorIs(t, (<-fourth).err, context.Canceled)
	b.Done(Result{Kind: Healthy})
	c.p.Done(Result{Kind: Healthy})
	assert.Empty(t, l.slots, "every slot given back")
}

func TestConfiguredRate(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Rate, c.Burst = 100, 2 })
	// A burst of 2 goes at once; then one every 10 ms.
	for i, want := range []time.Duration{0, 0, 10, 10, 10} {
		got := acquireAsync(context.Background(), l)
		if want > 0 {
			fc.waitSleepers(t, 1)
			assert.Equal(t, []time.Time{fc.Now().Add(want * time.Millisecond)}, fc.sleeping(), "request %d", i)
			fc.Advance(want * time.Millisecond)
		}
		a := <-got
		require.NoError(t, a.err, "request %d", i)
		a.p.Done(Result{Kind: Healthy})
	}
	// A caller whose deadline ends before its slot is told at once.
	ctx := deadlineShift{context.Background(), fc.Now().Add(5 * time.Millisecond)}
	_, err := l.Acquire(ctx)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 10*time.Millisecond, we.Wait)
}

func TestSlotsAreTakenOnlyShortlyAhead(t *testing.T) {
	fc := newFakeClock() // jitter 0: each wait for a slot far ahead is reserveAhead/2
	l := newTestLimiter(t, fc, func(c *Config) { c.Rate, c.Burst = 1, 1 })
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Healthy})
	got := acquireAsync(context.Background(), l)
	// The next slot is a second away: the caller asks again every 25 ms
	// until it is within 50 ms, then sleeps until it.
	for elapsed := time.Duration(0); elapsed < 950*time.Millisecond; elapsed += reserveAhead / 2 {
		fc.waitSleepers(t, 1)
		assert.Equal(t, []time.Time{fc.Now().Add(reserveAhead / 2)}, fc.sleeping(), "at %v", elapsed)
		fc.Advance(reserveAhead / 2)
	}
	fc.waitSleepers(t, 1)
	assert.Equal(t, []time.Time{fc.Now().Add(50 * time.Millisecond)}, fc.sleeping(), "the reserved slot")
	fc.Advance(50 * time.Millisecond)
	a := <-got
	require.NoError(t, a.err)
	a.p.Done(Result{Kind: Healthy})
}

func TestLearnedRateFollowsThrottles(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	_, on := l.LearnedRate()
	require.False(t, on, "off until the first throttle")
	// 40 requests accepted at once (a burst), then a throttle: the probe
	// starts from four times the burst a second.
	for range 40 {
		p, _ := l.Acquire(context.Background())
		p.Done(Result{Kind: Healthy})
	}
	p, _ := l.Acquire(context.Background())
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	r, on := l.LearnedRate()
	require.True(t, on)
	cut := DefaultRateConfig().Cut
	assert.InDelta(t, 4*cut*40, r, 1e-9, "Cut times four times the burst a second")

	// Probing: the rate doubles every 100 ms from the reopening.
	fc.Advance(time.Second)
	r, _ = l.LearnedRate()
	assert.InDelta(t, 4*cut*40, r, 1e-9, "reopened just now")
	fc.Advance(300 * time.Millisecond)
	r, _ = l.LearnedRate()
	assert.InDelta(t, 4*cut*40*8, r, 1e-6, "three doublings in 300 ms")
}

func TestManyGoroutines(t *testing.T) {
	l, err := New(Config{
		Gate:  GateConfig{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, OutageAfter: 3, MinOutage: time.Millisecond, MaxOutage: 5 * time.Millisecond, Spread: time.Millisecond},
		Learn: DefaultRateConfig(), MaxInFlight: 8,
		Budget: BudgetConfig{Capacity: 100, RetryCost: 5, TimeoutCost: 10, Refund: 1},
	})
	require.NoError(t, err)
	var inFlight, maxInFlight, probes, maxProbes atomic.Int64
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				p, err := l.Acquire(ctx)
				cancel()
				if err != nil {
					var we *WaitError
					if !errors.As(err, &we) && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("Acquire: %v", err)
					}
					continue
				}
				n := inFlight.Add(1)
				storeMax(&maxInFlight, n)
				if p.Probe() {
					storeMax(&maxProbes, probes.Add(1))
				}
				kind := Kind((g + i) % 7)
				if kind > Abandoned {
					kind = Healthy
				}
				if kind == Failed && l.Budget() != nil {
					l.Budget().Spend(Failure)
				}
				inFlight.Add(-1)
				if p.Probe() {
					probes.Add(-1)
				}
				p.Done(Result{Kind: kind, Wait: time.Millisecond, Asked: i%2 == 0})
			}
		}()
	}
	waitGroupWithin(t, &wg, 2*time.Minute, "64 goroutines acquiring")
	assert.LessOrEqual(t, maxInFlight.Load(), int64(8))
	assert.LessOrEqual(t, maxProbes.Load(), int64(1))
	assert.Empty(t, l.slots)
}

func storeMax(m *atomic.Int64, n int64) {
	for {
		cur := m.Load()
		if n <= cur || m.CompareAndSwap(cur, n) {
			return
		}
	}
}

// failingStore fails every call, as a fleet store does when its database
// is down.
type failingStore struct{}

var errStore = errors.New("store down")

func (failingStore) CloseGate(context.Context, time.Duration) (time.Duration, error) {
	return 0, errStore
}
func (failingStore) GateClosedFor(context.Context) (time.Duration, error) { return 0, errStore }
func (failingStore) OpenGate(context.Context) error                       { return errStore }
func (failingStore) UpdateRate(context.Context, func(RateState, time.Time) RateState) (RateState, error) {
	return RateState{}, errStore
}
func (failingStore) Reserve(context.Context, Bucket, float64, int, time.Duration) (time.Duration, bool, error) {
	return 0, false, errStore
}
func (failingStore) TakeBudget(context.Context, int64, int64) (bool, error) { return false, errStore }
func (failingStore) GiveBudget(context.Context, int64, int64) (bool, error) { return false, errStore }

func TestStoreErrorsFallBackToThisProcess(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) {
		c.Store = failingStore{}
		c.Rate, c.Burst = 10, 1
		c.Budget = BudgetConfig{Capacity: 10, RetryCost: 5, TimeoutCost: 10, Refund: 1}
	})
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	assert.Equal(t, time.Second, l.GateClosedFor(), "closed by this process")
	r, on := l.LearnedRate()
	assert.True(t, on)
	assert.Positive(t, r)
	_, ok := l.Budget().Spend(Failure)
	assert.True(t, ok)
	_, ok = l.Budget().Spend(Failure)
	assert.True(t, ok)
	_, ok = l.Budget().Spend(Failure)
	assert.False(t, ok, "the local budget of 10 is spent")
	assert.Error(t, l.Sync(context.Background()))
}

func TestSyncAdoptsTheSharedGate(t *testing.T) {
	fc := newFakeClock()
	shared := NewLocal(fc.Clock())
	a := newTestLimiter(t, fc, func(c *Config) { c.Store = shared })
	b := newTestLimiter(t, fc, func(c *Config) { c.Store = shared })
	p, _ := a.Acquire(context.Background())
	p.Done(Result{Kind: Throttled, Wait: 2 * time.Second, Asked: true})
	assert.Zero(t, b.GateClosedFor(), "b has not looked yet")
	require.NoError(t, b.Sync(context.Background()))
	assert.Equal(t, 2*time.Second, b.GateClosedFor())
	_, on := b.LearnedRate()
	assert.True(t, on, "the shared learned rate")

	// A throttle in b for 1 s joins the shared closure of 2 s.
	c := newTestLimiter(t, fc, func(c *Config) { c.Store = shared })
	p, _ = c.Acquire(context.Background())
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	assert.Equal(t, 2*time.Second, c.GateClosedFor())
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"zero gate", func(c *Config) { c.Gate = GateConfig{} }, "MinBackoff"},
		{"backoff bounds", func(c *Config) { c.Gate.MaxBackoff = c.Gate.MinBackoff / 2 }, "MinBackoff"},
		{"outage after", func(c *Config) { c.Gate.OutageAfter = 0 }, "OutageAfter"},
		{"outage bounds", func(c *Config) { c.Gate.MinOutage = 0 }, "MinOutage"},
		{"spread", func(c *Config) { c.Gate.Spread = -1 }, "Spread"},
		{"cut", func(c *Config) { c.Learn.Cut = 1 }, "Cut"},
		{"scale", func(c *Config) { c.Learn.Scale = 0 }, "Scale"},
		{"doubling", func(c *Config) { c.Learn.Doubling = 0 }, "Doubling"},
		{"min", func(c *Config) { c.Learn.Min = -1 }, "Min"},
		{"learned burst", func(c *Config) { c.Learn.Burst = 0 }, "Burst"},
		{"quiet", func(c *Config) { c.Learn.Quiet = 0 }, "Quiet"},
		{"idle", func(c *Config) { c.Learn.Idle = 0 }, "Idle"},
		{"hold", func(c *Config) { c.Learn.Hold = -time.Second }, "Hold"},
		{"rate", func(c *Config) { c.Rate = -1 }, "Rate"},
		{"burst", func(c *Config) { c.Rate = 5 }, "Burst"},
		{"in flight", func(c *Config) { c.MaxInFlight = -1 }, "MaxInFlight"},
		{"budget", func(c *Config) { c.Budget.Capacity = -1 }, "Capacity"},
		{"budget costs", func(c *Config) { c.Budget.Capacity = 5 }, "RetryCost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "throttle: ")
		})
	}
	off := DefaultConfig()
	off.Learn = RateConfig{Off: true}
	_, err := New(off)
	assert.NoError(t, err, "an off learned rate needs no parameters")
}
