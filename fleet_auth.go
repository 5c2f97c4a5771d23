package apierr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// fleetStoreFor returns the token store and source of a client: the
// in-memory store, or with WithFleet the fleet's store and a source that
// honours and shares the fleet's lockout.
func (a *authConfig) fleetStoreFor(env authEnv, src credentialSource) (tokenStore, credentialSource, error) {
	if env.fleet == nil {
		return newMemoryStore(), src, nil
	}
	scope, err := a.fleetScope(env.base)
	if err != nil {
		return nil, nil, err
	}
	store := newFleetStore(env.fleet, scope, a.exos != nil, env.log, env.obs, env.clock)
	return store, &fleetSource{credentialSource: src, s: store}, nil
}

// bindFleet gives a fleet store what it needs of the cache built over it.
func bindFleet(store tokenStore, cache *tokenCache) {
	if s, ok := store.(*fleetStore); ok {
		s.credential = cache.newCredential
		s.endCred = cache.src.end
	}
}

// fleetScope names the API and identity whose token the fleet shares: a
// SHA-256 of the base URL and what identifies the client (token URL, client
// id and scopes; exos login URL, API key, user and tenant). A refresh token
// or a token source names no identity the client can see, so neither is
// shared.
func (a *authConfig) fleetScope(base *url.URL) (string, error) {
	h := sha256.New()
	add := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
	}
	switch {
	case a.cc != nil:
		add("client_credentials", base.String(), a.cc.TokenURL, a.cc.ClientID, strings.Join(a.cc.Scopes, " "))
	case a.exos != nil:
		add("exos", base.String(), a.exos.LoginURL, a.exos.APIKey, a.exos.UserName, strconv.Itoa(a.exos.TenantID))
	default:
		return "", errors.New("apierr: WithFleet shares the token of WithClientCredentials or WithExosSession, not of " +
			a.scheme + ": its identity is not known to the client")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fleetSource wraps a credential source with the fleet's lockout: no process
// logs in while another was refused, and a refusal here is shared.
type fleetSource struct {
	credentialSource
	s *fleetStore

	mu    sync.Mutex
	known FleetLockout // the last lockout seen, kept while the fleet fails
	until time.Time    // its end on this process's clock
}

func (x *fleetSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	if err := x.lockedOut(ctx); err != nil {
		return nil, err
	}
	tok, err := x.credentialSource.fetch(ctx)
	var ae *AuthError
	if errors.As(err, &ae) && ae.hold > 0 && (ae.kind == ErrLoginThrottled || ae.kind == ErrReauthRequired) {
		l := FleetLockout{Wait: ae.hold, Status: ae.Status, Code: ae.Code, Reauth: ae.kind == ErrReauthRequired}
		x.remember(l)
		x.s.outcome("lockout", x.s.f.SetLockout(ctx, x.s.scope, l))
	}
	return tok, err
}

// lockedOut returns the fleet's lockout as an error, or the last one known
// when the fleet cannot be asked.
func (x *fleetSource) lockedOut(ctx context.Context) error {
	l, err := x.s.f.Lockout(ctx, x.s.scope)
	x.s.outcome("lockout", err)
	if err != nil {
		x.mu.Lock()
		l = x.known
		l.Wait = x.until.Sub(x.s.clk.current())
		x.mu.Unlock()
	} else if l.Wait > 0 {
		x.remember(l)
	}
	if l.Wait <= 0 {
		return nil
	}
	ae := &AuthError{
		Op: x.op(), Status: l.Status, Code: l.Code, RetryAfter: l.Wait, hold: l.Wait,
		kind: ErrLoginThrottled, msg: "refused for the fleet; no process tries again before the wait ends",
	}
	if l.Reauth {
		ae.kind = ErrReauthRequired
	}
	return ae
}

func (x *fleetSource) remember(l FleetLockout) {
	x.mu.Lock()
	x.known, x.until = l, x.s.clk.current().Add(l.Wait)
	x.mu.Unlock()
}
