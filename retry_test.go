package apierr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
)

func TestClassify(t *testing.T) {
	prob := func(status int, code retryCode) problem {
		p := &Problem[retryCode]{Status: status, Code: code}
		return p
	}
	tests := []struct {
		name   string
		p      problem
		status int
		want   codes.RetryClass
	}{
		{"429 without code", prob(429, ""), 429, codes.RetryBackoff},
		{"408", prob(408, ""), 408, codes.RetryTransient},
		{"502", prob(502, ""), 502, codes.RetryTransient},
		{"503", prob(503, ""), 503, codes.RetryTransient},
		{"504", prob(504, ""), 504, codes.RetryTransient},
		{"500 is not transient by status", prob(500, ""), 500, codes.RetryNever},
		{"400", prob(400, ""), 400, codes.RetryNever},
		{"409", prob(409, ""), 409, codes.RetryNever},
		{"undocumented code falls back on status", prob(503, "nope"), 503, codes.RetryTransient},
		{"known code wins over 400", prob(400, "race"), 400, codes.RetryConcurrency},
		{"known transient code on 500", prob(500, "flaky"), 500, codes.RetryTransient},
		{"known never code on 503", prob(503, "config"), 503, codes.RetryNever},
		{"known backoff code on 400", prob(400, "slow"), 400, codes.RetryBackoff},
		{"not a problem: status only", nil, 429, codes.RetryBackoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.p, tt.status))
		})
	}
}

func TestRetryByClassAndMethod(t *testing.T) {
	key := http.Header{"Idempotency-Key": {"k-1"}}
	tests := []struct {
		name     string
		method   string
		header   http.Header
		first    reply
		attempts int
	}{
		{"backoff GET", "GET", nil, reply{status: 429}, 2},
		{"backoff POST: refused before acting", "POST", nil, reply{status: 429}, 2},
		{"backoff code on 400", "PATCH", nil, reply{status: 400, body: "slow"}, 2},
		{"concurrency POST", "POST", nil, reply{status: 400, body: "race"}, 2},
		{"concurrency PATCH", "PATCH", nil, reply{status: 409, body: "race"}, 2},
		{"transient GET", "GET", nil, reply{status: 503}, 2},
		{"transient HEAD", "HEAD", nil, reply{status: 502}, 2},
		{"transient OPTIONS", "OPTIONS", nil, reply{status: 504}, 2},
		{"transient PUT", "PUT", nil, reply{status: 408}, 2},
		{"transient DELETE", "DELETE", nil, reply{status: 503}, 2},
		{"transient code on 500 GET", "GET", nil, reply{status: 500, body: "flaky"}, 2},
		{"transient POST without key: one attempt", "POST", nil, reply{status: 503}, 1},
		{"transient PATCH without key: one attempt", "PATCH", nil, reply{status: 503}, 1},
		{"transient POST with Idempotency-Key", "POST", key, reply{status: 503}, 2},
		{"never: 400", "GET", nil, reply{status: 400}, 1},
		{"never: 404", "GET", nil, reply{status: 404}, 1},
		{"never: 500 without code", "GET", nil, reply{status: 500}, 1},
		{"never: configuration code on 503", "GET", nil, reply{status: 503, body: "config"}, 1},
		{"never: 401 without auth", "GET", nil, reply{status: 401}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{tt.first, {status: 200, body: `{}`}})
			resp, err := m.do(t, context.Background(), tt.method, "items", nil, tt.header)
			assert.Len(t, m.script.attempts(), tt.attempts)
			if tt.attempts == 2 {
				require.NoError(t, err)
				assert.Equal(t, 200, resp.StatusCode)
				return
			}
			var p *Problem[retryCode]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, tt.first.status, p.Status)
			assert.Equal(t, 1, p.Attempts)
			assert.Equal(t, tt.method, p.Method)
			assert.Equal(t, testBase+"items", p.URL)
			assert.Empty(t, m.waits)
		})
	}
}

func TestRetryWaits(t *testing.T) {
	// jitter 0.5: backoff retry n waits MinWait + (min(MaxWait, MinWait·2ⁿ) - MinWait)/2
	tests := []struct {
		name  string
		first reply
		want  []time.Duration // one per retry: MaxAttempts-1, or ConflictAttempts-1 after conflicts
	}{
		{"backoff grows", reply{status: 429}, []time.Duration{150 * time.Millisecond, 250 * time.Millisecond, 450 * time.Millisecond}},
		{"transient grows", reply{status: 503}, []time.Duration{150 * time.Millisecond, 250 * time.Millisecond, 450 * time.Millisecond}},
		// The midpoint of [20 ms, min(200 ms, 20 ms·2ⁿ)], for 8 attempts.
		{"concurrency pause grows in 20–200ms", reply{status: 400, body: "race"}, []time.Duration{30 * time.Millisecond, 50 * time.Millisecond, 90 * time.Millisecond, 110 * time.Millisecond, 110 * time.Millisecond, 110 * time.Millisecond, 110 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{tt.first}, WithAdaptiveRate(false)) // the retry schedule alone
			_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
			var p *Problem[retryCode]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, len(tt.want)+1, p.Attempts, "attempts exhausted")
			assert.Len(t, m.script.attempts(), len(tt.want)+1)
			assert.Equal(t, tt.want, m.waits)
		})
	}
}

func TestRetryAfterForms(t *testing.T) {
	date := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := date.Add(7 * time.Second)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"delta-seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"delta-seconds above MaxWait is honoured", http.Header{"Retry-After": {"45"}}, 45 * time.Second},
		{"IMF-fixdate vs Date", http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {at.Format(http.TimeFormat)}}, 7 * time.Second},
		{"RFC 850 vs Date", http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {at.Format("Monday, 02-Jan-06 15:04:05 GMT")}}, 7 * time.Second},
		{"asctime vs Date", http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {at.Format(time.ANSIC)}}, 7 * time.Second},
		{"HTTP date vs the clock without Date", http.Header{"Retry-After": {date.Add(-time.Hour + 9*time.Second).Format(http.TimeFormat)}}, 9 * time.Second},
		{"retry-after-ms", http.Header{"Retry-After-Ms": {"1500"}}, 1500 * time.Millisecond},
		{"x-ms-retry-after-ms", http.Header{"X-Ms-Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
		{"date in the past: computed backoff", http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(-time.Minute).Format(http.TimeFormat)}}, 150 * time.Millisecond},
		{"zero: computed backoff", http.Header{"Retry-After": {"0"}}, 150 * time.Millisecond},
		{"garbage: computed backoff", http.Header{"Retry-After": {"soon"}}, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{{status: 429, header: tt.header}, {status: 204}})
			m.now = func() time.Time { return date.Add(-time.Hour) } // a skewed local clock
			_, err := m.do(t, context.Background(), "POST", "items", map[string]int{"n": 1}, nil)
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{tt.want}, m.waits)
		})
	}
}

func TestRetryAfterAboveMaxReturnsAtOnce(t *testing.T) {
	m := newMockedClient(t, 0.5, []reply{{status: 503, header: http.Header{"Retry-After": {"120"}}}, {status: 200}})
	_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
	var p *Problem[retryCode]
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 120*time.Second, p.RetryAfter)
	assert.Equal(t, 1, p.Attempts)
	assert.Len(t, m.script.attempts(), 1)
	assert.Empty(t, m.waits)
}

func TestWaitPastDeadlineReturnsAtOnce(t *testing.T) {
	tests := []struct {
		name  string
		first reply
		want  time.Duration // RetryAfter on the error
	}{
		{"server asks for more than is left", reply{status: 429, header: http.Header{"Retry-After": {"20"}}}, 20 * time.Second},
		{"computed backoff longer than what is left", reply{status: 503}, 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{tt.first, {status: 200}},
				WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Second, MaxWait: 10 * time.Second, MaxRetryAfter: time.Minute}))
			// The client's clock says 500 ms are left; the real deadline is a
			// minute away, so a slow machine cannot end the call first.
			dl := time.Now().Add(time.Minute)
			m.now = func() time.Time { return dl.Add(-500 * time.Millisecond) }
			ctx, cancel := context.WithDeadline(context.Background(), dl)
			defer cancel()
			start := time.Now()
			_, err := m.do(t, ctx, "GET", "items", nil, nil)
			assert.Less(t, time.Since(start), 30*time.Second, "returned at once, not at the deadline")
			var p *Problem[retryCode]
			require.ErrorAs(t, err, &p)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, tt.want, p.RetryAfter)
			assert.Len(t, m.script.attempts(), 1)
			assert.Empty(t, m.waits)
		})
	}
}

func TestCancelDuringWait(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		t.Run(cause.Error(), func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{{status: 503, body: "flaky"}, {status: 200}},
				WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Hour, MaxWait: time.Hour, MaxRetryAfter: time.Hour}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m.sleep = func(d time.Duration) time.Duration {
				m.waits = append(m.waits, d)
				cancel() // during the wait: before retryablehttp starts its timer
				return d // an hour: only the context can end it
			}
			if cause == context.DeadlineExceeded {
				// The deadline passes during the wait, whatever the speed of
				// the machine: a real 30 ms timeout could end the first
				// attempt instead.
				ec := newExpiringCtx(2 * time.Hour)
				ctx = ec
				m.sleep = func(d time.Duration) time.Duration {
					m.waits = append(m.waits, d)
					ec.expire()
					return d
				}
			}
			start := time.Now()
			_, err := m.do(t, ctx, "GET", "items", nil, nil)
			assert.Less(t, time.Since(start), 10*time.Second)
			require.ErrorIs(t, err, cause)
			var p *Problem[retryCode]
			require.ErrorAs(t, err, &p, "the last response's typed error")
			assert.Equal(t, 503, p.Status)
			assert.Equal(t, retryCode("flaky"), p.Code)
			assert.Equal(t, 1, p.Attempts)
			assert.Equal(t, []time.Duration{time.Hour}, m.waits)
			assert.Len(t, m.script.attempts(), 1)
		})
	}
}

// expiringCtx is a context whose deadline, far off, passes when the test
// says so: Done closes and Err is context.DeadlineExceeded.
type expiringCtx struct {
	context.Context
	deadline time.Time
	done     chan struct{}
	once     sync.Once
}

func newExpiringCtx(left time.Duration) *expiringCtx {
	return &expiringCtx{Context: context.Background(), deadline: time.Now().Add(left), done: make(chan struct{})}
}

func (c *expiringCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *expiringCtx) Done() <-chan struct{}       { return c.done }
func (c *expiringCtx) expire()                     { c.once.Do(func() { close(c.done) }) }

func (c *expiringCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestNetworkErrors(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name     string
		method   string
		err      error
		attempts int
	}{
		{"dial failure POST: nothing was sent", "POST", dial, 2},
		{"dial failure GET", "GET", dial, 2},
		{"reset GET", "GET", reset, 2},
		{"reset POST: may have been acted on", "POST", reset, 1},
		{"unexpected EOF GET", "GET", io.ErrUnexpectedEOF, 2},
		{"certificate error", "GET", x509.UnknownAuthorityError{}, 1},
		{"TLS alert from the server", "GET", &net.OpError{Op: "remote error", Err: errors.New("tls: protocol version not supported")}, 1},
		{"TLS alert of ours", "GET", &net.OpError{Op: "local error", Err: tls.AlertError(70)}, 1},
		{"not TLS", "GET", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, 1},
		{"not a network error", "GET", errors.New("boom"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMockedClient(t, 0.5, []reply{{err: tt.err}, {status: 200}})
			_, err := m.do(t, context.Background(), tt.method, "items", nil, nil)
			assert.Len(t, m.script.attempts(), tt.attempts)
			if tt.attempts == 2 {
				require.NoError(t, err)
				assert.Equal(t, []time.Duration{150 * time.Millisecond}, m.waits)
				return
			}
			var ue *url.Error
			require.ErrorAs(t, err, &ue)
			assert.ErrorIs(t, err, tt.err)
		})
	}
}

func TestNetworkErrorAfterTypedError(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	m := newMockedClient(t, 0.5, []reply{{status: 503}, {err: reset}, {err: errors.New("not retryable")}})
	_, err := m.do(t, context.Background(), "GET", "items?access_token=s3cr3t", nil, nil)
	require.Error(t, err)
	assert.Len(t, m.script.attempts(), 3)
	var p *Problem[retryCode]
	require.ErrorAs(t, err, &p, "the last typed error stays reachable")
	assert.Equal(t, 503, p.Status)
	assert.Equal(t, 3, p.Attempts)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.Contains(t, err.Error(), "REDACTED")
}

func TestRequestBodyIdenticalOnEveryAttempt(t *testing.T) {
	body := map[string]any{"name": "grant", "lock": 42, "note": "ünïcode"}
	m := newMockedClient(t, 0, []reply{{status: 503}, {status: 429}, {status: 400, body: "race"}, {status: 201, body: `{}`}})
	_, err := m.do(t, context.Background(), "POST", "grants", body, http.Header{"Idempotency-Key": {"abc"}})
	require.NoError(t, err)
	seen := m.script.attempts()
	require.Len(t, seen, 4)
	for _, s := range seen[1:] {
		assert.Equal(t, seen[0].body, s.body)
		assert.Equal(t, "abc", s.header.Get("Idempotency-Key"))
	}
	assert.JSONEq(t, `{"name":"grant","lock":42,"note":"ünïcode"}`, seen[0].body)

	t.Run("a body NewRequest did not make", func(t *testing.T) {
		m := newMockedClient(t, 0, []reply{{status: 503}, {status: 200}})
		req, err := http.NewRequest("PUT", testBase+"raw", io.NopCloser(strings.NewReader("raw bytes")))
		require.NoError(t, err)
		_, err = m.Do(req, nil)
		require.NoError(t, err)
		seen := m.script.attempts()
		require.Len(t, seen, 2)
		assert.Equal(t, "raw bytes", seen[0].body)
		assert.Equal(t, "raw bytes", seen[1].body)
	})
}

func TestRetryBudget(t *testing.T) {
	budget := RetryBudget{Capacity: 10, RetryCost: 5, TimeoutCost: 10, Refund: 5}
	m := newMockedClient(t, 0, []reply{{status: 503}}, WithRetryBudget(budget),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 10, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Second}))

	_, err := m.do(t, context.Background(), "GET", "a", nil, nil)
	var p *Problem[retryCode]
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 3, p.Attempts, "two retries spend the 10 tokens")

	_, err = m.do(t, context.Background(), "GET", "b", nil, nil)
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 1, p.Attempts, "the budget is empty: no retry")

	m.script.reset(reply{status: 200}, reply{status: 503})
	_, err = m.do(t, context.Background(), "GET", "c", nil, nil)
	require.NoError(t, err, "a first-attempt success refunds 5 tokens")
	_, err = m.do(t, context.Background(), "GET", "d", nil, nil)
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 2, p.Attempts, "one retry bought with the refund")

	t.Run("network retries cost more", func(t *testing.T) {
		m := newMockedClient(t, 0, []reply{{err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}},
			WithRetryBudget(RetryBudget{Capacity: 10, RetryCost: 1, TimeoutCost: 10}))
		_, err := m.do(t, context.Background(), "GET", "a", nil, nil)
		require.Error(t, err)
		assert.Len(t, m.script.attempts(), 2)
	})
	t.Run("a success after retries gives the last cost back", func(t *testing.T) {
		m := newMockedClient(t, 0, []reply{{status: 503}, {status: 200}},
			WithRetryBudget(RetryBudget{Capacity: 5, RetryCost: 5, TimeoutCost: 5}))
		_, err := m.do(t, context.Background(), "GET", "a", nil, nil)
		require.NoError(t, err)
		assert.EqualValues(t, 5, budgetLeft(m.Client))
	})
	t.Run("off", func(t *testing.T) {
		m := newMockedClient(t, 0, []reply{{status: 503}}, WithRetryBudget(RetryBudget{}))
		assert.Nil(t, m.lim.Budget())
		for range 3 {
			_, err := m.do(t, context.Background(), "GET", "a", nil, nil)
			require.Error(t, err)
		}
		assert.Len(t, m.script.attempts(), 12)
	})
}

func TestAuthReplay(t *testing.T) {
	t.Run("401 then success: one replay, new credential, no wait, no budget", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 401, body: "expired"}, {status: 200}},
			WithRetryBudget(RetryBudget{Capacity: 1, RetryCost: 5, TimeoutCost: 5}))
		a := &recordingAuth{}
		m.auth = a
		_, err := m.do(t, context.Background(), "POST", "grants", map[string]int{"x": 1}, nil)
		require.NoError(t, err)
		seen := m.script.attempts()
		require.Len(t, seen, 2)
		assert.Equal(t, "Bearer t1", seen[0].header.Get("Authorization"))
		assert.Equal(t, "Bearer t2", seen[1].header.Get("Authorization"))
		assert.Equal(t, seen[0].body, seen[1].body)
		assert.Equal(t, []string{"Bearer t1"}, a.rejections)
		require.Len(t, a.probs, 1)
		assert.ErrorIs(t, a.probs[0], ErrUnauthorized)
		assert.Empty(t, m.waits, "the replay does not wait")
		assert.EqualValues(t, 1, budgetLeft(m.Client))
	})
	t.Run("second 401 returns the typed error", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 401}})
		a := &recordingAuth{}
		m.auth = a
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		require.ErrorIs(t, err, ErrUnauthorized)
		var p *Problem[retryCode]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, 2, p.Attempts)
		assert.Len(t, m.script.attempts(), 2)
		assert.Len(t, a.rejections, 1)
	})
	t.Run("replay even with retries off", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 401}, {status: 200}},
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Millisecond}))
		m.auth = &recordingAuth{}
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		require.NoError(t, err)
		assert.Len(t, m.script.attempts(), 2)
	})
	t.Run("replay does not use up the attempts", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 401}, {status: 503}})
		m.auth = &recordingAuth{}
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		var p *Problem[retryCode]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, 5, p.Attempts, "the replay plus MaxAttempts")
		assert.Equal(t, 503, p.Status)
	})
	t.Run("rejected returns an error: stop with it", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 401}, {status: 200}})
		stop := errors.New("stub auth: insufficient scope")
		m.auth = &recordingAuth{reject: stop}
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		assert.Equal(t, stop, err)
		assert.Len(t, m.script.attempts(), 1)
	})
	t.Run("authorize fails before the first attempt", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 200}})
		a := &recordingAuth{failAfter: 1, issued: 1}
		m.auth = a
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		require.EqualError(t, err, "stub auth: no token")
		assert.Empty(t, m.script.attempts())
	})
	t.Run("authorize fails before a retry", func(t *testing.T) {
		m := newMockedClient(t, 0.5, []reply{{status: 503}, {status: 200}})
		m.auth = &recordingAuth{failAfter: 1}
		_, err := m.do(t, context.Background(), "GET", "items", nil, nil)
		require.ErrorContains(t, err, "stub auth: no token")
		var p *Problem[retryCode]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, 503, p.Status)
		assert.Len(t, m.script.attempts(), 1)
	})
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, MinWait: 100 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: time.Minute}
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"first retry, no jitter", p.backoff(1, 0), 100 * time.Millisecond},
		{"first retry, top of the range", p.backoff(1, math.Nextafter(1, 0)), 200 * time.Millisecond},
		{"third retry ceiling 800ms", p.backoff(3, 0.5), 450 * time.Millisecond},
		{"capped at MaxWait", p.backoff(10, math.Nextafter(1, 0)), time.Second},
		{"huge n does not overflow", p.backoff(1<<30, 0.5), 550 * time.Millisecond},
		{"n 63 does not overflow", p.backoff(63, 0.5), 550 * time.Millisecond},
		{"MinWait 0: [0, MaxWait]", RetryPolicy{MaxWait: time.Second}.backoff(1, 0.25), 250 * time.Millisecond},
		{"huge MinWait and MaxWait", RetryPolicy{MinWait: math.MaxInt64 / 2, MaxWait: math.MaxInt64}.backoff(5, 0), math.MaxInt64 / 2},
		{"jitter 1 is clamped", p.backoff(1, 1), 200 * time.Millisecond},
		{"negative jitter is clamped", p.backoff(1, -1), 100 * time.Millisecond},
		{"pause first retry", p.pause(1, 0.5), 30 * time.Millisecond},
		{"pause capped at 200ms", p.pause(20, math.Nextafter(1, 0)), 200 * time.Millisecond},
		{"pause bounded by MaxWait", RetryPolicy{MaxWait: 10 * time.Millisecond}.pause(3, math.Nextafter(1, 0)), 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, float64(tt.want), float64(tt.got), float64(time.Microsecond))
		})
	}
}

func TestRetryPolicyValidate(t *testing.T) {
	ok := DefaultRetryPolicy()
	tests := []struct {
		name   string
		change func(*RetryPolicy)
		want   string
	}{
		{"negative attempts", func(p *RetryPolicy) { p.MaxAttempts = -1 }, "MaxAttempts must not be negative"},
		{"negative MinWait", func(p *RetryPolicy) { p.MinWait = -1 }, "MinWait must not be negative"},
		{"negative MaxWait", func(p *RetryPolicy) { p.MaxWait = -1 }, "MaxWait must not be negative"},
		{"MaxWait below MinWait", func(p *RetryPolicy) { p.MinWait = time.Minute }, "MaxWait must not be less than MinWait"},
		{"negative MaxRetryAfter", func(p *RetryPolicy) { p.MaxRetryAfter = -1 }, "MaxRetryAfter must not be negative"},
	}
	require.NoError(t, ok.validate())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.change(&p)
			_, err := New(WithBaseURL(testBase), WithRetryPolicy(p))
			require.ErrorContains(t, err, tt.want)
			assert.Contains(t, err.Error(), "apierr: RetryPolicy.")
		})
	}
}

// TestDecide is the one retry rule, as API calls, token requests and exos
// logins all apply it.
func TestDecide(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 3, ConflictAttempts: 5, MinWait: 100 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 10 * time.Second}
	tests := []struct {
		name string
		c    retryCase
		want retryVerdict
	}{
		{"never", retryCase{class: codes.RetryNever, idempotent: true, deadline: -1}, retryVerdict{}},
		{"transient POST", retryCase{class: codes.RetryTransient, deadline: -1}, retryVerdict{stop: stopNotIdempotent}},
		{"throttled POST retries", retryCase{class: codes.RetryBackoff, deadline: -1}, retryVerdict{retry: true, wait: 100 * time.Millisecond}},
		{"concurrency POST pauses", retryCase{class: codes.RetryConcurrency, deadline: -1, jitter: 0.5}, retryVerdict{retry: true, wait: 30 * time.Millisecond}},
		{"transient GET backs off", retryCase{class: codes.RetryTransient, idempotent: true, retries: 1, deadline: -1, jitter: 0.5}, retryVerdict{retry: true, wait: 250 * time.Millisecond}},
		{"attempts exhausted", retryCase{class: codes.RetryTransient, idempotent: true, retries: 2, deadline: -1}, retryVerdict{stop: stopExhausted}},
		{"conflicts retry past MaxAttempts", retryCase{class: codes.RetryConcurrency, retries: 3, deadline: -1}, retryVerdict{retry: true, wait: 20 * time.Millisecond}},
		{"conflict attempts exhausted", retryCase{class: codes.RetryConcurrency, retries: 4, deadline: -1}, retryVerdict{stop: stopExhausted}},
		{"server's wait honoured above MaxWait", retryCase{class: codes.RetryBackoff, asked: 5 * time.Second, deadline: -1}, retryVerdict{retry: true, wait: 5 * time.Second}},
		{"server's wait above MaxRetryAfter", retryCase{class: codes.RetryBackoff, asked: 11 * time.Second, deadline: -1}, retryVerdict{wait: 11 * time.Second, stop: stopAboveMax}},
		{"server's wait past the deadline", retryCase{class: codes.RetryBackoff, asked: 2 * time.Second, deadline: time.Second}, retryVerdict{wait: 2 * time.Second, stop: stopPastDeadline}},
		{"computed wait past the deadline", retryCase{class: codes.RetryTransient, idempotent: true, deadline: 50 * time.Millisecond}, retryVerdict{wait: 100 * time.Millisecond, stop: stopPastDeadline}},
		{"wait that fits the deadline", retryCase{class: codes.RetryTransient, idempotent: true, deadline: 100 * time.Millisecond}, retryVerdict{retry: true, wait: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, p.decide(tt.c))
		})
	}
}

// TestRetryPolicyWithDefaults: a zero field takes DefaultRetryPolicy's
// value; a default wait gives way to the other bound when they would cross.
func TestRetryPolicyWithDefaults(t *testing.T) {
	d := DefaultRetryPolicy()
	ms := time.Millisecond
	tests := []struct {
		name     string
		in, want RetryPolicy
	}{
		{"all zero", RetryPolicy{}, d},
		{"MaxAttempts 1 turns conflict retries off too", RetryPolicy{MaxAttempts: 1}, RetryPolicy{MaxAttempts: 1, ConflictAttempts: 1, MinWait: 250 * ms, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}},
		{"MaxAttempts below 8 keeps 8 for conflicts", RetryPolicy{MaxAttempts: 2}, RetryPolicy{MaxAttempts: 2, ConflictAttempts: 8, MinWait: 250 * ms, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}},
		{"MaxAttempts above 8 raises conflicts", RetryPolicy{MaxAttempts: 12}, RetryPolicy{MaxAttempts: 12, ConflictAttempts: 12, MinWait: 250 * ms, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}},
		{"ConflictAttempts set", RetryPolicy{MaxAttempts: 1, ConflictAttempts: 3}, RetryPolicy{MaxAttempts: 1, ConflictAttempts: 3, MinWait: 250 * ms, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}},
		{"MaxWait below the default MinWait", RetryPolicy{MaxWait: 5 * ms}, RetryPolicy{MaxAttempts: 4, ConflictAttempts: 8, MinWait: 5 * ms, MaxWait: 5 * ms, MaxRetryAfter: 30 * time.Second}},
		{"MaxWait above the default MinWait", RetryPolicy{MaxWait: time.Second}, RetryPolicy{MaxAttempts: 4, ConflictAttempts: 8, MinWait: 250 * ms, MaxWait: time.Second, MaxRetryAfter: 30 * time.Second}},
		{"MinWait above the default MaxWait", RetryPolicy{MinWait: time.Minute}, RetryPolicy{MaxAttempts: 4, ConflictAttempts: 8, MinWait: time.Minute, MaxWait: time.Minute, MaxRetryAfter: 30 * time.Second}},
		{"MinWait below the default MaxWait", RetryPolicy{MinWait: ms}, RetryPolicy{MaxAttempts: 4, ConflictAttempts: 8, MinWait: ms, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}},
		{"nothing zero", RetryPolicy{MaxAttempts: 2, MinWait: ms, MaxWait: 2 * ms, MaxRetryAfter: 3 * ms, ConflictAttempts: 5}, RetryPolicy{MaxAttempts: 2, MinWait: ms, MaxWait: 2 * ms, MaxRetryAfter: 3 * ms, ConflictAttempts: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(WithBaseURL(testBase), WithRetryPolicy(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.policy)
			assert.NoError(t, c.policy.validate())
		})
	}
}

// TestRetryBudgetWithDefaults: with a Capacity, a zero cost takes
// DefaultRetryBudget's value; RetryBudget{} stays off.
func TestRetryBudgetWithDefaults(t *testing.T) {
	tests := []struct {
		name     string
		in, want RetryBudget
	}{
		{"off", RetryBudget{}, RetryBudget{}},
		{"capacity only", RetryBudget{Capacity: 50}, RetryBudget{Capacity: 50, RetryCost: 5, TimeoutCost: 10, Refund: 1}},
		{"nothing zero", RetryBudget{7, 1, 2, 3}, RetryBudget{7, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.withDefaults())
			c, err := New(WithBaseURL(testBase), WithRetryBudget(tt.in))
			require.NoError(t, err)
			b := c.lim.Budget()
			if tt.want.Capacity == 0 {
				assert.Nil(t, b)
				return
			}
			assert.EqualValues(t, tt.want.Capacity, budgetLeft(c), "starts full")
			cfg := b.Config()
			assert.EqualValues(t, tt.want.Capacity, cfg.Capacity)
			assert.EqualValues(t, tt.want.RetryCost, cfg.RetryCost)
			assert.EqualValues(t, tt.want.TimeoutCost, cfg.TimeoutCost)
			assert.EqualValues(t, tt.want.Refund, cfg.Refund)
		})
	}
}
