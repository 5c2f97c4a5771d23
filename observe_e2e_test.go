package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// eventLog is an Observer that writes each event as a line, and checks that
// every context it gets descends from the one it should: an attempt's end
// from the attempt's start, waits and token requests from the call's.
type eventLog struct {
	mu    sync.Mutex
	lines []string
	bad   []string // contexts that did not carry what they should
	errs  []string // the text of every error an event carried
}

type (
	callKey    struct{}
	attemptKey struct{}
	authKey    struct{}
)

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *eventLog) expect(ctx context.Context, key any, want any, event string) {
	if got := ctx.Value(key); got != want {
		l.mu.Lock()
		l.bad = append(l.bad, fmt.Sprintf("%s: %T = %v, want %v", event, key, got, want))
		l.mu.Unlock()
	}
}

func (l *eventLog) events() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *eventLog) CallStart(ctx context.Context, e apierr.CallStartEvent) context.Context {
	l.add("call %s %s", e.Method, path(e.URL))
	return context.WithValue(ctx, callKey{}, e.Method)
}

func (l *eventLog) CallEnd(ctx context.Context, e apierr.CallEndEvent) {
	l.expect(ctx, callKey{}, e.Method, "CallEnd")
	l.add("end call attempts=%d status=%d code=%s err=%t", e.Attempts, e.Status, e.Code, e.Err != nil)
}

func (l *eventLog) AttemptStart(ctx context.Context, e apierr.AttemptStartEvent) context.Context {
	l.expect(ctx, callKey{}, e.Method, "AttemptStart")
	l.add("attempt %d replay=%t", e.Attempt, e.Replay)
	return context.WithValue(ctx, attemptKey{}, e.Attempt)
}

func (l *eventLog) AttemptEnd(ctx context.Context, e apierr.AttemptEndEvent) {
	l.expect(ctx, attemptKey{}, e.Attempt, "AttemptEnd")
	if e.Err != nil {
		l.mu.Lock()
		l.errs = append(l.errs, e.Err.Error())
		l.mu.Unlock()
	}
	l.add("end attempt %d status=%d code=%s err=%t retry=%t", e.Attempt, e.Status, e.Code, e.Err != nil, e.Retry)
}

func (l *eventLog) Wait(ctx context.Context, e apierr.WaitEvent) {
	if ctx.Value(authKey{}) == nil {
		l.expect(ctx, attemptKey{}, nil, "Wait") // between attempts: no attempt's context
	}
	l.add("wait %s before %d", e.Reason, e.Attempt)
}

func (l *eventLog) AuthStart(ctx context.Context, e apierr.AuthStartEvent) context.Context {
	l.expect(ctx, attemptKey{}, nil, "AuthStart")
	l.add("%s %s %s", e.Op, e.Reason, path(e.URL))
	return context.WithValue(ctx, authKey{}, e.Op)
}

func (l *eventLog) AuthEnd(ctx context.Context, e apierr.AuthEndEvent) {
	l.expect(ctx, authKey{}, e.Op, "AuthEnd")
	l.add("end %s %s status=%d code=%s", e.Op, e.Outcome, e.Status, e.Code)
}

func (l *eventLog) Lockout(ctx context.Context, e apierr.LockoutEvent) {
	l.expect(ctx, authKey{}, e.Op, "Lockout")
	l.add("lockout %s code=%s for=%s", e.Op, e.Code, time.Until(e.Until).Round(time.Minute))
}

func (l *eventLog) BudgetExhausted(_ context.Context, e apierr.BudgetExhaustedEvent) {
	l.add("budget exhausted before %d", e.Attempt)
}

func (l *eventLog) FleetFallback(_ context.Context, e apierr.FleetFallbackEvent) {
	l.add("fleet fallback %s", e.Feature)
}

// path is a URL's path, for lines that do not depend on the port.
func path(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[i+3+j:]
		}
	}
	return u
}

var fastPolicy = apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func observedDo(t *testing.T, c *apierr.Client, method, p string, body any) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), method, p, body)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	return err
}

func TestObserverEvents(t *testing.T) {
	t.Run("503 503 200 with the first token", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		log := &eventLog{}
		c := newObserved(t, log, srv.ClientOptions(apierr.WithHTTPClient(srv.Client()))...)
		srv.Inject(2, apierrtest.Status(503))
		require.NoError(t, observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil))
		assert.Equal(t, []string{
			"call GET /api/v1/Owners/o1/BoundLocks",
			"token first /connect/token",
			"end token ok status=0 code=",
			"attempt 1 replay=false",
			"end attempt 1 status=503 code= err=true retry=true",
			"wait backoff before 2",
			"attempt 2 replay=false",
			"end attempt 2 status=503 code= err=true retry=true",
			"wait backoff before 3",
			"attempt 3 replay=false",
			"end attempt 3 status=200 code= err=false retry=false",
			"end call attempts=3 status=200 code= err=false",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("401 replay", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		log := &eventLog{}
		c := newObserved(t, log, srv.ClientOptions(apierr.WithHTTPClient(srv.Client()))...)
		require.NoError(t, observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil))
		log.lines = nil
		srv.RevokeAll()
		require.NoError(t, observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil))
		assert.Equal(t, []string{
			"call GET /api/v1/Owners/o1/BoundLocks",
			"attempt 1 replay=false",
			"end attempt 1 status=401 code= err=true retry=true",
			"token rejected /connect/token",
			"end token ok status=0 code=",
			"attempt 2 replay=true",
			"end attempt 2 status=200 code= err=false retry=false",
			"end call attempts=2 status=200 code= err=false",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("exos concurrency error, login and logout", func(t *testing.T) {
		srv := apierrtest.NewExos()
		defer srv.Close()
		log := &eventLog{}
		cred := srv.Credentials()
		c := newObserved(t, log, apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.1"), apierr.WithDecoder(decode.Exos),
			apierr.WithHTTPClient(srv.Client()), apierr.WithExosSession(apierr.ExosSession{
				LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(),
				APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
			}))
		srv.Fail(exos.ConcurrencyError, 1)
		require.NoError(t, observedDo(t, c, "POST", "persons/P-1/assignAccessRight", map[string]string{"AccessRightId": "AR-1"}))
		require.NoError(t, c.Close())
		assert.Equal(t, []string{
			"call POST /ExosApi/api/v1.1/persons/P-1/assignAccessRight",
			"login first /ExosAuth/api/v1/login",
			"end login ok status=0 code=",
			"attempt 1 replay=false",
			"end attempt 1 status=400 code=400241 err=true retry=true",
			"wait concurrency before 2",
			"attempt 2 replay=false",
			"end attempt 2 status=200 code= err=false retry=false",
			"end call attempts=2 status=200 code= err=false",
			"logout close /ExosApi/api/v1.0/logins/logoutMyself",
			"end logout ok status=0 code=",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("exos lockout", func(t *testing.T) {
		srv := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
		defer srv.Close()
		cred := srv.Credentials()
		session := apierr.ExosSession{LoginURL: srv.LoginURL(), APIKey: cred.APIKey, UserName: cred.UserName,
			Password: cred.Password, LockoutWait: time.Hour}
		opts := []apierr.Option{apierr.WithBaseURL(srv.URL() + "/ExosApi/api/v1.1"), apierr.WithDecoder(decode.Exos),
			apierr.WithHTTPClient(srv.Client()), apierr.WithExosSession(session)}
		first := newObserved(t, &eventLog{}, opts...)
		require.NoError(t, observedDo(t, first, "GET", "persons/P-1", nil))

		log := &eventLog{}
		second := newObserved(t, log, opts...)
		err := observedDo(t, second, "GET", "persons/P-1", nil)
		require.ErrorIs(t, err, apierr.ErrLoginThrottled)
		assert.Equal(t, []string{
			"call GET /ExosApi/api/v1.1/persons/P-1",
			"login first /ExosAuth/api/v1/login",
			"lockout login code=300007 for=1h0m0s",
			"end login throttled status=403 code=300007",
			"end call attempts=0 status=0 code=300007 err=true",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("token endpoint 503 then a token", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		log := &eventLog{}
		c := newObserved(t, log, srv.ClientOptions(apierr.WithHTTPClient(srv.Client()))...)
		srv.InjectPath("/connect/token", 1, apierrtest.Status(503))
		require.NoError(t, observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil))
		assert.Equal(t, []string{
			"call GET /api/v1/Owners/o1/BoundLocks",
			"token first /connect/token",
			"wait backoff before 2", // the token endpoint's retry, inside the token request
			"end token ok status=0 code=",
			"attempt 1 replay=false",
			"end attempt 1 status=200 code= err=false retry=false",
			"end call attempts=1 status=200 code= err=false",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("retry budget exhausted", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		log := &eventLog{}
		c := newObserved(t, log, srv.ClientOptions(apierr.WithHTTPClient(srv.Client()),
			apierr.WithRetryBudget(apierr.RetryBudget{Capacity: 5, RetryCost: 5, TimeoutCost: 5}))...)
		srv.Inject(3, apierrtest.Status(503))
		err := observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil)
		require.ErrorIs(t, err, apierr.ErrServer)
		assert.Equal(t, []string{
			"call GET /api/v1/Owners/o1/BoundLocks",
			"token first /connect/token",
			"end token ok status=0 code=",
			"attempt 1 replay=false",
			"end attempt 1 status=503 code= err=true retry=true",
			"wait backoff before 2",
			"attempt 2 replay=false",
			"budget exhausted before 3",
			"end attempt 2 status=503 code= err=true retry=false",
			"end call attempts=2 status=503 code= err=true",
		}, log.events())
		assert.Empty(t, log.bad)
	})

	t.Run("network error, not retried", func(t *testing.T) {
		log := &eventLog{}
		c := newObserved(t, log, apierr.WithBaseURL("https://api.example.com/v1"),
			apierr.WithHTTPClient(&http.Client{Transport: failing{}}), apierr.WithRetryPolicy(apierr.RetryPolicy{
				MaxAttempts: 1, MaxWait: time.Millisecond, MaxRetryAfter: time.Millisecond}))
		err := observedDo(t, c, "GET", "things?access_token=SECRET", nil)
		require.Error(t, err)
		assert.Equal(t, []string{
			"call GET /v1/things?access_token=REDACTED",
			"attempt 1 replay=false",
			"end attempt 1 status=0 code= err=true retry=false",
			"end call attempts=1 status=0 code= err=true",
		}, log.events())
		require.Len(t, log.errs, 1)
		assert.Contains(t, log.errs[0], "connection refused")
		assert.NotContains(t, log.errs[0], "SECRET", "the attempt's error has its URL redacted")
	})
}

// failing is a transport whose requests all fail.
type failing struct{}

func (failing) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

func newObserved(t *testing.T, o apierr.Observer, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	c, err := apierr.New(append([]apierr.Option{apierr.WithRetryPolicy(fastPolicy), apierr.WithObserver(o)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// careless returns contexts that do not derive from the client's.
type careless struct{ apierr.NopObserver }

func (careless) CallStart(context.Context, apierr.CallStartEvent) context.Context { return nil }
func (careless) AttemptStart(context.Context, apierr.AttemptStartEvent) context.Context {
	return context.Background()
}

// TestObserverContextsNotDerived: an observer whose Start methods return
// nil or an unrelated context cannot break the call: the client keeps its
// own, and the retry still happens.
func TestObserverContextsNotDerived(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c := newObserved(t, careless{}, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()), apierr.WithHTTPClient(srv.Client()))
	srv.Inject(1, apierrtest.Status(503))
	require.NoError(t, observedDo(t, c, "GET", "Owners/o1/BoundLocks", nil))
	assert.Equal(t, 2, srv.Attempts("/api/v1/Owners/o1/BoundLocks"))
}

// TestObserverSeesGateHolds: a call that starts while another call's 429
// holds the gate closed waits at the gate, and the observer hears of that
// wait as a gate hold (the retrying call's own wait is a retry-after wait).
func TestObserverSeesGateHolds(t *testing.T) {
	first := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		throttled := false
		once.Do(func() { throttled = true })
		if throttled {
			w.Header().Set("Retry-After-Ms", "300")
			w.WriteHeader(http.StatusTooManyRequests)
			close(first)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	log := &eventLog{}
	c, err := apierr.New(apierr.WithBaseURL(srv.URL), apierr.WithObserver(log))
	require.NoError(t, err)
	defer c.Close()

	get := func() error {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		return err
	}
	done := make(chan error, 1)
	go func() { done <- get() }()
	<-first
	require.Eventually(t, func() bool { // the client has read the 429: the gate is closed
		return strings.Contains(strings.Join(log.events(), "\n"), "status=429")
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, get(), "the second call waits at the gate, then succeeds")
	require.NoError(t, <-done)

	events := strings.Join(log.events(), "\n")
	assert.Contains(t, events, "wait gate before 1", "the second call's hold at the gate")
	assert.Contains(t, events, "wait retry-after before 2", "the first call's retry")
}
