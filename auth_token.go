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
	gen    uint64 // set by the store when it publishes the credential
	token  *oauth2.Token
	value  string   // the Authorization header value
	header []string // []string{value}; never modified
	softAt time.Time
	hardAt time.Time // zero: the credential does not expire
}

// credentialSource obtains a new credential: the token endpoint, a token
// source, or an exos login. Everything that differs between the schemes is
// here; the cache is the same for all. The cache calls fetch from one
// goroutine at a time, so a source may keep state (a rotating refresh token)
// without locking.
type credentialSource interface {
	// op names a fetch for errors and events: "token" or "login".
	op() string
	fetch(ctx context.Context) (*oauth2.Token, error)
	headerValue(tok *oauth2.Token) string
	// renews reports whether a new credential may cure a 401 whose decoded
	// error is prob (exos: only 300008 or no code).
	renews(prob error) bool
	// end releases a credential the client no longer uses, on Close (exos:
	// logout). It is called at most once per credential.
	end(ctx context.Context, c *credential) error
}

// failFast is met by a fetch's error that asks the cache to fail every
// caller at once for a while (a lockout, a Retry-After) instead of fetching
// again.
type failFast interface{ failFastFor() time.Duration }

// cacheOptions are the settings of a token cache (from the auth options).
type cacheOptions struct {
	soft, hard time.Duration       // refresh windows; both 0: the defaults
	timeout    time.Duration       // one fetch, retries included; 0: the default
	hook       func(*oauth2.Token) // WithTokenHook; nil: none
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
	src   credentialSource
	store tokenStore
	*clock
	soft    time.Duration
	hard    time.Duration
	timeout time.Duration
	hook    func(*oauth2.Token)
	log     *slog.Logger

	refreshing atomic.Bool // a flight is running

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

// newTokenCache returns a cache over src, keeping its credential in store,
// with the client's logger (nil: none) and clock.
func newTokenCache(src credentialSource, store tokenStore, o cacheOptions, log *slog.Logger, clk *clock) *tokenCache {
	life, stop := context.WithCancel(context.Background())
	t := &tokenCache{
		src: src, store: store, clock: clk, log: log, hook: o.hook,
		soft: o.soft, hard: o.hard, timeout: o.timeout,
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
	c, err := t.newCredential(tok, t.current())
	if err != nil {
		return err
	}
	l, newer, err := t.store.acquire(context.Background(), 0)
	if err != nil || newer != nil {
		return err // a shared store already holds a credential: use that one
	}
	return t.store.publish(l, c)
}

// get returns a credential that is valid now. The fast path is one atomic
// load and one monotonic clock read.
func (t *tokenCache) get(ctx context.Context) (*credential, error) {
	if c := t.store.load(); c != nil {
		if c.hardAt.IsZero() || t.before(c.softAt) {
			return c, nil
		}
		if now := t.current(); now.Before(c.hardAt) { // in the soft window
			t.refreshAhead(ctx, c, now)
			return c, nil
		}
	}
	return t.wait(ctx)
}

// refreshAhead starts a background refresh unless one runs already.
func (t *tokenCache) refreshAhead(ctx context.Context, c *credential, now time.Time) {
	if t.refreshing.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.flight != nil || t.closed || t.store.load() != c || now.Before(t.bgNext) {
		return
	}
	t.debug("apierr: refreshing token ahead of expiry")
	t.start(ctx, c.gen)
}

// wait returns a valid credential, waiting for a refresh when needed.
func (t *tokenCache) wait(ctx context.Context) (*credential, error) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, errAuthClosed
	}
	now := t.current()
	c := t.store.load()
	if c != nil && (c.hardAt.IsZero() || now.Before(c.hardAt)) {
		t.mu.Unlock()
		return c, nil // refreshed while we took the lock
	}
	if t.failErr != nil && now.Before(t.failUntil) {
		err := t.failErr
		t.mu.Unlock()
		return nil, err
	}
	var after uint64
	if c != nil {
		after = c.gen
	}
	f := t.start(ctx, after)
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.cred, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start returns the running flight or starts one to replace generation
// after. t.mu must be held.
func (t *tokenCache) start(ctx context.Context, after uint64) *flight {
	if t.flight != nil {
		return t.flight
	}
	f := &flight{done: make(chan struct{})}
	t.flight = f
	t.refreshing.Store(true)
	t.wg.Add(1)
	go t.run(ctx, f, after)
	return f
}

// run performs one refresh. It keeps the caller's values but not its
// cancellation: a caller giving up must not fail the refresh that others
// wait for. Its own timeout and close bound it.
func (t *tokenCache) run(ctx context.Context, f *flight, after uint64) {
	defer t.wg.Done()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
	stop := context.AfterFunc(t.life, cancel)
	cred, err := t.next(rctx, after)
	stop()
	cancel()

	t.mu.Lock()
	now := t.current()
	if err == nil {
		t.failErr = nil
		t.debug("apierr: token obtained", slog.Duration("valid_for", validFor(cred, now)))
	} else {
		var h failFast
		t.bgNext = now.Add(softRetryGap)
		if errors.As(err, &h) && h.failFastFor() > 0 {
			t.failErr, t.failUntil = err, now.Add(h.failFastFor())
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

// next gets the generation after the given one: from the store when
// someone else fetched it, else by fetching it under the store's lease.
func (t *tokenCache) next(ctx context.Context, after uint64) (*credential, error) {
	l, newer, err := t.store.acquire(ctx, after)
	switch {
	case err != nil:
		return nil, &AuthError{Op: t.src.op(), Err: err}
	case newer != nil:
		return newer, nil
	}
	started := t.current()
	tok, err := t.fetch(ctx)
	var cred *credential
	if err == nil {
		cred, err = t.newCredential(tok, started)
	}
	if err != nil {
		t.store.release(l)
		return nil, err
	}
	if t.hook != nil {
		// Before publishing, and while no other refresh can run: hooks see
		// the tokens in order and can store a rotated refresh token first.
		t.hook(tokenCopy(tok))
	}
	if err := t.store.publish(l, cred); err != nil {
		if cur := t.store.load(); cur != nil {
			return cur, nil // a newer holder published: use its credential
		}
		return nil, &AuthError{Op: t.src.op(), Err: err}
	}
	return cred, nil
}

// fetch is one token request or exos login, retries included (hook point
// d: an observer starts and ends the token request's or login's span here;
// the logout's is in endCredential).
func (t *tokenCache) fetch(ctx context.Context) (*oauth2.Token, error) {
	return t.src.fetch(ctx)
}

// invalidate drops the credential of generation gen if it is still the
// current one: a 401 to an older token must not discard a newer one.
func (t *tokenCache) invalidate(gen uint64) bool {
	if t.store.invalidate(gen) {
		t.debug("apierr: token rejected by the API; getting a new one")
		return true
	}
	return false
}

// credentialInUse returns the current credential, or nil.
func (t *tokenCache) credentialInUse() *credential { return t.store.load() }

// endCredential ends the current credential on Close (exos: logout; hook
// point d for the logout). Only the caller that invalidates it ends it.
func (t *tokenCache) endCredential(ctx context.Context) error {
	c := t.store.load()
	if c == nil || !t.store.invalidate(c.gen) {
		return nil
	}
	return t.src.end(ctx, c)
}

// close stops the running refresh and waits for it to end.
func (t *tokenCache) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
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
