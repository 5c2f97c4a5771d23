package apierr

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Defaults of the token cache.
const (
	defaultSoftWindow   = 2 * time.Minute  // refresh in the background this long before expiry
	defaultHardWindow   = 10 * time.Second // callers wait for a new token this long before expiry
	defaultTokenTimeout = 30 * time.Second // bound on one refresh, retries included
	softRetryGap        = 5 * time.Second  // after a failed background refresh
)

// credential is one token as the cache hands it out: the Authorization
// header is built once, and every request shares the same []string.
type credential struct {
	token  *oauth2.Token
	value  string   // the Authorization header value
	header []string // []string{value}; never modified
	softAt time.Time
	hardAt time.Time // zero: the credential does not expire

	accepted atomic.Bool // the API has answered a request sent with it with something other than 401
}

// credentialSource obtains a new credential. The cache calls it from one
// goroutine at a time, so a source may keep state (a rotating refresh token)
// without locking.
type credentialSource interface {
	fetch(ctx context.Context) (*oauth2.Token, error)
	headerValue(tok *oauth2.Token) string
}

// flight is one refresh that concurrent callers share.
type flight struct {
	done chan struct{}
	cred *credential
	err  error
}

// tokenCache hands out the current credential and refreshes it: in the
// background inside the soft window, with callers waiting inside the hard
// window or when there is none. One refresh runs at a time.
type tokenCache struct {
	src     credentialSource
	now     func() time.Time // nil: the real clock (tests set a fake one)
	soft    time.Duration
	hard    time.Duration
	timeout time.Duration
	hook    func(*oauth2.Token)
	log     *slog.Logger

	cur        atomic.Pointer[credential] // nil: none, or invalidated
	refreshing atomic.Bool                // a flight is running

	mu        sync.Mutex
	flight    *flight
	failErr   error     // fail fast with this until failUntil
	failUntil time.Time //
	bgNext    time.Time // no background refresh before this
	closed    bool

	life context.Context // cancelled by close: ends every refresh
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newTokenCache(src credentialSource, ac *authConfig, log *slog.Logger) *tokenCache {
	life, stop := context.WithCancel(context.Background())
	t := &tokenCache{
		src: src, log: log, hook: ac.hook,
		soft: ac.soft, hard: ac.hard, timeout: ac.timeout,
		life: life, stop: stop,
	}
	if t.soft == 0 && t.hard == 0 {
		t.soft, t.hard = defaultSoftWindow, defaultHardWindow
	}
	if t.timeout == 0 {
		t.timeout = defaultTokenTimeout
	}
	return t
}

// seed installs a token the caller already holds (WithRefreshToken).
func (t *tokenCache) seed(tok *oauth2.Token) error {
	c, err := t.newCredential(tok, t.clock())
	if err != nil {
		return err
	}
	t.cur.Store(c)
	return nil
}

// get returns a credential that is valid now. The fast path is one atomic
// load and one monotonic clock read.
func (t *tokenCache) get(ctx context.Context) (*credential, error) {
	if c := t.cur.Load(); c != nil {
		if c.hardAt.IsZero() || t.beforeSoft(c) {
			return c, nil
		}
		if now := t.clock(); now.Before(c.hardAt) { // in the soft window
			t.refreshAhead(ctx, c, now)
			return c, nil
		}
	}
	return t.wait(ctx)
}

// clock is the cache's current time.
func (t *tokenCache) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// beforeSoft reports whether c is still before its soft window. On the
// real clock time.Until reads only the monotonic clock (softAt carries a
// monotonic reading), where time.Now reads the wall clock too: this is the
// per-request cost of a cached token (BenchmarkAuthorize).
func (t *tokenCache) beforeSoft(c *credential) bool {
	if t.now != nil {
		return t.now().Before(c.softAt)
	}
	return time.Until(c.softAt) > 0
}

// refreshAhead starts a background refresh unless one runs already.
func (t *tokenCache) refreshAhead(ctx context.Context, c *credential, now time.Time) {
	if t.refreshing.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.flight != nil || t.closed || t.cur.Load() != c || now.Before(t.bgNext) {
		return
	}
	t.debug("apierr: refreshing token ahead of expiry")
	t.start(ctx)
}

// wait returns a valid credential, waiting for a refresh when needed.
func (t *tokenCache) wait(ctx context.Context) (*credential, error) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, errAuthClosed
	}
	now := t.clock()
	if c := t.cur.Load(); c != nil && (c.hardAt.IsZero() || now.Before(c.hardAt)) {
		t.mu.Unlock()
		return c, nil // refreshed while we took the lock
	}
	if t.failErr != nil && now.Before(t.failUntil) {
		err := t.failErr
		t.mu.Unlock()
		return nil, err
	}
	f := t.start(ctx)
	t.mu.Unlock()
	select {
	case <-f.done:
		if f.err == nil && t.isClosed() {
			return nil, errAuthClosed // Close is ending this credential
		}
		return f.cred, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start returns the running flight or starts one. t.mu must be held.
func (t *tokenCache) start(ctx context.Context) *flight {
	if t.flight != nil {
		return t.flight
	}
	f := &flight{done: make(chan struct{})}
	t.flight = f
	t.refreshing.Store(true)
	t.wg.Add(1)
	go t.run(ctx, f)
	return f
}

// run performs one refresh. It keeps the caller's values but not its
// cancellation: a caller giving up must not fail the refresh that others
// wait for. Its own timeout and close bound it.
func (t *tokenCache) run(ctx context.Context, f *flight) {
	defer t.wg.Done()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
	stop := context.AfterFunc(t.life, cancel)
	started := t.clock()
	tok, err := t.src.fetch(rctx)
	stop()
	cancel()
	var cred *credential
	if err == nil {
		cred, err = t.newCredential(tok, started)
	}
	if err == nil && t.hook != nil {
		// Before publishing, and while no other refresh can run: hooks see
		// the tokens in order and can store a rotated refresh token first.
		t.hook(tokenCopy(tok))
	}

	t.mu.Lock()
	now := t.clock()
	if err == nil {
		t.cur.Store(cred)
		t.failErr = nil
		t.debug("apierr: token obtained", slog.Duration("valid_for", validFor(cred, now)))
	} else {
		var ae *AuthError
		t.bgNext = now.Add(softRetryGap)
		if errors.As(err, &ae) && ae.hold > 0 {
			t.failErr, t.failUntil = err, now.Add(ae.hold)
			t.bgNext = later(t.bgNext, t.failUntil)
		}
		t.debug("apierr: token request failed", slog.String("error", err.Error()))
	}
	t.flight = nil
	t.refreshing.Store(false)
	t.mu.Unlock()

	f.cred, f.err = cred, err
	close(f.done)
}

// invalidate drops the current credential if it is still the one with
// value: a 401 to an older token must not discard a newer one.
func (t *tokenCache) invalidate(value string) bool {
	c := t.cur.Load()
	if c == nil || c.value != value {
		return false
	}
	if t.cur.CompareAndSwap(c, nil) {
		t.debug("apierr: token rejected by the API; getting a new one")
		return true
	}
	return false
}

func (t *tokenCache) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// current returns the credential in use, or nil.
func (t *tokenCache) current() *credential { return t.cur.Load() }

// refuse drops the current credential if it is still the one with value
// and has never been accepted, and makes every caller fail with err for
// hold instead of fetching a new one. It returns the credential dropped.
func (t *tokenCache) refuse(value string, err error, hold time.Duration) (*credential, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cur.Load()
	if c == nil || c.value != value || c.accepted.Load() {
		return nil, false
	}
	t.cur.Store(nil)
	now := t.clock()
	t.failErr, t.failUntil = err, now.Add(hold)
	t.bgNext = later(t.bgNext, t.failUntil)
	return c, true
}

// close stops refreshing. With wait it first lets a running refresh end
// on its own, within ctx, so that what it obtains (an exos session, which
// the server opens even when the client gives up) is in cur for the caller
// to end; then, or at once without wait, it cancels what still runs and
// waits for it. Callers still waiting for that refresh get errAuthClosed.
func (t *tokenCache) close(ctx context.Context, wait bool) {
	t.mu.Lock()
	t.closed = true
	f := t.flight
	t.mu.Unlock()
	if wait && f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
		}
	}
	t.stop()
	t.wg.Wait()
}

// newCredential builds the cached form of tok. Expiry is measured on the
// cache's clock: from expires_in when the server sent it, else from Expiry.
func (t *tokenCache) newCredential(tok *oauth2.Token, fetched time.Time) (*credential, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, &AuthError{Op: "token", msg: "the token source returned no access token"}
	}
	var life time.Duration
	switch {
	case tok.ExpiresIn > 0:
		life = time.Duration(tok.ExpiresIn) * time.Second
	case !tok.Expiry.IsZero():
		life = time.Until(tok.Expiry)
		if life <= 0 {
			return nil, &AuthError{Op: "token", msg: "the token source returned an expired token"}
		}
	}
	v := t.src.headerValue(tok)
	c := &credential{token: tok, value: v, header: []string{v}}
	if life > 0 {
		// Windows shrink for short-lived tokens, so that a token is never
		// born inside its hard window.
		hard := min(t.hard, life/4)
		soft := max(min(t.soft, life/2), hard)
		expiry := fetched.Add(life)
		c.softAt, c.hardAt = expiry.Add(-soft), expiry.Add(-hard)
	}
	return c, nil
}

func (t *tokenCache) debug(msg string, attrs ...slog.Attr) {
	if t.log != nil {
		t.log.LogAttrs(context.Background(), slog.LevelDebug, msg, attrs...)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func validFor(c *credential, now time.Time) time.Duration {
	if c.hardAt.IsZero() {
		return 0
	}
	return c.hardAt.Sub(now).Round(time.Second)
}

// tokenCopy returns a copy of tok for a hook, which may keep or change it.
func tokenCopy(tok *oauth2.Token) *oauth2.Token {
	c := *tok
	return &c
}
