package throttle

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simStore is a Shared store for a simulated fleet on one fake clock: a
// Local holds the gate, the learned rate and the buckets for every limiter,
// and the learned bucket's reservations are counted as sends in the slot
// they were reserved for, as the Redis script counts them.
type simStore struct {
	*Local
	clock Clock
	procs int
	sends sendLog
}

func (s *simStore) ReserveOpen(ctx context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, time.Duration, error) {
	if closed, _ := s.Local.GateClosedFor(ctx); closed > 0 {
		return 0, false, closed, nil
	}
	wait, ok, err := s.Local.Reserve(ctx, b, rate, burst, maxWait)
	if ok && b == Learned {
		s.sends.add(s.clock.Now().Add(wait))
	}
	return wait, ok, 0, err
}

func (s *simStore) Sends(_ context.Context, window, ago time.Duration) ([]float64, bool, error) {
	end := s.clock.Now().Add(-ago)
	sends, whole := s.sends.since(end.Add(-window), end)
	return sends, whole, nil
}

func (s *simStore) AcquireSlot(context.Context, int) (func(), bool, error) {
	return func() {}, true, nil
}

func (s *simStore) Processes() int { return s.procs }

// fleetSim is a fleet of limiters sharing a simStore, whose callers send to
// one server bucket; the answers come back lag after each send. Time moves
// only when every caller waits: for a slot or the gate (asleep on the fake
// clock) or for its answer.
type fleetSim struct {
	t     *testing.T
	fc    *fakeClock
	lims  []*Limiter
	srv   *fakeBucket
	lag   time.Duration
	rnd   *rand.Rand
	asked bool // the server's 429s carry Retry-After: 1

	mu       sync.Mutex
	waiting  int // callers waiting for their answer
	live     int // callers not finished
	pending  []simAnswer
	calls    int // calls left to start
	ok       int
	throttle int
	failed   int
	peak     float64 // the highest estimate of the limit installed (RateState.Max)
	peakAt   time.Duration
}

type simAnswer struct {
	due  time.Time
	p    Permit
	ok   bool
	done chan bool
}

// run makes calls calls from perProc callers in each limiter (each call up
// to 4 attempts, as a client's retries) and returns how long they took.
func (s *fleetSim) run(calls, perProc int) time.Duration {
	start := s.fc.Now()
	s.calls = calls
	callers := len(s.lims) * perProc
	s.live = callers
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.caller(s.lims[i%len(s.lims)])
			s.mu.Lock()
			s.live--
			s.mu.Unlock()
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	nextSync := start
	for {
		select {
		case <-finished:
			return s.fc.Now().Sub(start)
		default:
		}
		if !s.quiescent(finished) {
			continue
		}
		now := s.fc.Now()
		if !now.Before(nextSync) { // the fleet's loop reads the shared gate and rate
			for _, l := range s.lims {
				require.NoError(s.t, l.Sync(context.Background()))
			}
			nextSync = now.Add(50 * time.Millisecond)
		}
		if m := s.lims[0].learnedSt.Load(); m != nil && m.st.Max > s.peak {
			s.peak, s.peakAt = m.st.Max, now.Sub(start)
		}
		if a, ok := s.nextDue(now); ok {
			if a.ok {
				a.p.Done(Result{Kind: Healthy})
			} else {
				a.p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: s.asked})
			}
			a.done <- a.ok
			continue
		}
		next := nextSync
		if w := s.fc.sleeping(); len(w) > 0 && w[0].Before(next) {
			next = w[0]
		}
		s.mu.Lock()
		if len(s.pending) > 0 && s.pending[0].due.Before(next) {
			next = s.pending[0].due
		}
		s.mu.Unlock()
		s.fc.Advance(next.Sub(now))
	}
}

// quiescent waits (in real time, bounded) until every caller sleeps on the
// fake clock or waits for its answer; false when the callers finished.
func (s *fleetSim) quiescent(finished <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		w, live := s.waiting, s.live
		s.mu.Unlock()
		if w+len(s.fc.sleeping()) >= live {
			return true
		}
		select {
		case <-finished:
			return false
		case <-time.After(20 * time.Microsecond):
		}
		require.True(s.t, time.Now().Before(deadline), "callers neither asleep nor waiting for 10 s")
	}
}

// nextDue takes the earliest answer due by now.
func (s *fleetSim) nextDue(now time.Time) (simAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 || s.pending[0].due.After(now) {
		return simAnswer{}, false
	}
	a := s.pending[0]
	s.pending = s.pending[1:]
	s.waiting--
	return a, true
}

func (s *fleetSim) caller(l *Limiter) {
	for {
		s.mu.Lock()
		if s.calls == 0 {
			s.mu.Unlock()
			return
		}
		s.calls--
		s.mu.Unlock()
		done := false
		for attempt := 0; attempt < 4 && !done; attempt++ {
			p, err := l.Acquire(context.Background())
			if err != nil {
				s.t.Error(err)
				return
			}
			ch := make(chan bool)
			s.mu.Lock()
			now := s.fc.Now()
			// The answers take from a fifth of lag to twice it.
			lag := time.Duration(float64(s.lag) * (0.2 + 1.8*s.rnd.Float64()))
			a := simAnswer{due: now.Add(lag), p: p, ok: s.srv.admit(now), done: ch}

			i := sort.Search(len(s.pending), func(i int) bool { return s.pending[i].due.After(a.due) })
			s.pending = append(s.pending[:i], append([]simAnswer{a}, s.pending[i:]...)...)
			s.waiting++
			s.mu.Unlock()
			done = <-ch
			s.mu.Lock()
			if done {
				s.ok++
			} else {
				s.throttle++
			}
			s.mu.Unlock()
		}
		if !done {
			s.mu.Lock()
			s.failed++
			s.mu.Unlock()
		}
	}
}

func newFleetSim(t *testing.T, procs int, lag time.Duration, asked bool) *fleetSim {
	fc := newFakeClock()
	store := &simStore{Local: NewLocal(fc.Clock()), clock: fc.Clock(), procs: procs}
	s := &fleetSim{t: t, fc: fc, srv: newFakeBucket(200, 20, fc.Now()), lag: lag, asked: asked, rnd: rand.New(rand.NewPCG(1, 2))}
	for range procs {
		cfg := DefaultConfig()
		cfg.Clock, cfg.Store = fc.Clock(), store
		// The curve grows past an estimate after K, within the run, rather
		// than after the default Hold: the growth on the fleet's demand shows.
		cfg.Learn.Hold = 0
		l, err := New(cfg)
		require.NoError(t, err)
		s.lims = append(s.lims, l)
	}
	return s
}

// TestFleetLearnedRateDoesNotRunAway: 4 limiters sharing one store, 8
// callers each, against one server bucket of 200 req/s (burst 20), the
// answers 10 ms after each send. The fleet's estimates come from the
// fleet's sends up to the throttled one, with the server's burst unknown
// (no process saw all of it), and the re-probes after throttles with few
// sends do not climb: the learned rate stays near the limit, and the calls
// take about the time the limit allows, and the rate grows back past the
// estimate (CUBIC) on the fleet's demand, not one process's.
func TestFleetLearnedRateDoesNotRunAway(t *testing.T) {
	for _, asked := range []bool{true, false} {
		t.Run(map[bool]string{true: "Retry-After 1", false: "no Retry-After"}[asked], func(t *testing.T) {
			s := newFleetSim(t, 4, 10*time.Millisecond, asked)
			const calls = 3000
			took := s.run(calls, 8)
			ideal := time.Duration(calls) * time.Second / 200
			info := fmt.Sprintf("%d ok, %d failed, %d 429s in %v (%.2f× %v); highest estimate installed %.0f/s at %v; %s",
				s.ok, s.failed, s.throttle, took, took.Seconds()/ideal.Seconds(), ideal, s.peak, s.peakAt, s.lims[0])
			t.Log(info)
			assert.Zero(t, s.failed, info)
			assert.Less(t, s.peak, 1.1*200, "no estimate far above the limit installed: %s", info)
			final, _ := s.lims[0].LearnedRate()
			if s.peak < 200 {
				// An estimate below the limit: the curve grows back past it on
				// the fleet's demand (one process's quarter would cap it).
				assert.Greater(t, final, s.peak, "the curve grew back past the estimate, on the fleet's demand: %s", info)
			} else {
				// Above it: the server's throttles cut it back to the limit.
				assert.InDelta(t, 200, final, 0.1*200, "the rate ends near the limit: %s", info)
			}
			assert.Less(t, took.Seconds(), 1.3*ideal.Seconds(), info)
			assert.Less(t, float64(s.throttle), 0.05*calls, info)
		})
	}
}

// TestFleetBurstAddsUpTheShares: the server's burst, as the fleet's learned
// rate keeps it, is what every member saw accepted before the closure that
// turned the rate on: the shares counted at their own throttles, the
// answers that came after them, and those of a member that only learned of
// the closure from the store.
func TestFleetBurstAddsUpTheShares(t *testing.T) {
	fc := newFakeClock()
	store := &simStore{Local: NewLocal(fc.Clock()), clock: fc.Clock(), procs: 4}
	var lims []*Limiter
	for range 4 {
		cfg := DefaultConfig()
		cfg.Clock, cfg.Store, cfg.Gate.Spread = fc.Clock(), store, 0
		l, err := New(cfg)
		require.NoError(t, err)
		lims = append(lims, l)
	}
	ctx := context.Background()
	send := func(l *Limiter, n int) []Permit {
		var ps []Permit
		for range n {
			p, err := l.Acquire(ctx)
			require.NoError(t, err)
			ps = append(ps, p)
		}
		return ps
	}
	answer := func(ps []Permit, kind Kind) {
		for _, p := range ps {
			p.Done(Result{Kind: kind, Wait: time.Second, Asked: true})
		}
	}
	a, b, c := send(lims[0], 7), send(lims[1], 6), send(lims[2], 5)
	answer(a[:4], Healthy)
	answer(a[6:], Throttled) // turns the rate on: 4 of the burst
	answer(b[:3], Healthy)
	answer(b[5:], Throttled) // 3 more
	assert.Equal(t, 7.0, learnedState(lims[1]).Burst, "the shares counted at the throttles")
	answer(a[4:6], Healthy) // late answers: 2 and 2
	answer(b[3:5], Healthy)
	answer(c, Healthy)                    // 5 accepted by a member without a throttle of its own,
	require.NoError(t, lims[2].Sync(ctx)) // which learns of the closure from the store
	fc.Advance(time.Second)
	for _, l := range lims {
		acquireOnFakeTime(t, fc, l).Done(Result{Kind: Healthy}) // each reopens
	}
	stored, err := store.UpdateRate(ctx, func(s RateState, _ time.Time) RateState { return s })
	require.NoError(t, err)
	assert.Equal(t, 4.0+3+2+2+5, stored.Burst, "the fleet's burst")

	// Another closure's shares are not this one's.
	st, ok := DefaultRateConfig().withShare(stored, 5, fc.Now().Add(time.Second))
	assert.False(t, ok)
	assert.Equal(t, stored, st)
}

// TestFleetBurstRefillIsTakenOut: 4 members start 5 ms apart against one
// server bucket (200/s, burst 20). The shares they saw accepted before the
// closure add up to more than the burst: the bucket refilled while they
// started. The estimate at the probe's throttle takes that refill out, as
// one process does for its first window, and lands near the server's rate.
func TestFleetBurstRefillIsTakenOut(t *testing.T) {
	fc := newFakeClock()
	store := &simStore{Local: NewLocal(fc.Clock()), clock: fc.Clock(), procs: 4}
	srv := newFakeBucket(200, 20, fc.Now())
	ctx := context.Background()
	var lims []*Limiter
	for range 4 {
		cfg := DefaultConfig()
		cfg.Clock, cfg.Store, cfg.Gate.Spread = fc.Clock(), store, 0
		l, err := New(cfg)
		require.NoError(t, err)
		lims = append(lims, l)
	}
	for i, l := range lims {
		if i > 0 {
			fc.Advance(5 * time.Millisecond)
		}
		for range 8 {
			if l.GateClosedFor() > 0 {
				break
			}
			p, err := l.Acquire(ctx)
			require.NoError(t, err)
			if srv.admit(fc.Now()) {
				p.Done(Result{Kind: Healthy})
			} else {
				p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: true})
			}
			fc.Advance(200 * time.Microsecond)
		}
	}
	for _, l := range lims {
		require.NoError(t, l.Sync(ctx)) // members without a throttle learn of the closure
	}
	fc.Advance(time.Second)
	for _, l := range lims {
		acquireOnFakeTime(t, fc, l).Done(Result{Kind: Healthy}) // each reopens
	}
	stored, err := store.UpdateRate(ctx, func(s RateState, _ time.Time) RateState { return s })
	require.NoError(t, err)
	require.Greater(t, stored.Burst, 21.0, "the shares hold refill")
	// One member probes until the server's bucket runs dry.
	sendUntilThrottled(t, fc, lims[0], srv, 0)
	st := learnedState(lims[0])
	require.False(t, st.Probing, "the probe found the limit")
	// Within 10 %: left in, the shares' 3 tokens of refill put it 13 % low
	// (173/s); half the members' span of refill is taken out (the middle,
	// as for one process).
	assert.InDelta(t, 200, st.Max, 20, "the estimate lands near the server's 200/s")
}
