package throttle

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The state word: the gate's epoch above three flags. Acquire reads only
// this word while nothing limits the caller, and Done only it on a plain
// success; every write happens under Limiter.mu.
const (
	flagClosed  = 1 << iota // the gate is closed
	flagLearned             // the learned rate is in force
	flagDirty               // failures or a backoff level for a success to reset
	flagBits    = 3
	flagMask    = 1<<flagBits - 1
)

const (
	// growEvery spaces the learned rate's growth updates: successes
	// between them do not touch the Store.
	growEvery = 10 * time.Millisecond
	// minEvidence is how many sends since the gate opened it takes to
	// estimate the server's rate at a throttle.
	minEvidence = 20
	// reserveAhead is how far ahead a caller may take a send slot.
	reserveAhead = 50 * time.Millisecond
	// storeSlack is how far the Store's clock and ours may disagree about
	// a reopening before the difference counts.
	storeSlack = time.Millisecond
)

// Limiter is the gate, the learned rate, the configured limits and the
// retry budget of one API, shared by every caller of a client.
type Limiter struct {
	state     atomic.Uint64                 // epoch<<flagBits | flags
	ok        atomic.Uint64                 // requests the server accepted, ever
	learnedSt atomic.Pointer[learnedMirror] // the learned rate while it is in force
	nextGrow  atomic.Int64                  // unix ns: the next growth update of the learned rate
	winStart  atomic.Int64                  // unix ns: start of the window the accepted rate is measured over
	winOK     atomic.Uint64                 // ok at winStart
	atProbe   atomic.Int32                  // callers waiting for the probe's outcome (tests wait for them)

	clock    Clock
	store    Store
	fallback *Local // used for a call the Store failed
	gate     GateConfig
	learn    RateConfig
	rate     float64 // configured
	burst    int
	limited  bool          // a configured limit: every Acquire takes the slow path
	slots    chan struct{} // MaxInFlight; nil: no cap
	shared   Shared        // the Store when processes share it; nil: this process alone
	alone    shareSem      // MaxInFlight's share while the shared Store fails
	poller   chan struct{} // one waiter per process polls the shared Store for a slot
	budget   *Budget
	sends    sendLog

	mu          sync.Mutex
	epoch       uint64 // bumped each time the gate closes for a new reason
	closed      bool
	reopenAt    time.Time // local clock
	outage      bool      // closed for an outage: one probe at a time once reopenAt passes
	probing     bool      // the probe is out
	changed     chan struct{}
	level       int           // throttles in a row that named no wait
	outageLevel int           // failed probes in a row, plus one
	failures    int           // transient failures in a row
	learned     bool          // the learned rate is in force
	cause       error         // the response that last closed the gate
	lastClosure time.Duration // how long the gate was closed before it last opened
	lastBurst   float64       // what the server accepted before the first throttle, late answers included; 0: not known
	firstBurst  bool          // the learned rate turned on at the last closure: open sets lastBurst
	burstSpan   atomic.Int64  // ns from the window's start to the closure that lastBurst was counted over
	shareSeen   float64       // what this process's first throttle counted of the burst (a fleet: its share, Observed.Share)
	lateShare   float64       // the burst's answers this process saw after its first throttle, to add to the learned rate's (the fleet's)
	lateAt      time.Time     // when the gate opened with lateShare pending
	closedAt    time.Time     // when the gate last closed
}

// learnedMirror is this process's copy of the Store's learned rate, with
// the offset of the Store's clock from ours at the time it was read.
type learnedMirror struct {
	st     RateState
	offset time.Duration // our clock minus the store's
}

// New returns a Limiter for cfg.
func New(cfg Config) (*Limiter, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if !cfg.Clock.complete() {
		cfg.Clock = SystemClock()
	}
	fallback := NewLocal(cfg.Clock)
	if cfg.Store == nil {
		cfg.Store = fallback
	}
	l := &Limiter{
		clock: cfg.Clock, store: cfg.Store, fallback: fallback,
		gate: cfg.Gate, learn: cfg.Learn,
		rate: cfg.Rate, burst: cfg.Burst,
		limited: cfg.Rate > 0 || cfg.MaxInFlight > 0,
		changed: make(chan struct{}),
	}
	if cfg.MaxInFlight > 0 {
		l.slots = make(chan struct{}, cfg.MaxInFlight)
		l.poller = make(chan struct{}, 1)
	}
	l.shared, _ = cfg.Store.(Shared)
	l.budget = newBudget(cfg.Budget, cfg.Store, fallback)
	l.winStart.Store(cfg.Clock.Now().UnixNano())
	return l, nil
}

// Budget returns the retry budget, nil when it is off (a nil *Budget
// allows every retry).
func (l *Limiter) Budget() *Budget { return l.budget }

// Permit lets one attempt go. Report its outcome with Done, exactly once.
type Permit struct {
	l     *Limiter
	epoch uint64
	probe bool   // the one attempt let through a gate closed for an outage
	slot  bool   // holds an in-flight slot
	fleet func() // gives back the shared in-flight slot; nil: none held
	sent  int64  // unix ns the learned rate let it go at (a fleet: the slot the Store counted it in); 0: it was off
}

// Probe reports whether the attempt is the probe of an outage.
func (p Permit) Probe() bool { return p.probe }

// Kind classifies an attempt's outcome for the limiter.
type Kind uint8

const (
	// Healthy: the server answered normally (2xx, or an error that is not
	// about load, such as 404 or a concurrency conflict).
	Healthy Kind = iota
	// Throttled: 429, exos 300016, entrecode 1451.
	Throttled
	// Failed: 502, 503, 504, a reset or another transient network failure.
	Failed
	// Abandoned: no verdict on the server (the caller's context ended, the
	// request could not be built or authorised).
	Abandoned
)

// Result is an attempt's outcome.
type Result struct {
	Kind Kind
	// Wait is the wait the server asked for (Retry-After), when Asked.
	Wait  time.Duration
	Asked bool
	// Cause is the error made of the response, kept to tell callers
	// turned away at the gate why it is closed.
	Cause error
}

// WaitError is Acquire's error when the caller's deadline ends before it
// may send: the gate opens, or a send slot comes, only after it.
type WaitError struct {
	Wait  time.Duration // how long from now until the caller could have sent
	Cause error         // the response that closed the gate, when known
}

func (e *WaitError) Error() string {
	return "throttle: the server's limit lets the request go only in " + e.Wait.String() + ", after its deadline"
}

// Unwrap returns Cause.
func (e *WaitError) Unwrap() error { return e.Cause }

// Acquire waits until an attempt may be sent: the gate is open (or the
// caller is the outage's probe), the learned and the configured rate have a
// slot for it, and a request in flight less than the cap. It returns a
// *WaitError at once when the wait would end after ctx's deadline, and
// ctx.Err() when ctx ends while waiting.
func (l *Limiter) Acquire(ctx context.Context) (Permit, error) {
	return l.AcquireFor(ctx, nil)
}

func (l *Limiter) acquireSlow(ctx context.Context, wt Waiter) (Permit, error) {
	p := Permit{l: l}
	for {
		s := l.state.Load()
		if s&flagClosed != 0 {
			probe, err := l.waitGate(ctx)
			if err != nil {
				return Permit{}, err
			}
			if probe { // the probe skips the rates: it is one request
				p.probe, p.epoch = true, l.state.Load()>>flagBits
				break
			}
			continue
		}
		waited := false
		var slot time.Time // the Store's send slot, on our clock
		if s&flagLearned != 0 {
			w, at, err := l.reserve(ctx, wt, Learned, l.currentLearnedRate, l.learn.Burst)
			slot = at
			if err == errSharedGateClosed {
				continue // another process closed the gate: wait at it
			}
			if err != nil {
				return Permit{}, err
			}
			waited = w
		}
		if l.rate > 0 {
			w, _, err := l.reserve(ctx, wt, Configured, l.configuredRate, l.burst)
			if err == errSharedGateClosed {
				continue
			}
			if err != nil {
				return Permit{}, err
			}
			waited = waited || w
		}
		s = l.state.Load()
		if waited && s&flagClosed != 0 {
			continue // it closed while we waited for the slot
		}
		p.epoch = s >> flagBits
		if s&flagLearned != 0 {
			now := l.clock.Now()
			l.sends.add(now)
			p.sent = now.UnixNano()
			if l.shared != nil && !slot.IsZero() && !slot.After(now) {
				// The fleet counted it in the slot it reserved, a little
				// before it went (the Store's answer, our timer, the
				// configured rate): its evidence ends there.
				p.sent = slot.UnixNano()
			}
		}
		break
	}
	if l.slots != nil {
		if err := l.takeSlot(ctx, wt); err != nil {
			p.Done(Result{Kind: Abandoned})
			return Permit{}, err
		}
		p.slot = true
		if l.shared != nil {
			release, err := l.fleetSlot(ctx)
			if err != nil {
				p.Done(Result{Kind: Abandoned})
				return Permit{}, err
			}
			p.fleet = release
		}
	}
	return p, nil
}

// reserve takes a slot of bucket b and sleeps until it, telling w first;
// it reports whether it slept, and the slot's time on our clock (halfway
// through the Store's answer, when it read its clock, plus the wait).
// Slots are taken at most reserveAhead ahead: a caller further back sleeps
// and asks again, so that a rate that grows meanwhile (the learned rate,
// probing) serves it sooner.
func (l *Limiter) reserve(ctx context.Context, w Waiter, b Bucket, rate func() float64, burst int) (bool, time.Time, error) {
	slept := false
	for {
		asked := l.clock.Now()
		left := time.Duration(math.MaxInt64)
		if dl, ok := ctx.Deadline(); ok {
			left = dl.Sub(asked)
		}
		r := rate()
		wait, ok, err := l.reserveIn(ctx, b, r, burst, min(left, reserveAhead))
		if err != nil {
			return slept, time.Time{}, err
		}
		at := func() time.Time { return asked.Add(l.clock.Now().Sub(asked)/2 + max(0, wait)) }
		switch {
		case ok && wait <= 0:
			return slept, at(), nil
		case ok:
			if w != nil && !slept {
				w.Waiting(waitKinds[b], wait)
			}
			slot := at()
			return true, slot, l.clock.Sleep(ctx, wait)
		case wait > left:
			return slept, time.Time{}, &WaitError{Wait: wait, Cause: l.lastCause()}
		}
		if w != nil && !slept {
			w.Waiting(waitKinds[b], wait) // the slot is wait away
		}
		slept = true
		if err := l.clock.Sleep(ctx, jittered(reserveAhead/2, reserveAhead, l.clock.Jitter())); err != nil {
			return true, time.Time{}, err
		}
	}
}

func (l *Limiter) lastCause() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cause
}

// waitGate waits at the closed gate until it opens, or until the caller
// may go as the outage's probe (probe true).
func (l *Limiter) waitGate(ctx context.Context) (probe bool, err error) {
	var target time.Time // when this caller goes, once the gate reopens
	spread := false      // woken with others by a probe's success: spread them
	for {
		l.mu.Lock()
		if !l.closed {
			l.mu.Unlock()
			if spread && l.gate.Spread > 0 && l.state.Load()&flagLearned == 0 {
				return false, l.clock.Sleep(ctx, jittered(0, l.gate.Spread, l.clock.Jitter()))
			}
			return false, nil
		}
		now := l.clock.Now()
		if reopen := l.reopenAt; now.Before(reopen) {
			if target.Before(reopen) {
				target = reopen
				if !l.learned { // else the learned rate spaces them
					target = target.Add(jittered(0, l.gate.Spread, l.clock.Jitter()))
				}
			}
			if dl, ok := ctx.Deadline(); ok {
				if dl.Before(reopen) {
					cause := l.cause
					l.mu.Unlock()
					return false, &WaitError{Wait: reopen.Sub(now), Cause: cause}
				}
				if target.After(dl) {
					target = reopen
				}
			}
			l.mu.Unlock()
			if err := l.clock.Sleep(ctx, target.Sub(now)); err != nil {
				return false, err
			}
			continue
		}
		if l.outage {
			if !l.probing {
				l.probing = true
				l.mu.Unlock()
				return true, nil
			}
			ch := l.changed
			l.atProbe.Add(1)
			l.mu.Unlock()
			select {
			case <-ch:
				spread = true
			case <-ctx.Done():
				l.atProbe.Add(-1)
				return false, ctx.Err()
			}
			l.atProbe.Add(-1)
			continue
		}
		// A throttle's closure is over here; another process may have
		// closed the shared gate for longer.
		l.mu.Unlock()
		rem, err := l.store.GateClosedFor(ctx)
		l.mu.Lock()
		if l.closed && !l.outage {
			now = l.clock.Now()
			switch {
			case err == nil && rem > storeSlack:
				if until := now.Add(rem); until.After(l.reopenAt) {
					l.reopenAt = until
				}
			case !now.Before(l.reopenAt):
				l.open(now)
			}
		}
		late, opened := l.lateShare, l.lateAt
		l.lateShare = 0
		l.mu.Unlock()
		if late > 0 {
			l.addShare(late, opened)
		}
	}
}

// open opens the gate; l.mu is held.
func (l *Limiter) open(now time.Time) {
	l.lastClosure = now.Sub(l.closedAt)
	l.lastBurst = 0
	if l.firstBurst {
		l.lastBurst, l.firstBurst = l.burstSeen(), false
		l.lateShare, l.lateAt = max(0, l.lastBurst-l.shareSeen), now
	}
	l.closed, l.outage, l.probing, l.reopenAt = false, false, false, time.Time{}
	l.winStart.Store(now.UnixNano())
	l.winOK.Store(l.ok.Load())
	l.publish()
	l.broadcast()
}

// close closes the gate until at least now+d; l.mu is held.
func (l *Limiter) close(now time.Time, d time.Duration) {
	if until := now.Add(d); !l.closed || until.After(l.reopenAt) {
		l.reopenAt = until
	}
	if !l.closed {
		l.closedAt = now
	}
	l.closed = true
}

// broadcast wakes the callers waiting for a probe's outcome; l.mu is held.
func (l *Limiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// publish writes the state word from the fields; l.mu is held.
func (l *Limiter) publish() {
	s := l.epoch << flagBits
	if l.closed {
		s |= flagClosed
	}
	if l.learned {
		s |= flagLearned
	}
	if l.failures > 0 || l.level > 0 {
		s |= flagDirty
	}
	l.state.Store(s)
}

// Done reports the attempt's outcome. It releases the in-flight slot,
// opens, closes or keeps the gate, and adapts the learned rate.
func (p Permit) Done(r Result) {
	l := p.l
	if l == nil {
		return
	}
	if p.fleet != nil {
		p.fleet()
	}
	if p.slot {
		<-l.slots
	}
	switch r.Kind {
	case Healthy:
		l.healthy(p)
	case Throttled:
		l.throttled(p, r)
	case Failed:
		l.failed(p, r)
	default:
		if p.probe {
			l.mu.Lock()
			l.probing = false // another caller may probe
			l.broadcast()
			l.mu.Unlock()
		}
	}
}

func (l *Limiter) healthy(p Permit) {
	l.ok.Add(1)
	s := l.state.Load()
	if s&(flagDirty|flagClosed) == 0 && !p.probe {
		if s&flagLearned != 0 {
			l.grow()
		}
		return
	}
	opened := false
	l.mu.Lock()
	l.failures = 0
	if p.epoch == l.epoch {
		l.level = 0
	}
	if p.probe {
		l.probing = false
		if l.outage {
			l.outageLevel = 0
			l.open(l.clock.Now())
			opened = true
		} else {
			l.broadcast()
		}
	}
	l.publish()
	learned := l.learned
	l.mu.Unlock()
	if opened {
		if err := l.store.OpenGate(context.Background()); err != nil {
			_ = l.fallback.OpenGate(context.Background())
		}
	}
	if learned {
		l.grow()
	}
}

func (l *Limiter) throttled(p Permit, r Result) {
	now := l.clock.Now()
	l.mu.Lock()
	fresh := p.epoch == l.epoch // sent after the gate last closed: news
	var d time.Duration
	switch {
	case r.Asked && r.Wait > 0:
		d = r.Wait
	case fresh:
		l.level++
		d = jittered(l.gate.MinBackoff, doubled(l.gate.MinBackoff, l.gate.MaxBackoff, l.level+1), l.clock.Jitter())
	}
	if r.Cause != nil && (fresh || l.cause == nil) {
		l.cause = r.Cause
	}
	if p.probe || l.outage { // the server answers: the outage is over
		l.outage, l.probing = false, false
		l.broadcast()
	}
	var seen Observed
	var lastClosure time.Duration
	if fresh {
		l.epoch++
		seen.Window = time.Duration(now.UnixNano() - l.winStart.Load())
		seen.Accepted = float64(l.ok.Load() - l.winOK.Load())
		lastClosure = l.lastClosure
		seen.Burst = l.lastBurst
		l.firstBurst = !l.learned
		if l.firstBurst {
			l.shareSeen = seen.Accepted
		}
		// In a fleet, what this process saw accepted is its share of what
		// the server accepted: the shares of the fleet's first throttles
		// add up to the server's burst (Share), which its own count
		// (Burst, when the window follows that closure) is part of.
		seen.Share = l.shared != nil && l.firstBurst
	}
	if d > 0 {
		l.close(now, d)
	}
	l.publish()
	l.mu.Unlock()

	if d > 0 {
		rem, err := l.store.CloseGate(context.Background(), d)
		if err == nil && rem > d+storeSlack {
			l.mu.Lock()
			l.close(now, rem)
			l.publish()
			l.mu.Unlock()
		}
	}
	if fresh && !l.learn.Off {
		seen.Closed = l.GateClosedFor()
		if m := l.learnedSt.Load(); m != nil && m.st.Active {
			seen = l.weigh(m, p, now, seen, lastClosure)
		}
		l.updateRate(func(s RateState, t time.Time) RateState { return l.learn.Throttle(s, t, seen) })
	}
}

func (l *Limiter) failed(p Permit, r Result) {
	now := l.clock.Now()
	var d time.Duration
	l.mu.Lock()
	if r.Cause != nil {
		l.cause = r.Cause
	}
	switch {
	case p.probe && l.outage:
		l.probing = false
		l.outageLevel++
		full := doubled(l.gate.MinOutage, l.gate.MaxOutage, l.outageLevel)
		d = jittered(full/2, full, l.clock.Jitter())
		l.reopenAt = now.Add(d)
		l.broadcast()
	case p.probe:
		l.probing = false
		l.broadcast()
	}
	l.failures++
	if !l.outage && l.failures >= l.gate.OutageAfter && p.epoch == l.epoch {
		l.epoch++
		l.outage, l.outageLevel = true, 1
		d = jittered(l.gate.MinOutage/2, l.gate.MinOutage, l.clock.Jitter())
		l.close(now, d)
		l.broadcast()
	}
	if l.closed && r.Asked && r.Wait > 0 {
		l.close(now, r.Wait)
		d = max(d, r.Wait)
	}
	l.publish()
	l.mu.Unlock()
	if d > 0 {
		if _, err := l.store.CloseGate(context.Background(), d); err != nil {
			_, _ = l.fallback.CloseGate(context.Background(), d)
		}
	}
}

// acceptedRate is the rate at which the server accepted requests since the
// gate last opened; 0 when that is too recent to tell.
func (l *Limiter) acceptedRate(now time.Time) float64 {
	elapsed := time.Duration(now.UnixNano() - l.winStart.Load())
	if elapsed < 50*time.Millisecond {
		return 0
	}
	return float64(l.ok.Load()-l.winOK.Load()) / elapsed.Seconds()
}

// estimateLimit estimates the server's rate from the sends since the gate
// last opened, up to the throttled one (the fleet's when shared), whole if
// they reach back to the opening. The server's bucket is taken to have
// refilled while the gate was closed: fully when the sends reach back to
// the opening and the closure was long enough at the learned rate, else to
// its burst.
func (l *Limiter) estimateLimit(st RateState, sends []float64, whole bool, end time.Time, seen Observed, closure time.Duration) float64 {
	total := sum(sends)
	if total < minEvidence {
		return 0 // too few to tell a limit from a stray throttle
	}
	// The throttled request went at end, the share at of its slot; the
	// slot's count holds the sends until its answer came (or the slot
	// ended), spread over that time. A fleet's slots end at the store's
	// time: there, halfway.
	at, before := 0.5, 0.5
	if l.shared == nil {
		slotStart := time.Unix(0, end.UnixNano()/int64(sendSlot)*int64(sendSlot))
		at = float64(end.Sub(slotStart)) / float64(sendSlot)
		if counted := min(1, float64(l.clock.Now().Sub(slotStart))/float64(sendSlot)); counted > 0 {
			before = min(1, at/counted)
		}
	}
	estimate := func(burst float64) float64 {
		if burst <= 0 { // unknown: a tenth of a second at the rate we sent at
			burst = max(1, total/(float64(len(sends))*sendSlot.Seconds())/10)
		}
		start := burst
		if whole {
			start = min(burst, st.Rate*closure.Seconds())
		}
		return estimateLimitAt(sends, sendSlot, burst, start, at, before)
	}
	burst := max(st.Burst, seen.Burst)
	limit := estimate(burst)
	// What the server was seen to accept before the first throttle: this
	// process's count, or in a fleet every member's share added up.
	counted := seen.Burst
	if l.shared != nil {
		counted = st.Burst
	}
	if span := time.Duration(l.burstSpan.Load()); seen.Burst > 0 && counted >= st.Burst && span > 0 {
		// What the server accepted before the first throttle holds, besides
		// its burst, what it refilled from when it ran dry until the gate
		// closed: between none and all of the span's worth at its rate.
		// Take the middle, solving for the burst and the rate together. A
		// fleet's members sent over about the same span as this one.
		for range 4 {
			limit = estimate(max(1, counted-limit*span.Seconds()/2))
		}
	}
	return limit * (1 - safetyMargin)
}

// safetyMargin is how far below its estimate of the server's rate the
// learned rate settles: the estimate is as likely above the server's rate
// as below it, and running above it empties the server's bucket and closes
// the gate for a Retry-After (a second, typically), which costs more than
// running a percent below it for a minute.
const safetyMargin = 0.01

// grow lets the learned rate grow after a success, at most once per
// growEvery.
func (l *Limiter) grow() {
	now := l.clock.Now()
	next := l.nextGrow.Load()
	if now.UnixNano() < next || !l.nextGrow.CompareAndSwap(next, now.Add(growEvery).UnixNano()) {
		return
	}
	demand := l.acceptedRate(now)
	if l.shared != nil {
		// The rate is the fleet's, and so must the demand be: each process
		// sees its share of it.
		demand *= float64(l.shared.Processes())
	}
	l.updateRate(func(s RateState, t time.Time) RateState { return l.learn.Grow(s, t, demand) })
}

// updateRate applies f in the Store and mirrors the result.
func (l *Limiter) updateRate(f func(RateState, time.Time) RateState) {
	var storeNow time.Time
	g := func(s RateState, now time.Time) RateState { storeNow = now; return f(s, now) }
	st, err := l.store.UpdateRate(context.Background(), g)
	if err != nil {
		// Go on alone from the last state known (not the fallback's, which
		// knows nothing of the shared one), on the store's clock as last seen.
		var known RateState
		var offset time.Duration
		if m := l.learnedSt.Load(); m != nil {
			known, offset = m.st, m.offset
		}
		storeNow = l.clock.Now().Add(-offset)
		st = f(known, storeNow)
	}
	l.mirror(st, storeNow)
}

// mirror keeps st, read when the store's clock said storeNow.
func (l *Limiter) mirror(st RateState, storeNow time.Time) {
	l.learnedSt.Store(&learnedMirror{st: st, offset: l.clock.Now().Sub(storeNow)})
	l.mu.Lock()
	if l.learned != st.Active {
		l.learned = st.Active
		l.publish()
	}
	l.mu.Unlock()
}

// LearnedRate returns the learned rate in requests per second, and whether
// it is in force.
func (l *Limiter) LearnedRate() (float64, bool) {
	if l.state.Load()&flagLearned == 0 {
		return 0, false
	}
	return l.learnedRate(l.clock.Now()), true
}

func (l *Limiter) currentLearnedRate() float64 { return l.learnedRate(l.clock.Now()) }
func (l *Limiter) configuredRate() float64     { return l.rate }

// learnedRate is the learned rate at now: while probing it grows with
// time, not only with the successes that update the Store.
func (l *Limiter) learnedRate(now time.Time) float64 {
	m := l.learnedSt.Load()
	if m == nil {
		return 0
	}
	if m.st.Probing {
		return l.learn.rateAt(m.st, now.Add(-m.offset))
	}
	return m.st.Rate
}

// GateClosedFor returns how long the gate stays closed from now, as this
// process sees it; 0 when open.
func (l *Limiter) GateClosedFor() time.Duration {
	if l.state.Load()&flagClosed == 0 {
		return 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		return 0
	}
	return max(0, l.reopenAt.Sub(now))
}

// Closure returns how long the gate stays closed from now (0 when open)
// and the response that closed it.
func (l *Limiter) Closure() (time.Duration, error) {
	if l.state.Load()&flagClosed == 0 {
		return 0, nil
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		return 0, nil
	}
	return max(0, l.reopenAt.Sub(now)), l.cause
}

// Sync reads the shared gate and learned rate from the Store into this
// process; a fleet calls it now and then (and after a Store outage), as a
// process otherwise learns of another's throttle only from its own.
func (l *Limiter) Sync(ctx context.Context) error {
	rem, err := l.store.GateClosedFor(ctx)
	if err != nil {
		return err
	}
	l.closedElsewhere(rem)
	if l.learn.Off {
		return nil
	}
	var storeNow time.Time
	st, err := l.store.UpdateRate(ctx, func(s RateState, now time.Time) RateState { storeNow = now; return s })
	if err != nil {
		return err
	}
	l.mirror(st, storeNow)
	return nil
}

// String describes the limiter's state, for logs and test failures.
func (l *Limiter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := "gate open"
	if l.closed {
		s = "gate closed"
		if l.outage {
			s += " (outage)"
		}
	}
	if l.learned {
		s += ", learned rate " + strconv.FormatFloat(l.learnedRate(l.clock.Now()), 'f', 1, 64) + "/s"
	}
	return s
}
