package apierr_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
)

// memFleet is an in-memory apierr.Fleet for the client's side of the
// protocol (redisfleet tests the Redis side, with processes). fail makes
// every operation fail, as an unreachable store does.
type memFleet struct {
	mu     sync.Mutex
	fail   bool
	scopes map[string]*memScope
	stores int // accepted StoreToken calls
}

// memScope is the state of one scope.
type memScope struct {
	fence    int64
	leaseOf  string
	leaseEnd time.Time
	gen      int64
	tok      apierr.FleetToken
	holders  map[string]bool
	lockout  apierr.FleetLockout
	lockEnd  time.Time
}

var errDown = errors.New("memfleet: down")

func newMemFleet() *memFleet { return &memFleet{scopes: map[string]*memScope{}} }

// op returns scope's state, or errDown while the fleet fails; m.mu is held.
func (m *memFleet) op(scope string) (*memScope, error) {
	st := m.scopes[scope]
	if st == nil {
		st = &memScope{holders: map[string]bool{}}
		m.scopes[scope] = st
	}
	if m.fail {
		return nil, errDown
	}
	return st, nil
}

func (m *memFleet) setFail(v bool) { m.mu.Lock(); m.fail = v; m.mu.Unlock() }

func (m *memScope) leaseHeld() bool { return m.leaseOf != "" && time.Now().Before(m.leaseEnd) }

func (m *memFleet) Token(_ context.Context, scope string) (apierr.FleetToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return apierr.FleetToken{}, err
	}
	t := st.tok
	t.LeaseHeld = st.leaseHeld()
	return t, nil
}

func (m *memFleet) AcquireLease(_ context.Context, scope, holder string, ttl time.Duration) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return 0, false, err
	}
	if st.leaseHeld() && st.leaseOf != holder {
		return 0, false, nil
	}
	st.fence++
	st.leaseOf, st.leaseEnd = holder, time.Now().Add(ttl)
	return st.fence, true, nil
}

func (m *memFleet) RenewLease(_ context.Context, scope, holder string, fence int64, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return false, err
	}
	if st.leaseOf != holder || st.fence != fence || !st.leaseHeld() {
		return false, nil
	}
	st.leaseEnd = time.Now().Add(ttl)
	return true, nil
}

func (m *memFleet) ReleaseLease(_ context.Context, scope, holder string, fence int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return err
	}
	if st.leaseOf == holder && st.fence == fence {
		st.leaseOf = ""
	}
	return nil
}

func (m *memFleet) StoreToken(_ context.Context, scope string, fence int64, tok apierr.FleetToken) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return 0, false, err
	}
	if fence < st.fence {
		return 0, false, nil
	}
	st.gen++
	m.stores++
	st.tok = apierr.FleetToken{Gen: st.gen, Secret: append([]byte{}, tok.Secret...), TTL: tok.TTL}
	return st.gen, true, nil
}

func (m *memFleet) InvalidateToken(_ context.Context, scope string, gen int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return false, err
	}
	if st.tok.Gen != gen {
		return false, nil
	}
	st.tok = apierr.FleetToken{}
	return true, nil
}

func (m *memFleet) WaitToken(ctx context.Context, scope string, after int64) (apierr.FleetToken, error) {
	for {
		t, err := m.Token(ctx, scope)
		if err != nil || (t.Gen != 0 && t.Gen != after) {
			return t, err
		}
		if !t.LeaseHeld {
			return apierr.FleetToken{}, nil
		}
		select {
		case <-ctx.Done():
			return apierr.FleetToken{}, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (m *memFleet) JoinSession(_ context.Context, scope, holder string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return err
	}
	st.holders[holder] = true
	return nil
}

func (m *memFleet) LeaveSession(_ context.Context, scope, holder string) (bool, apierr.FleetToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return false, apierr.FleetToken{}, err
	}
	delete(st.holders, holder)
	if len(st.holders) > 0 {
		return false, apierr.FleetToken{}, nil
	}
	t := st.tok
	st.tok = apierr.FleetToken{}
	return true, t, nil
}

func (m *memFleet) SetLockout(_ context.Context, scope string, l apierr.FleetLockout) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return err
	}
	st.lockout, st.lockEnd = l, time.Now().Add(l.Wait)
	return nil
}

func (m *memFleet) Lockout(_ context.Context, scope string) (apierr.FleetLockout, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.op(scope)
	if err != nil {
		return apierr.FleetLockout{}, err
	}
	left := time.Until(st.lockEnd)
	if left <= 0 {
		return apierr.FleetLockout{}, nil
	}
	l := st.lockout
	l.Wait = left
	return l, nil
}

// fleetTapkeyClient is a client of tk's API sharing f.
func fleetTapkeyClient(t *testing.T, tk *apierrtest.Server[tapkey.Code], f apierr.Fleet, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	cc := tk.ClientCredentials()
	cc.AuthStyle = oauth2.AuthStyleInHeader
	c, err := apierr.New(append([]apierr.Option{
		apierr.WithBaseURL(tk.URL() + "/api/v1/"), apierr.WithClientCredentials(cc), apierr.WithFleet(f),
	}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func getLocks(t *testing.T, c *apierr.Client) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), http.MethodGet, "Owners/o-1/BoundLocks", nil)
	require.NoError(t, err)
	_, err = c.Do(req, io.Discard)
	return err
}

// TestFleetSharesOneToken: clients sharing a Fleet (as processes would)
// make one token request, and one more after the API revokes it.
func TestFleetSharesOneToken(t *testing.T) {
	defer goleak.VerifyNone(t)
	tk := apierrtest.NewTapkey()
	defer tk.Close()
	f := newMemFleet()
	clients := []*apierr.Client{fleetTapkeyClient(t, tk, f), fleetTapkeyClient(t, tk, f), fleetTapkeyClient(t, tk, f)}
	for _, c := range clients {
		require.NoError(t, getLocks(t, c))
	}
	assert.Equal(t, 1, tk.TokenRequests())
	tk.RevokeAll()
	for _, c := range clients {
		require.NoError(t, getLocks(t, c))
	}
	assert.Equal(t, 2, tk.TokenRequests(), "one refresh for the revocation")
	assert.Equal(t, 2, f.stores)
	require.Len(t, f.scopes, 1, "one scope for one API and identity")
	for scope := range f.scopes {
		assert.Len(t, scope, 64, "a hex SHA-256")
		assert.NotContains(t, scope, tk.Credentials().ClientID)
	}
	for _, c := range clients {
		require.NoError(t, c.Close())
	}
}

// TestFleetDownActsAlone: with the fleet failing, every client still gets
// its own token and every call works; the switch is logged once, at Warn,
// and the way back at Info.
func TestFleetDownActsAlone(t *testing.T) {
	defer goleak.VerifyNone(t)
	tk := apierrtest.NewTapkey()
	defer tk.Close()
	f := newMemFleet()
	f.setFail(true)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	obs := &fallbacks{}
	a := fleetTapkeyClient(t, tk, f, apierr.WithLogger(log), apierr.WithObserver(obs))
	b := fleetTapkeyClient(t, tk, f)
	for range 3 {
		require.NoError(t, getLocks(t, a))
		require.NoError(t, getLocks(t, b))
	}
	assert.Equal(t, 2, tk.TokenRequests(), "each client alone")
	assert.Equal(t, 1, strings.Count(logs.String(), "fleet unavailable"), logs.String())
	assert.Contains(t, logs.String(), "memfleet: down")
	events := obs.list()
	require.NotEmpty(t, events, "each fallback reaches the observer")
	for _, e := range events {
		assert.Contains(t, []string{"token", "lockout"}, e.Feature)
		assert.ErrorIs(t, e.Err, errDown)
	}

	f.setFail(false)
	tk.RevokeAll()
	require.NoError(t, getLocks(t, a))
	assert.Contains(t, logs.String(), "fleet available again")
	require.NoError(t, getLocks(t, b))
	assert.Equal(t, 3, tk.TokenRequests(), "back in the fleet: b adopts a's new token")
	for _, secret := range []string{tk.Credentials().ClientSecret} {
		assert.NotContains(t, logs.String(), secret)
	}
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
}

// TestFleetExosLastLogsOut: two clients share one exos session; only the
// second Close logs out. With the fleet down at Close, the shared session is
// left to expire rather than logged out under the others.
func TestFleetExosLastLogsOut(t *testing.T) {
	defer goleak.VerifyNone(t)
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer ex.Close()
	f := newMemFleet()
	newClient := func() *apierr.Client { return exosFleetClient(t, ex, f, 0) }
	persons := func(cl *apierr.Client) error { return getPersons(t, cl) }
	a, b := newClient(), newClient()
	require.NoError(t, persons(a))
	require.NoError(t, persons(b))
	assert.Equal(t, 1, ex.Logins())
	require.NoError(t, a.Close())
	assert.Equal(t, 0, ex.Logouts(), "b still uses the session")
	require.NoError(t, persons(b))
	require.NoError(t, b.Close())
	assert.Equal(t, 1, ex.Logouts(), "the last one logged out")

	c, d := newClient(), newClient()
	require.NoError(t, persons(c))
	require.NoError(t, persons(d))
	f.setFail(true)
	require.NoError(t, c.Close())
	require.NoError(t, d.Close())
	assert.Equal(t, 1, ex.Logouts(), "no one can tell who is last: the shared session is not logged out")
	assert.Equal(t, 2, ex.Logins())
}

// TestFleetSharedLockout: a's refused login locks b out too, without a
// login of its own.
func TestFleetSharedLockout(t *testing.T) {
	defer goleak.VerifyNone(t)
	ex := apierrtest.NewExos()
	defer ex.Close()
	f := newMemFleet()
	c := ex.Credentials()
	clients := make([]*apierr.Client, 2)
	for i := range clients {
		cl, err := apierr.New(apierr.WithBaseURL(ex.URL()+"/"), apierr.WithFleet(f), apierr.WithExosSession(apierr.ExosSession{
			LoginURL: ex.LoginURL(), APIKey: c.APIKey, UserName: c.UserName, Password: "wrong",
		}))
		require.NoError(t, err)
		defer cl.Close()
		clients[i] = cl
	}
	for _, cl := range clients {
		req, err := cl.NewRequest(context.Background(), http.MethodGet, "ExosApi/api/v1.0/persons", nil)
		require.NoError(t, err)
		_, err = cl.Do(req, io.Discard)
		require.ErrorIs(t, err, apierr.ErrReauthRequired)
		var ae *apierr.AuthError
		require.ErrorAs(t, err, &ae)
		assert.Positive(t, ae.RetryAfter)
	}
	assert.Equal(t, 1, ex.Logins())
	l, err := f.Lockout(context.Background(), onlyScope(t, f))
	require.NoError(t, err)
	assert.True(t, l.Reauth)
	assert.Equal(t, "300003", l.Code)
}

func TestWithFleetRefusesWhatItCannotShare(t *testing.T) {
	_, err := apierr.New(apierr.WithFleet(nil))
	require.ErrorContains(t, err, "apierr: WithFleet: nil fleet")

	_, err = apierr.New(apierr.WithBaseURL("https://api.example.com/"), apierr.WithFleet(newMemFleet()),
		apierr.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})))
	require.ErrorContains(t, err, "WithFleet shares the token of WithClientCredentials or WithExosSession")
}

// TestFleetScopesKeepIdentitiesApart: clients of other identities (another
// client id, other OAuth2 scopes, another API) sharing one Fleet never share
// a token.
func TestFleetScopesKeepIdentitiesApart(t *testing.T) {
	defer goleak.VerifyNone(t)
	tk := apierrtest.NewTapkey()
	defer tk.Close()
	other := apierrtest.NewTapkey(apierrtest.WithOAuthClient("other-client", "other-secret"))
	defer other.Close()
	f := newMemFleet()
	scoped := func(scopes ...string) *apierr.Client {
		cc := tk.ClientCredentials(scopes...)
		cc.AuthStyle = oauth2.AuthStyleInHeader
		c, err := apierr.New(apierr.WithBaseURL(tk.URL()+"/api/v1/"), apierr.WithClientCredentials(cc), apierr.WithFleet(f))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	same := []*apierr.Client{fleetTapkeyClient(t, tk, f), fleetTapkeyClient(t, tk, f)}
	for _, c := range append(same, scoped("read:locks"), fleetTapkeyClient(t, other, f)) {
		require.NoError(t, getLocks(t, c))
	}
	assert.Len(t, f.scopes, 3, "one per identity")
	assert.Equal(t, 2, tk.TokenRequests(), "the two same clients shared; the scoped one did not")
	assert.Equal(t, 1, other.TokenRequests())
}

// TestFleetExosRejoinsAfterOutage: a client that logged in alone while the
// fleet was down adopts the fleet's session once it answers again, and logs
// its own out, so the fleet is back to one session.
func TestFleetExosRejoinsAfterOutage(t *testing.T) {
	defer goleak.VerifyNone(t)
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(2))
	defer ex.Close()
	f := newMemFleet()
	newClient := func() *apierr.Client { return exosFleetClient(t, ex, f, 10*time.Millisecond) }
	persons := func(cl *apierr.Client) { t.Helper(); require.NoError(t, getPersons(t, cl)) }
	// b logs in through the fleet first: were the fleet's session left for
	// later, a's heartbeat (every 10 ms) could share a's own session first,
	// and b would use it (TestFleetExosSharesItsOwnAfterOutage's case).
	a, b := newClient(), newClient()
	persons(b) // the fleet's session
	f.setFail(true)
	persons(a) // alone: its own session
	require.Equal(t, 2, ex.Logins())
	f.setFail(false)

	require.Eventually(t, func() bool { return ex.Logouts() == 1 }, 5*time.Second, 5*time.Millisecond,
		"a adopts the fleet's session and logs its own out")
	persons(a)
	assert.Equal(t, 2, ex.Logins(), "a uses the fleet's session")
	require.NoError(t, a.Close())
	assert.Equal(t, 1, ex.Logouts(), "b still uses the session")
	require.NoError(t, b.Close())
	assert.Equal(t, 2, ex.Logouts(), "the last one logged the fleet's session out")
}

// TestFleetExosSharesItsOwnAfterOutage: a session got alone while the fleet
// was down becomes the fleet's when the fleet has none: the next client
// uses it without a login.
func TestFleetExosSharesItsOwnAfterOutage(t *testing.T) {
	defer goleak.VerifyNone(t)
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer ex.Close()
	f := newMemFleet()
	newClient := func() *apierr.Client { return exosFleetClient(t, ex, f, 10*time.Millisecond) }
	persons := func(cl *apierr.Client) { t.Helper(); require.NoError(t, getPersons(t, cl)) }
	a := newClient()
	defer a.Close()
	f.setFail(true)
	persons(a)
	f.setFail(false)
	require.Eventually(t, func() bool {
		tok, err := f.Token(context.Background(), onlyScope(t, f))
		return err == nil && tok.Gen != 0
	}, 5*time.Second, 5*time.Millisecond, "a shares its session")
	b := newClient()
	defer b.Close()
	persons(b)
	assert.Equal(t, 1, ex.Logins(), "b uses a's session; the server allows one")
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	assert.Equal(t, 1, ex.Logouts())
}

// pausingFleet is a memFleet whose first StoreToken stores, then waits for
// release: a rejoin caught between sharing its session and taking it up.
type pausingFleet struct {
	*memFleet
	once    sync.Once
	stored  chan struct{}
	release chan struct{}
}

func (p *pausingFleet) StoreToken(ctx context.Context, scope string, fence int64, tok apierr.FleetToken) (int64, bool, error) {
	gen, ok, err := p.memFleet.StoreToken(ctx, scope, fence, tok)
	p.once.Do(func() { close(p.stored); <-p.release })
	return gen, ok, err
}

// TestFleetExosCloseDuringShareKeepsTheSession: a client closed while its
// heartbeat shares its own session with the fleet does not log that
// session out under the client that adopted it meanwhile.
func TestFleetExosCloseDuringShareKeepsTheSession(t *testing.T) {
	defer goleak.VerifyNone(t)
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer ex.Close()
	f := &pausingFleet{memFleet: newMemFleet(), stored: make(chan struct{}), release: make(chan struct{})}
	newClient := func() *apierr.Client { return exosFleetClient(t, ex, f, 10*time.Millisecond) }
	persons := func(cl *apierr.Client) error { return getPersons(t, cl) }
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(f.release) }) }
	t.Cleanup(release)

	a := newClient()
	f.setFail(true)
	require.NoError(t, persons(a)) // alone: its own session
	f.setFail(false)
	select { // a's heartbeat has shared it, and not yet taken it up
	case <-f.stored:
	case <-time.After(time.Minute):
		t.Fatal("a did not share its session")
	}
	b := newClient()
	require.NoError(t, persons(b)) // b adopts a's session
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	// Give Close time to run ahead of the paused heartbeat; only how hard
	// the test tests depends on this.
	time.Sleep(20 * time.Millisecond)
	release()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("a's Close did not return")
	}
	assert.Equal(t, 0, ex.Logouts(), "b still uses the session")
	require.NoError(t, persons(b))
	require.NoError(t, b.Close())
	assert.Equal(t, 1, ex.Logins())
	assert.Equal(t, 1, ex.Logouts(), "the last one logged it out")
}

// onlyScope returns the one scope f has seen.
func onlyScope(t *testing.T, f *memFleet) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(t, f.scopes, 1)
	for s := range f.scopes {
		return s
	}
	return ""
}

// fallbacks records the FleetFallback events an observer gets.
type fallbacks struct {
	apierr.NopObserver
	mu     sync.Mutex
	events []apierr.FleetFallbackEvent
}

func (o *fallbacks) FleetFallback(_ context.Context, e apierr.FleetFallbackEvent) {
	o.mu.Lock()
	o.events = append(o.events, e)
	o.mu.Unlock()
}

func (o *fallbacks) list() []apierr.FleetFallbackEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]apierr.FleetFallbackEvent(nil), o.events...)
}

// exosFleetClient is a client of ex's API that shares its exos session
// through f, its fleet heartbeat every heartbeat (0: the default). It is
// closed when the test ends, even when an assertion ends it early: a
// heartbeat left running fails the leak check of every later test.
func exosFleetClient(t *testing.T, ex *apierrtest.Server[exos.Code], f apierr.Fleet, heartbeat time.Duration) *apierr.Client {
	t.Helper()
	c := ex.Credentials()
	cl, err := apierr.New(apierr.WithBaseURL(ex.URL()+"/"), apierr.WithFleet(f), apierr.WithExosSession(apierr.ExosSession{
		LoginURL: ex.LoginURL(), LogoutURL: ex.LogoutURL(), APIKey: c.APIKey, UserName: c.UserName, Password: c.Password,
	}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cl.Close() })
	if heartbeat > 0 {
		apierr.SetFleetHeartbeat(cl, heartbeat)
	}
	return cl
}

// getPersons lists exos's persons through cl.
func getPersons(t *testing.T, cl *apierr.Client) error {
	t.Helper()
	req, err := cl.NewRequest(context.Background(), http.MethodGet, "ExosApi/api/v1.0/persons", nil)
	require.NoError(t, err)
	_, err = cl.Do(req, io.Discard)
	return err
}
