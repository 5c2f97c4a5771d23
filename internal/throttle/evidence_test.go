package throttle

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeBucket is a server's token bucket on the fake clock.
type fakeBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newFakeBucket(rate, burst float64, now time.Time) *fakeBucket {
	return &fakeBucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *fakeBucket) admit(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// acquireOnFakeTime acquires a permit, moving the fake clock on to each
// wake-up the limiter sleeps for: a caller that sends as soon as it may.
func acquireOnFakeTime(t *testing.T, fc *fakeClock, l *Limiter) Permit {
	t.Helper()
	ch := acquireAsync(context.Background(), l)
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case a := <-ch:
			require.NoError(t, a.err)
			return a.p
		case <-time.After(200 * time.Microsecond):
			if w := fc.sleeping(); len(w) > 0 {
				fc.Advance(w[0].Sub(fc.Now()))
			}
			require.True(t, time.Now().Before(deadline), "Acquire still waiting after 5 s")
		}
	}
}

// setLearned installs a learned rate, as a throttle before would have.
func setLearned(l *Limiter, st RateState) {
	l.updateRate(func(RateState, time.Time) RateState { return st })
}

func learnedState(l *Limiter) RateState { return l.learnedSt.Load().st }

// sendUntilThrottled has one caller send through l, gap apart (0: as fast
// as the limiter lets it), until srv refuses a request, answered 429 +
// Retry-After: 1. It returns how many srv accepted.
func sendUntilThrottled(t *testing.T, fc *fakeClock, l *Limiter, srv *fakeBucket, gap time.Duration) int {
	t.Helper()
	for accepted := 0; ; accepted++ {
		fc.Advance(gap)
		p := acquireOnFakeTime(t, fc, l)
		if !srv.admit(fc.Now()) {
			p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
			return accepted
		}
		p.Done(Result{Kind: Healthy})
	}
}

func TestProbeThatRanIntoTheLimitRunsAtTheEstimate(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	srv := newFakeBucket(200, 20, fc.Now())
	// The server's burst goes through, the next request is throttled.
	for srv.admit(fc.Now()) {
		p, err := l.Acquire(context.Background())
		require.NoError(t, err)
		p.Done(Result{Kind: Healthy})
	}
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	require.True(t, learnedState(l).Probing)
	fc.Advance(time.Second)

	// One caller sends as fast as the probing rate lets it, until the
	// server's bucket runs dry.
	accepted := sendUntilThrottled(t, fc, l, srv, 0)
	st := learnedState(l)
	require.False(t, st.Probing, "after %d accepted the probe found the limit", accepted)
	assert.Equal(t, st.Max, st.Base, "run at the estimate: no cut")
	// Within half a token's worth of refill over the probe's drain.
	assert.InEpsilon(t, 200, st.Max, 0.025, "the estimate lands on the server's 200/s")
	assert.Equal(t, 20.0, st.Burst)
}

// TestSlowProbeStillFindsTheLimit: a probe that starts far below the
// server's rate averages well under it over the window (here about 0.6 of
// it), though it ran into it: its estimate is installed, not discarded as
// far above what the server accepted.
func TestSlowProbeStillFindsTheLimit(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	fc.Advance(time.Second)
	setLearned(l, RateState{Active: true, Probing: true, Rate: 10, Base: 10, Burst: 20, Since: fc.Now()})
	srv := newFakeBucket(200, 20, fc.Now())
	opened := fc.Now()
	accepted := sendUntilThrottled(t, fc, l, srv, 0)
	average := float64(accepted) / fc.Now().Sub(opened).Seconds()
	require.Less(t, 1.5*average, 200.0, "the probe's average is far below the limit")
	st := learnedState(l)
	require.False(t, st.Probing, "the estimate was installed")
	assert.InEpsilon(t, 200, st.Max, 0.025)
}

func TestDemandThatRanIntoTheLimitIsCut(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	fc.Advance(time.Second)
	setLearned(l, RateState{Active: true, Rate: 1000, Base: 1000, Max: 1000, Burst: 20, Since: fc.Now()})
	srv := newFakeBucket(200, 20, fc.Now())
	// The callers send 250 requests a second, far less than the learned
	// rate allows: their demand, not the rate, runs into the server's limit.
	sendUntilThrottled(t, fc, l, srv, 4*time.Millisecond)
	st := learnedState(l)
	require.InDelta(t, 200, st.Max, 10, "the estimate")
	assert.InDelta(t, DefaultRateConfig().Cut*st.Max, st.Base, 1e-9, "a cut from it: the rate was not what ran into the limit")
}

func TestLateAnswersCorrectTheBurst(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	var held []Permit
	for range 20 {
		p, err := l.Acquire(context.Background())
		require.NoError(t, err)
		held = append(held, p)
	}
	for _, p := range held[:8] {
		p.Done(Result{Kind: Healthy})
	}
	// The throttle's answer overtakes 12 of the server's 20 successes.
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	assert.Equal(t, 8.0, learnedState(l).Burst, "counted when the throttle came")
	cut := DefaultRateConfig().Cut
	assert.InDelta(t, 4*cut*8, learnedState(l).Base, 1e-9, "the probe starts from four times it a second")
	for _, p := range held[8:] {
		p.Done(Result{Kind: Healthy})
	}
	fc.Advance(time.Second)
	p = acquireOnFakeTime(t, fc, l) // reopens the gate
	st := learnedState(l)
	assert.Equal(t, 20.0, st.Burst, "the late answers count when the gate reopens")
	assert.InDelta(t, 4*cut*20, st.Base, 1e-9, "and the probe starts from four times all of it")
	p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	assert.Equal(t, 20.0, learnedState(l).Burst, "the late answers count")
}

func TestEvidenceEndsWhenTheThrottledRequestWasSent(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, nil)
	setLearned(l, RateState{Active: true, Rate: 1e6, Base: 1e6, Max: 1e6, Since: fc.Now()})
	fc.Advance(100 * time.Millisecond)
	p := acquireOnFakeTime(t, fc, l)
	sent := fc.Now()
	fc.Advance(30 * time.Millisecond) // the answer takes 30 ms
	end, seen := l.evidenceEnd(p, fc.Now(), Observed{Window: 130 * time.Millisecond})
	assert.WithinDuration(t, sent, end, 0)
	assert.Equal(t, 100*time.Millisecond, seen.Window)

	fast := Permit{l: l} // sent while the learned rate was off: not recorded
	end, seen = l.evidenceEnd(fast, fc.Now(), Observed{Window: 130 * time.Millisecond})
	assert.WithinDuration(t, fc.Now(), end, 0)
	assert.Equal(t, 130*time.Millisecond, seen.Window)
}

func TestLimitedBy(t *testing.T) {
	for _, tt := range []struct {
		name  string
		every time.Duration
		want  bool
	}{
		{"callers sending as fast as 100/s allows", 10 * time.Millisecond, true},
		{"callers sending 40/s", 25 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeClock()
			l := newTestLimiter(t, fc, nil)
			st := RateState{Active: true, Rate: 100, Base: 100, Max: 100, Since: fc.Now()}
			setLearned(l, st)
			for range 30 {
				fc.Advance(tt.every)
				p := acquireOnFakeTime(t, fc, l)
				p.Done(Result{Kind: Healthy})
			}
			recent, _ := l.sends.since(fc.Now().Add(-l.heldWindow()), fc.Now())
			assert.Equal(t, tt.want, l.limitedBy(st, fc.Now(), recent))
		})
	}
}

func TestStrayThrottleLeavesTheSlowPath(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	every := 20 * time.Millisecond // the callers' demand: 50/s
	call := func(kind Kind) {
		fc.Advance(every)
		p := acquireOnFakeTime(t, fc, l)
		p.Done(Result{Kind: kind, Wait: 100 * time.Millisecond, Asked: kind == Throttled})
	}
	for range 100 {
		call(Healthy)
	}
	call(Throttled) // a stray throttle: the server has no limit near 50/s
	_, on := l.LearnedRate()
	require.True(t, on, "a throttle turns the learned rate on")
	start := fc.Now()
	n := 0
	for l.state.Load()&flagLearned != 0 {
		call(Healthy)
		n++
		require.Less(t, n, 1000, "still on the slow path after %v: %s", fc.Now().Sub(start), l)
	}
	took := fc.Now().Sub(start)
	assert.GreaterOrEqual(t, took, DefaultRateConfig().Idle, "probing runs for Idle")
	assert.Less(t, took, DefaultRateConfig().Idle+time.Second, "then turns off")
	assert.InDelta(t, float64(n)*float64(every), float64(took), float64(200*time.Millisecond),
		"the probing rate never held the callers back for long")
	p, err := l.Acquire(context.Background())
	require.NoError(t, err)
	assert.Zero(t, p.sent, "the fast path again")
	p.Done(Result{Kind: Healthy})
}

// TestStrayThrottlesBarelySlowTheCallers: a server that throttles one
// request in 25 at random, at any rate (no limit), is not taken for a
// limit: callers that send 500 requests a second keep nearly the pace they
// have with the learned rate off (the gate's closures alone).
func TestStrayThrottlesBarelySlowTheCallers(t *testing.T) {
	run := func(off bool) time.Duration {
		fc := newFakeClock()
		l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread, c.Learn.Off = 0, off })
		rnd := rand.New(rand.NewPCG(1, 2))
		start := fc.Now()
		for range 3000 {
			fc.Advance(2 * time.Millisecond) // the callers' demand: 500/s
			p := acquireOnFakeTime(t, fc, l)
			if rnd.IntN(25) == 0 {
				p.Done(Result{Kind: Throttled, Wait: 10 * time.Millisecond, Asked: true})
				continue
			}
			p.Done(Result{Kind: Healthy})
		}
		return fc.Now().Sub(start)
	}
	off, on := run(true), run(false)
	t.Logf("3000 calls in %v with the learned rate off, %v with it on", off, on)
	assert.Less(t, float64(on), 1.15*float64(off), "1.10 when written")
}

// TestLowLimitIsFound: against a server that lets 50 requests a second
// through, in bursts of 10, and asks for a second's wait when throttling,
// callers that send as fast as they may get most of its rate: the few
// sends of each probe do not keep the rate above the limit.
func TestLowLimitIsFound(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	srv := newFakeBucket(50, 10, fc.Now())
	start := fc.Now()
	ok, throttles := 0, 0
	for fc.Now().Sub(start) < 30*time.Second {
		p := acquireOnFakeTime(t, fc, l)
		if srv.admit(fc.Now()) {
			ok++
			p.Done(Result{Kind: Healthy})
			continue
		}
		throttles++
		p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	}
	rate := float64(ok) / fc.Now().Sub(start).Seconds()
	t.Logf("%.1f ok/s, %d throttles in 30 s; %s", rate, throttles, l)
	assert.Greater(t, rate, 0.8*50)
	assert.Less(t, throttles, 10)
}

// TestFirstWindowRefillIsTakenOutOfTheBurst: the callers' first requests
// reach the server 10 ms after the limiter is made (connections being
// set up), empty its bucket of 20, and get 2 more through as it refills
// until the throttle's answer comes back at 20 ms. The 22 accepted hold
// the refill of half of the 20 ms: the probe's estimate, solved together
// with the burst, lands on the server's rate (taking 22 for the burst
// would put it some 7 % low).
func TestFirstWindowRefillIsTakenOutOfTheBurst(t *testing.T) {
	fc := newFakeClock()
	l := newTestLimiter(t, fc, func(c *Config) { c.Gate.Spread = 0 })
	start := fc.Now()
	fc.Advance(10 * time.Millisecond)
	srv := newFakeBucket(200, 20, fc.Now())
	var refused []Permit
	for fc.Now().Sub(start) <= 20*time.Millisecond {
		p, err := l.Acquire(context.Background())
		require.NoError(t, err)
		if srv.admit(fc.Now()) {
			p.Done(Result{Kind: Healthy})
			continue
		}
		refused = append(refused, p)
		fc.Advance(time.Millisecond)
	}
	for _, p := range refused { // the answers come back late
		p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
	}
	fc.Advance(time.Second)
	sendUntilThrottled(t, fc, l, srv, 0)
	st := learnedState(l)
	require.False(t, st.Probing)
	assert.Equal(t, 22.0, st.Burst, "what the first window accepted")
	// Within half a token's worth of refill over the probe's drain.
	assert.InEpsilon(t, 200, st.Max, 0.025, "the estimate lands on the server's 200/s")
}
