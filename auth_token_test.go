package apierr

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
)

// authFakeSource issues "tok-N" tokens valid for life; when gate is set,
// each fetch waits for a value on it (or for its context).
type authFakeSource struct {
	life    time.Duration
	gate    chan struct{}
	started chan struct{} // receives once per fetch, when set
	fetches atomic.Int32
	fail    atomic.Pointer[error]
}

func (s *authFakeSource) op() string                             { return "token" }
func (s *authFakeSource) headerValue(tok *oauth2.Token) string   { return "Bearer " + tok.AccessToken }
func (s *authFakeSource) renews(error) bool                      { return true }
func (s *authFakeSource) end(context.Context, *credential) error { return nil }

func (s *authFakeSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	n := s.fetches.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, &AuthError{Op: "token", Err: ctx.Err()}
		}
	}
	if e := s.fail.Load(); e != nil {
		return nil, *e
	}
	return &oauth2.Token{AccessToken: "tok-" + strconv.Itoa(int(n)), ExpiresIn: int64(s.life / time.Second)}, nil
}

func newTestCache(t *testing.T, src credentialSource, clk *fakeClock, cfg authConfig) *tokenCache {
	t.Helper()
	c := newTokenCache(src, newMemoryStore(), cfg.cacheOptions(), nil, &clock{now: clk.now})
	t.Cleanup(c.close)
	return c
}

func TestTokenCacheWindows(t *testing.T) {
	authNoLeaks(t)
	clk := newFakeClock()
	src := &authFakeSource{life: time.Hour, gate: make(chan struct{}), started: make(chan struct{}, 1)}
	c := newTestCache(t, src, clk, authConfig{soft: 5 * time.Minute, hard: time.Minute})
	ctx := context.Background()

	// No token yet: the caller waits for the first one.
	got := make(chan *credential)
	go func() { cr, _ := c.get(ctx); got <- cr }()
	<-src.started
	src.gate <- struct{}{}
	first := <-got
	require.NotNil(t, first)
	assert.Equal(t, "Bearer tok-1", first.value)

	t.Run("valid token: no refresh", func(t *testing.T) {
		clk.advance(54 * time.Minute)
		cr, err := c.get(ctx)
		require.NoError(t, err)
		assert.Same(t, first, cr)
		assert.EqualValues(t, 1, src.fetches.Load())
	})

	t.Run("soft window: callers keep the token while one refresh runs", func(t *testing.T) {
		clk.advance(2 * time.Minute) // 4 minutes left: inside soft, outside hard
		for i := 0; i < 100; i++ {
			cr, err := c.get(ctx) // would block forever if it waited: the gate is closed
			require.NoError(t, err)
			assert.Same(t, first, cr)
		}
		<-src.started
		assert.EqualValues(t, 2, src.fetches.Load(), "one background refresh for 100 callers")
		src.gate <- struct{}{}
		require.Eventually(t, func() bool { return c.credentialInUse() != first }, 5*time.Second, time.Millisecond)
		cr, err := c.get(ctx)
		require.NoError(t, err)
		assert.Equal(t, "Bearer tok-2", cr.value)
	})

	t.Run("hard window: callers wait", func(t *testing.T) {
		clk.advance(59*time.Minute + 30*time.Second) // 30 s left of tok-2
		done := make(chan *credential, 2)
		for i := 0; i < 2; i++ {
			go func() { cr, _ := c.get(ctx); done <- cr }()
		}
		<-src.started
		select {
		case <-done:
			t.Fatal("a caller did not wait inside the hard window")
		case <-time.After(20 * time.Millisecond):
		}
		src.gate <- struct{}{}
		assert.Equal(t, "Bearer tok-3", (<-done).value)
		assert.Equal(t, "Bearer tok-3", (<-done).value)
		assert.EqualValues(t, 3, src.fetches.Load())
	})
}

func TestTokenCacheShortLivedTokenWindowsShrink(t *testing.T) {
	authNoLeaks(t)
	clk := newFakeClock()
	src := &authFakeSource{life: 20 * time.Second}
	c := newTestCache(t, src, clk, authConfig{soft: 2 * time.Minute, hard: 10 * time.Second})
	cr, err := c.get(context.Background())
	require.NoError(t, err)
	// A 20 s token: hard window 5 s (a quarter), soft 10 s (a half).
	assert.Equal(t, clk.now().Add(15*time.Second), cr.hardAt)
	assert.Equal(t, clk.now().Add(10*time.Second), cr.softAt)
	cr2, err := c.get(context.Background())
	require.NoError(t, err)
	assert.Same(t, cr, cr2, "a fresh short-lived token is used, not refreshed at once")
}

func TestTokenCacheRefreshIsDetachedFromCaller(t *testing.T) {
	authNoLeaks(t)
	clk := newFakeClock()
	src := &authFakeSource{life: time.Hour, gate: make(chan struct{}), started: make(chan struct{}, 1)}
	c := newTestCache(t, src, clk, authConfig{})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := c.get(ctx); errc <- err }()
	<-src.started
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled, "the caller that gave up gets its own error")

	// The refresh it started goes on and serves the next caller.
	src.gate <- struct{}{}
	require.Eventually(t, func() bool { return c.credentialInUse() != nil }, 5*time.Second, time.Millisecond)
	cr, err := c.get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-1", cr.value)
	assert.EqualValues(t, 1, src.fetches.Load())
}

func TestTokenCacheRefreshTimeout(t *testing.T) {
	authNoLeaks(t)
	src := &authFakeSource{life: time.Hour, gate: make(chan struct{})} // never opened
	c := newTestCache(t, src, newFakeClock(), authConfig{timeout: 30 * time.Millisecond})
	start := time.Now()
	_, err := c.get(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestTokenCacheInvalidateIsCompareAndSwap(t *testing.T) {
	authNoLeaks(t)
	src := &authFakeSource{life: time.Hour}
	c := newTestCache(t, src, newFakeClock(), authConfig{})
	ctx := context.Background()
	old, err := c.get(ctx)
	require.NoError(t, err)

	assert.True(t, c.invalidate(old.gen))
	fresh, err := c.get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-2", fresh.value)

	assert.False(t, c.invalidate(old.gen), "a late 401 to the old token keeps the new one")
	assert.Same(t, fresh, c.credentialInUse())
	assert.EqualValues(t, 2, src.fetches.Load())
}

func TestTokenCacheFailsFastDuringHold(t *testing.T) {
	authNoLeaks(t)
	clk := newFakeClock()
	src := &authFakeSource{life: time.Hour}
	hold := error(&AuthError{Op: "login", Status: 403, Code: "300007", kind: ErrLoginThrottled, RetryAfter: time.Minute, hold: time.Minute})
	src.fail.Store(&hold)
	c := newTestCache(t, src, clk, authConfig{})
	ctx := context.Background()

	for i := 0; i < 10; i++ {
		_, err := c.get(ctx)
		require.ErrorIs(t, err, ErrLoginThrottled)
	}
	assert.EqualValues(t, 1, src.fetches.Load(), "callers fail fast while the hold lasts")

	src.fail.Store(nil)
	clk.advance(time.Minute)
	cr, err := c.get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-2", cr.value)
}

func TestTokenCacheErrorWithoutHoldIsRetried(t *testing.T) {
	authNoLeaks(t)
	src := &authFakeSource{life: time.Hour}
	boom := error(&AuthError{Op: "token", Status: 503})
	src.fail.Store(&boom)
	c := newTestCache(t, src, newFakeClock(), authConfig{})
	_, err := c.get(context.Background())
	require.ErrorIs(t, err, ErrUnauthorized)
	src.fail.Store(nil)
	_, err = c.get(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, src.fetches.Load())
}

func TestTokenCacheCloseEndsRefresh(t *testing.T) {
	authNoLeaks(t)
	src := &authFakeSource{life: time.Hour, gate: make(chan struct{}), started: make(chan struct{}, 1)}
	c := newTokenCache(src, newMemoryStore(), cacheOptions{}, nil, &clock{})
	errc := make(chan error)
	go func() { _, err := c.get(context.Background()); errc <- err }()
	<-src.started
	c.close() // returns only once the refresh has ended
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)

	_, err = c.get(context.Background())
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), "closed")
}

func TestTokenCacheHookSeesTokensInOrderBeforeUse(t *testing.T) {
	authNoLeaks(t)
	src := &authFakeSource{life: time.Hour}
	var seen []string
	var c *tokenCache
	hook := func(tok *oauth2.Token) {
		seen = append(seen, tok.AccessToken)
		if cur := c.credentialInUse(); cur != nil {
			assert.NotEqual(t, "Bearer "+tok.AccessToken, cur.value, "hook runs before the token is published")
		}
	}
	c = newTestCache(t, src, newFakeClock(), authConfig{hook: hook})
	for i := 0; i < 3; i++ {
		cr, err := c.get(context.Background())
		require.NoError(t, err)
		c.invalidate(cr.gen)
	}
	assert.Equal(t, []string{"tok-1", "tok-2", "tok-3"}, seen)
}

func TestTokenCacheRejectsBadTokens(t *testing.T) {
	tests := []struct {
		name string
		tok  *oauth2.Token
	}{
		{"nil", nil},
		{"no access token", &oauth2.Token{RefreshToken: "r"}},
		{"expired", &oauth2.Token{AccessToken: "a", Expiry: time.Now().Add(-time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTokenCache(&authFakeSource{}, newMemoryStore(), cacheOptions{}, nil, &clock{})
			defer c.close()
			_, err := c.newCredential(tt.tok, time.Now())
			var ae *AuthError
			require.True(t, errors.As(err, &ae))
			assert.ErrorIs(t, err, ErrUnauthorized)
		})
	}
}

// authNoLeaks checks for leaked goroutines after the test and all its
// cleanups (servers, caches) are done: call it first.
func authNoLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}
