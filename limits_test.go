package apierr

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/throttle"
)

// scriptedServer answers each request with the next status of a script
// (200 once it runs out), with Retry-After when given.
type scriptedServer struct {
	*httptest.Server
	mu         sync.Mutex
	script     []int
	retryAfter string
	requests   atomic.Int64
}

func newScriptedServer(t *testing.T, retryAfter string, script ...int) *scriptedServer {
	s := &scriptedServer{script: script, retryAfter: retryAfter}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		status := http.StatusOK
		if len(s.script) > 0 {
			status, s.script = s.script[0], s.script[1:]
		}
		s.mu.Unlock()
		if status != http.StatusOK && s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

func newLimitsClient(t *testing.T, url string, opts ...Option) *Client {
	c, err := New(append([]Option{WithBaseURL(url), WithRetryBudget(RetryBudget{})}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func getWith(ctx context.Context, c *Client) error {
	req, err := c.NewRequest(ctx, http.MethodGet, "items", nil)
	if err != nil {
		return err
	}
	_, err = c.Do(req, nil)
	return err
}

func TestGateThrottleWithRetryAfter(t *testing.T) {
	srv := newScriptedServer(t, "2", 429, 429, 429, 429)
	c := newLimitsClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinWait: time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 30 * time.Second}))
	// The client's clock stands still (the limiter's moves only by the
	// waits the seam skips below): the gate's remaining closure is exact,
	// not 2 s minus however long a loaded machine took between the calls.
	frozen := time.Now()
	c.clock.now = func() time.Time { return frozen }
	err := getWith(context.Background(), c)
	require.ErrorIs(t, err, ErrTooManyRequests)
	require.EqualValues(t, 1, srv.requests.Load())

	// A caller whose deadline ends before the gate reopens (in 2 s) gets
	// the typed error at once, with RetryAfter, and sends nothing: not
	// the context's error, which waiting until the deadline would give.
	// The deadline is on the client's clock, 1 s before the reopening.
	ctx, cancel := context.WithDeadline(context.Background(), frozen.Add(time.Second))
	defer cancel()
	err = getWith(ctx, c)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "at once, not at the deadline")
	var p *Problem[codes.Generic]
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 429, p.Status)
	assert.Zero(t, p.Attempts, "nothing sent")
	assert.Equal(t, 2*time.Second, p.RetryAfter)
	assert.EqualValues(t, 1, srv.requests.Load(), "the server saw no request")

	// A caller with time waits at the gate instead of sending: the seam
	// records the wait (and skips it).
	var waits []time.Duration
	var mu sync.Mutex
	c.clock.sleep = func(d time.Duration) time.Duration { mu.Lock(); waits = append(waits, d); mu.Unlock(); return 0 }
	srv.mu.Lock()
	srv.script = nil
	srv.mu.Unlock()
	require.NoError(t, getWith(context.Background(), c))
	require.NotEmpty(t, waits)
	assert.InDelta(t, float64(2*time.Second), float64(waits[0]), float64(250*time.Millisecond), "waited at the gate")
	assert.EqualValues(t, 2, srv.requests.Load())
}

func TestGateThrottleWithoutRetryAfter(t *testing.T) {
	srv := newScriptedServer(t, "", 429, 429)
	c := newLimitsClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinWait: 200 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 30 * time.Second}))
	c.clock.jitter = func() float64 { return 0 }
	// The client's clock stands still, so that the time a loaded machine
	// takes between a 429 and its retry's decision takes nothing off the
	// waits (the limiter's clock moves by the waits the seam skips).
	frozen := time.Now()
	c.clock.now = func() time.Time { return frozen }
	var waits []time.Duration
	c.clock.sleep = func(d time.Duration) time.Duration { waits = append(waits, d); return 0 }
	require.NoError(t, getWith(context.Background(), c))
	assert.EqualValues(t, 3, srv.requests.Load())
	// Each retry waits the gate's closure: the policy's backoff, MinWait
	// with jitter 0; the learned rate lets the retries go at once.
	assert.Equal(t, []time.Duration{200 * time.Millisecond, 200 * time.Millisecond}, waits)
}

func TestGateRetryWaitsUntilTheReopening(t *testing.T) {
	c := newLimitsClient(t, "https://api.example", WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinWait: 200 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 30 * time.Second}))
	c.clock.jitter = func() float64 { return 0 }
	var elapsed atomic.Int64
	start := time.Now()
	c.clock.now = func() time.Time { return start.Add(time.Duration(elapsed.Load())) }
	// A 429 without Retry-After closes the gate for MinWait, 200 ms.
	p, err := c.lim.Acquire(context.Background())
	require.NoError(t, err)
	p.Done(throttle.Result{Kind: throttle.Throttled})
	require.Equal(t, 200*time.Millisecond, c.lim.GateClosedFor())

	// The caller decides its retry 0.6 ms later: 199.4 ms are left.
	elapsed.Store(int64(600 * time.Microsecond))
	s := &callState{Context: context.Background(), idempotent: true}
	require.True(t, c.retry(s, outcome{status: http.StatusTooManyRequests, class: codes.RetryBackoff}))
	assert.Equal(t, 200*time.Millisecond, s.wait, "up to the next millisecond, not to the nearest (199 ms, then a second wait at the gate)")
	assert.GreaterOrEqual(t, s.wait, c.lim.GateClosedFor())
}

func TestGateOutageLetsOneProbeThrough(t *testing.T) {
	const (
		failures    = 40
		outageAfter = 3 // the gate's OutageAfter
		callers     = 16
	)
	// The server counts the requests that arrive while another is in
	// flight. One caller alone sends the failures that open the outage;
	// from then on only probes go, one at a time, until the probe that
	// succeeds (request failures+1) opens the gate for everybody.
	var requests, inFlight, overlapped atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := requests.Add(1)
		if inFlight.Add(1) > 1 && n <= failures+1 {
			overlapped.Add(1)
		}
		defer inFlight.Add(-1) // before the client can read the response
		if n <= failures {
			time.Sleep(time.Millisecond) // a window for a second probe to overlap in
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	c := newLimitsClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 50, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}))
	// The seam skips every wait, the gate's included, and the limiter's
	// clock runs ahead by what it skipped: the ~37 failed probes' closures
	// (MinOutage doubling to MaxOutage, 0.05–1 s each) pass at once. In
	// real time they took 17–23 s against a 30 s deadline. No deadline,
	// then: the skipped time would overtake it; the guard bounds a hang.
	// The first caller's first wait at the outage's gate holds it, and
	// everyone else who reaches the gate meanwhile, until all callers run.
	var gateWaits atomic.Int64
	closed, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	c.clock.sleep = func(d time.Duration) time.Duration {
		if d >= 50*time.Millisecond { // the outage's closures; retries wait 1–2 ms
			gateWaits.Add(1)
			first.Do(func() { close(closed); <-release })
		}
		return 0
	}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	call := func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- getWith(context.Background(), c)
		}()
	}
	call()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		DumpGoroutines(t, "no wait at the outage's gate after a minute")
		t.Fatal("the outage did not close the gate")
	}
	for range callers - 1 {
		call()
	}
	// Let the others reach the gate; only how hard the overlap check
	// tests the gate depends on this, not whether the test passes.
	for deadline := time.Now().Add(time.Second); gateWaits.Load() < callers && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	close(release)
	WaitGroupWithin(t, &wg, time.Minute, "callers at the outage's gate")
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, failures+callers, requests.Load(), "every failure is answered, then every caller succeeds once")
	assert.Zero(t, overlapped.Load(), "requests %d–%d (the outage's probes) overlapped another request", outageAfter+1, failures+1)
	assert.Greater(t, gateWaits.Load(), int64(callers), "callers waited for the outage's closures")
}

func TestGateCancelWhileWaiting(t *testing.T) {
	srv := newScriptedServer(t, "10", 429)
	c := newLimitsClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinWait: time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 30 * time.Second}))
	require.Error(t, getWith(context.Background(), c))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- getWith(ctx, c) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("the wait at the gate did not end with the context")
	}
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestGateManyGoroutinesAndLimits(t *testing.T) {
	var inFlight, maxInFlight atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	c := newLimitsClient(t, srv.URL, WithMaxInFlight(5), WithRateLimit(2000, 10))
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				assert.NoError(t, getWith(context.Background(), c))
			}
		}()
	}
	WaitGroupWithin(t, &wg, time.Minute, "32 callers under the limits")
	assert.LessOrEqual(t, maxInFlight.Load(), int64(5), "USTA: at most 5 in flight")
	assert.Positive(t, maxInFlight.Load())
}

func TestLimitOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"rate", WithRateLimit(0, 1), "WithRateLimit: rps"},
		{"burst", WithRateLimit(5, 0), "WithRateLimit: burst"},
		{"in flight", WithMaxInFlight(0), "WithMaxInFlight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(WithBaseURL("https://example.test"), tt.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "apierr: "+tt.want)
		})
	}
	c, err := New(WithBaseURL("https://example.test"), WithAdaptiveRate(false), WithRateLimit(5, 1), WithMaxInFlight(5))
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

func TestBudgetSparesHonouredThrottles(t *testing.T) {
	// 429s with Retry-After: 0.001 s cost nothing; 503s do.
	srv := newScriptedServer(t, "0.001", 429, 429, 429)
	c, err := New(WithBaseURL(srv.URL), WithAdaptiveRate(false),
		WithRetryBudget(RetryBudget{Capacity: 5, RetryCost: 5, TimeoutCost: 5}))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, getWith(context.Background(), c))
	assert.EqualValues(t, 5, budgetLeft(c), "three honoured throttles: the budget is untouched")

	srv5 := newScriptedServer(t, "", 503, 503)
	c5, err := New(WithBaseURL(srv5.URL), WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}),
		WithRetryBudget(RetryBudget{Capacity: 5, RetryCost: 5, TimeoutCost: 5}))
	require.NoError(t, err)
	defer c5.Close()
	err = getWith(context.Background(), c5)
	require.ErrorIs(t, err, ErrServer, "one retry paid for, the second refused")
	assert.EqualValues(t, 2, srv5.requests.Load())
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}
