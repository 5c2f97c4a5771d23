package apierr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// Settings of the fleet store.
const (
	fleetLeaseTTL   = 5 * time.Second  // a holder renews it every third of it while it fetches
	fleetSessionTTL = 30 * time.Second // a holder of an exos session heartbeats every third of it
	fleetMinTTL     = 2 * time.Second  // a shared token with less life left is not adopted
	fleetEndTimeout = 2 * time.Second  // logging out a session that lost the race to publish
)

// localGen marks the generations of credentials this process got alone,
// while the fleet could not be reached: they never go to the fleet.
const localGen = uint64(1) << 63

// fleetStore is the tokenStore of a client in a fleet: the token lives in the
// Fleet, shared by every process of the same identity, with a local copy for
// the hot path. Any error of the Fleet makes the store act as one process
// alone (its own token request or login) for that refresh, and logs it once.
type fleetStore struct {
	f       Fleet
	scope   string
	holder  string
	session bool // an exos session: track holders, and only the last logs out
	log     *slog.Logger
	obs     Observer // nil: none
	clk     *clock

	// Set by build once the cache exists: how a shared token becomes a
	// credential, and how a session is ended (exos logout).
	credential func(tok *oauth2.Token, at time.Time) (*credential, error)
	endCred    func(ctx context.Context, c *credential) error

	cur      atomic.Pointer[credential]
	localSeq atomic.Uint64
	health   *fleetHealth // logs the fallback to acting alone, once

	mu     sync.Mutex
	renew  map[uint64]context.CancelFunc // fence -> stops its renewal
	joined bool
	beat   context.CancelFunc // stops the session heartbeat
	beatWG sync.WaitGroup
	every  time.Duration // the heartbeat's period (tests shorten it)
}

func newFleetStore(f Fleet, scope string, session bool, log *slog.Logger, obs Observer, clk *clock) *fleetStore {
	return &fleetStore{
		f: f, scope: scope, holder: newHolderID(), session: session, log: log, obs: obs, clk: clk,
		renew: make(map[uint64]context.CancelFunc), every: fleetSessionTTL / 3,
		health: &fleetHealth{
			log: log, obs: obs,
			down: "apierr: fleet unavailable; this process acts alone (own token, own lockout) until it answers",
			up:   "apierr: fleet available again; sharing the token",
		},
	}
}

// newHolderID names this client in the fleet: random, so that two
// processes (or two clients of one process) never share a name.
func newHolderID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *fleetStore) load() *credential { return s.cur.Load() }

// invalidate drops generation gen here and, if it came from the fleet, in
// the fleet too: only that generation, so a late 401 never drops a newer one.
func (s *fleetStore) invalidate(gen uint64) bool {
	c := s.cur.Load()
	if c == nil || c.gen != gen || !s.cur.CompareAndSwap(c, nil) {
		return false
	}
	if gen&localGen == 0 {
		_, err := s.f.InvalidateToken(context.Background(), s.scope, int64(gen))
		s.outcome("token", err)
	}
	return true
}

// acquire returns the fleet's token when it is newer than after, the lease
// when no one else holds it, or waits for the holder's token. When the
// fleet fails, it grants a local lease: this process fetches for itself.
func (s *fleetStore) acquire(ctx context.Context, after uint64) (lease, *credential, error) {
	s.join(ctx)
	for {
		tok, err := s.f.Token(ctx, s.scope)
		if err != nil {
			return s.alone(ctx, err)
		}
		s.outcome("token", nil)
		if c := s.adopt(tok, after); c != nil {
			return lease{}, c, nil
		}
		fence, ok, err := s.f.AcquireLease(ctx, s.scope, s.holder, fleetLeaseTTL)
		if err != nil {
			return s.alone(ctx, err)
		}
		if ok {
			// The last holder may have stored its token and let go of the
			// lease between the read above and this grant: read again before
			// fetching, or the fleet fetches twice.
			if tok, err := s.f.Token(ctx, s.scope); err == nil {
				if c := s.adopt(tok, after); c != nil {
					s.release(lease{gen: uint64(fence)})
					return lease{}, c, nil
				}
			}
			s.hold(uint64(fence))
			return lease{gen: uint64(fence)}, nil, nil
		}
		// Another process fetches: wait for a generation other than the one
		// just seen (bounded by ctx, the refresh's own timeout).
		tok, err = s.f.WaitToken(ctx, s.scope, tok.Gen)
		if err != nil {
			return s.alone(ctx, err)
		}
		if c := s.adopt(tok, after); c != nil {
			return lease{}, c, nil
		}
		// The holder gave up, or its token is unusable: try for the lease.
	}
}

// alone grants a local lease after a fleet failure, unless ctx itself ended.
func (s *fleetStore) alone(ctx context.Context, err error) (lease, *credential, error) {
	if ctx.Err() != nil {
		return lease{}, nil, ctx.Err()
	}
	s.outcome("token", err)
	return lease{gen: localGen | s.localSeq.Add(1)}, nil, nil
}

// publish stores cred in the fleet under the lease's fence. A fleet that
// refuses it (a newer lease was granted) leaves its newer token in use; a
// fleet that fails leaves cred in use here alone.
func (s *fleetStore) publish(l lease, cred *credential) error {
	if l.gen&localGen != 0 {
		cred.gen = l.gen
		s.cur.Store(cred)
		return nil
	}
	s.unhold(l.gen)
	ctx := context.Background()
	defer func() { s.outcome("token", s.f.ReleaseLease(ctx, s.scope, s.holder, int64(l.gen))) }()
	secret, ttl := encodeFleetToken(cred.token)
	gen, ok, err := s.f.StoreToken(ctx, s.scope, int64(l.gen), FleetToken{Secret: secret, TTL: ttl})
	switch {
	case err != nil:
		s.outcome("token", err)
		cred.gen = localGen | s.localSeq.Add(1)
		s.cur.Store(cred)
		return nil
	case !ok:
		// Fenced off: this process was paused past its lease and a newer
		// holder published. Use the fleet's token; end the one just fetched
		// (an exos session nobody will use would count against the cap).
		s.debug("apierr: fleet: a newer token was published meanwhile; using it", slog.Uint64("fence", l.gen))
		if tok, err := s.f.Token(ctx, s.scope); err == nil {
			s.adopt(tok, 0)
		}
		s.endOrphan(cred)
		return errLeaseLost
	}
	cred.gen = uint64(gen)
	s.cur.Store(cred)
	s.debug("apierr: fleet: published a new token", slog.Int64("generation", gen))
	return nil
}

// release gives up the lease after a failed fetch.
func (s *fleetStore) release(l lease) {
	if l.gen&localGen != 0 {
		return
	}
	s.unhold(l.gen)
	s.outcome("token", s.f.ReleaseLease(context.Background(), s.scope, s.holder, int64(l.gen)))
}

// adopt makes the fleet's token the local credential when it is another
// generation than after and has life enough left; else it returns nil.
func (s *fleetStore) adopt(tok FleetToken, after uint64) *credential {
	if tok.Gen <= 0 || uint64(tok.Gen) == after || (tok.TTL > 0 && tok.TTL < fleetMinTTL) {
		return nil
	}
	t, err := decodeFleetToken(tok.Secret, tok.TTL)
	if err != nil {
		s.debug("apierr: fleet: the shared token does not decode", slog.String("error", err.Error()))
		return nil
	}
	c, err := s.credential(t, s.clk.current())
	if err != nil {
		return nil
	}
	c.gen = uint64(tok.Gen)
	s.cur.Store(c)
	return c
}

// hold keeps the lease of fence alive while this process fetches: a third
// of its TTL before it would expire. A paused process stops renewing, and
// its lease expires for the others.
func (s *fleetStore) hold(fence uint64) {
	ctx, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	s.renew[fence] = stop
	s.mu.Unlock()
	s.debug("apierr: fleet: took the token lease", slog.Uint64("fence", fence), slog.String("holder", s.holder))
	go func() {
		tick := time.NewTicker(fleetLeaseTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if held, err := s.f.RenewLease(ctx, s.scope, s.holder, int64(fence), fleetLeaseTTL); err != nil || !held {
					return
				}
			}
		}
	}()
}

func (s *fleetStore) unhold(fence uint64) {
	s.mu.Lock()
	stop := s.renew[fence]
	delete(s.renew, fence)
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// join records this client as a holder of the exos session and keeps the
// record alive until end.
func (s *fleetStore) join(ctx context.Context) {
	if !s.session {
		return
	}
	s.mu.Lock()
	if s.joined {
		s.mu.Unlock()
		return
	}
	s.joined = true
	bctx, stop := context.WithCancel(context.Background())
	s.beat = stop
	s.beatWG.Add(1)
	s.mu.Unlock()
	s.outcome("session", s.f.JoinSession(ctx, s.scope, s.holder, fleetSessionTTL))
	go func() {
		defer s.beatWG.Done()
		tick := time.NewTicker(s.every)
		defer tick.Stop()
		for {
			select {
			case <-bctx.Done():
				return
			case <-tick.C:
				err := s.f.JoinSession(bctx, s.scope, s.holder, fleetSessionTTL)
				s.outcome("session", err)
				if err == nil {
					s.rejoin(bctx)
				}
			}
		}
	}()
}

// rejoin brings a session this process got alone, while the fleet failed,
// back into the fleet once it answers again: an exos session does not
// expire, so no refresh would. The fleet's session is adopted and the own
// one logged out; when the fleet has none, the own one is shared.
func (s *fleetStore) rejoin(ctx context.Context) {
	mine := s.cur.Load()
	if mine == nil || mine.gen&localGen == 0 {
		return
	}
	tok, err := s.f.Token(ctx, s.scope)
	if err != nil {
		return
	}
	if tok.Gen != 0 {
		if s.adopt(tok, 0) != nil {
			s.debug("apierr: fleet: back in the fleet's session; logging out this process's own")
			s.endOrphan(mine)
		}
		return
	}
	fence, ok, err := s.f.AcquireLease(ctx, s.scope, s.holder, fleetLeaseTTL)
	if err != nil || !ok {
		return
	}
	defer func() { _ = s.f.ReleaseLease(ctx, s.scope, s.holder, fence) }()
	secret, ttl := encodeFleetToken(mine.token)
	gen, ok, err := s.f.StoreToken(ctx, s.scope, fence, FleetToken{Secret: secret, TTL: ttl})
	if err != nil || !ok {
		return
	}
	shared := &credential{
		gen: uint64(gen), token: mine.token, value: mine.value, header: mine.header,
		softAt: mine.softAt, hardAt: mine.hardAt,
	}
	if mine.accepted.Load() {
		shared.accepted.Store(true)
	}
	if s.cur.CompareAndSwap(mine, shared) {
		s.debug("apierr: fleet: shared this process's session with the fleet", slog.Int64("generation", gen))
	}
}

// end runs on Close instead of ending the credential: the session is logged
// out only by the last holder, with the fleet's current token. A session
// this process got alone is always its own to end. When the fleet cannot
// tell who is last, the shared session is left to expire.
func (s *fleetStore) end(ctx context.Context) error {
	s.mu.Lock()
	joined, stop := s.joined, s.beat
	s.joined, s.beat = false, nil
	s.mu.Unlock()
	if stop != nil {
		// The heartbeat first: a rejoin in flight may have shared this
		// process's own session with the fleet already. Taken before it
		// ends, that session would still look like ours alone, and be
		// logged out under the processes now using it.
		stop()
		s.beatWG.Wait()
	}
	mine := s.cur.Swap(nil)
	if !s.session {
		return nil
	}
	var own error
	if mine != nil && mine.gen&localGen != 0 {
		own = s.endCred(ctx, mine)
	}
	if !joined {
		return own
	}
	last, tok, err := s.f.LeaveSession(ctx, s.scope, s.holder)
	s.outcome("session", err)
	switch {
	case err != nil:
		s.warn("apierr: fleet: cannot tell whether this is the last process; leaving the shared session to expire", err)
		return own
	case !last:
		s.debug("apierr: fleet: other processes still use the session; not logging out")
		return own
	case tok.Gen == 0:
		return own
	}
	t, err := decodeFleetToken(tok.Secret, 0)
	if err != nil {
		return own
	}
	c, err := s.credential(t, s.clk.current())
	if err != nil {
		return own
	}
	s.debug("apierr: fleet: last process; logging the session out")
	if err := s.endCred(ctx, c); err != nil {
		return err
	}
	return own
}

// endOrphan ends a credential that was fetched but never used.
func (s *fleetStore) endOrphan(c *credential) {
	if !s.session || s.endCred == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), fleetEndTimeout)
	defer cancel()
	_ = s.endCred(ctx, c)
}

// outcome reports a fleet operation's result for feature ("token",
// "session", "lockout"); see fleetHealth.
func (s *fleetStore) outcome(feature string, err error) { _ = s.health.outcome(feature, err) }

func (s *fleetStore) warn(msg string, err error) {
	if s.log != nil {
		s.log.LogAttrs(context.Background(), slog.LevelWarn, msg, slog.String("error", err.Error()))
	}
}

func (s *fleetStore) debug(msg string, attrs ...slog.Attr) {
	if s.log != nil {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, msg, attrs...)
	}
}

// fleetSecret is a token as the fleet stores it (sealed by the Fleet).
type fleetSecret struct {
	Access string `json:"a"`
	Type   string `json:"t,omitempty"`
}

// encodeFleetToken returns what the fleet stores of tok and for how long it
// stays valid (0: no expiry).
func encodeFleetToken(tok *oauth2.Token) ([]byte, time.Duration) {
	// Only what a call sends: a refresh token stays with the process that
	// got it (its rotation is that process's own).
	b, _ := json.Marshal(fleetSecret{Access: tok.AccessToken, Type: tok.TokenType})
	var ttl time.Duration
	switch {
	case tok.ExpiresIn > 0:
		ttl = time.Duration(tok.ExpiresIn) * time.Second
	case !tok.Expiry.IsZero():
		ttl = max(time.Until(tok.Expiry), time.Millisecond)
	}
	return b, ttl
}

// decodeFleetToken rebuilds a token from the fleet, valid for ttl (0: no
// expiry).
func decodeFleetToken(b []byte, ttl time.Duration) (*oauth2.Token, error) {
	var s fleetSecret
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return &oauth2.Token{
		AccessToken: s.Access, TokenType: s.Type,
		ExpiresIn: int64(ttl / time.Second),
	}, nil
}
