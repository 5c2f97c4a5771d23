package apierr

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// authenticator is what Do needs of an auth scheme (OAuth2 or exos session).
type authenticator interface {
	// authorize sets Authorization on req, which the client owns, for one
	// attempt. It returns the credential it sent (nil: none, as for another
	// origin) so that a 401 can invalidate exactly that generation.
	authorize(ctx context.Context, req *http.Request) (*credential, error)
	// rejected handles a 401 (or exos 300008) to a request sent with sent.
	// prob is the decoded error of that response. It returns nil when the
	// request should be replayed once, with a new credential it already
	// holds, else the error to return, which must keep prob in its chain.
	rejected(ctx context.Context, sent *credential, resp *http.Response, prob error) error
	// close ends the session (exos logout) and releases what the scheme holds.
	close(ctx context.Context) error
}

// authConfig collects the auth options; build turns them into an
// authenticator once New knows the client.
type authConfig struct {
	scheme string // the option that chose the scheme; "" when none did

	cc    *clientcredentials.Config
	oauth *oauth2.Config
	tok   *oauth2.Token
	ts    oauth2.TokenSource
	exos  *ExosSession

	hook      func(*oauth2.Token)
	soft      time.Duration
	hard      time.Duration
	timeout   time.Duration
	plainHTTP bool
}

// setScheme records the auth scheme; a client has one.
func (a *authConfig) setScheme(name string) error {
	if a.scheme != "" {
		return errors.New("apierr: " + name + ": an auth scheme is already configured (" + a.scheme + "); use one")
	}
	a.scheme = name
	return nil
}

// WithClientCredentials authorises requests with tokens from the OAuth2
// client credentials grant (RFC 6749 section 4.4). The token is cached and
// renewed ahead of expiry; after a 401 the client gets a new one and replays
// the request once. If the server also issues refresh tokens, they are used
// first. Set cfg.AuthStyle: with AuthStyleAutoDetect golang.org/x/oauth2
// sends a failed token request twice. cfg must not change afterwards.
func WithClientCredentials(cfg *clientcredentials.Config) Option {
	return func(c *config) error {
		switch {
		case cfg == nil:
			return errors.New("apierr: WithClientCredentials: nil config")
		case cfg.TokenURL == "":
			return errors.New("apierr: WithClientCredentials: TokenURL is empty")
		case cfg.ClientID == "":
			return errors.New("apierr: WithClientCredentials: ClientID is empty")
		}
		if err := checkAbsoluteURL("WithClientCredentials: TokenURL", cfg.TokenURL); err != nil {
			return err
		}
		if err := c.auth.setScheme("WithClientCredentials"); err != nil {
			return err
		}
		c.auth.cc = cfg
		return nil
	}
}

// WithRefreshToken authorises requests with tok (for example from an
// authorization code flow) and renews it with the refresh_token grant.
// Rotated refresh tokens reach the hook set by WithTokenHook: store them.
// When the refresh token is refused or missing, requests fail with an
// *AuthError matching ErrReauthRequired. cfg must not change afterwards.
func WithRefreshToken(cfg *oauth2.Config, tok *oauth2.Token) Option {
	return func(c *config) error {
		switch {
		case cfg == nil:
			return errors.New("apierr: WithRefreshToken: nil config")
		case tok == nil:
			return errors.New("apierr: WithRefreshToken: nil token")
		case cfg.Endpoint.TokenURL == "":
			return errors.New("apierr: WithRefreshToken: Endpoint.TokenURL is empty")
		case tok.RefreshToken == "" && tok.AccessToken == "":
			return errors.New("apierr: WithRefreshToken: the token has neither an access token nor a refresh token")
		}
		if err := checkAbsoluteURL("WithRefreshToken: Endpoint.TokenURL", cfg.Endpoint.TokenURL); err != nil {
			return err
		}
		if err := c.auth.setScheme("WithRefreshToken"); err != nil {
			return err
		}
		c.auth.oauth, c.auth.tok = cfg, tokenCopy(tok)
		return nil
	}
}

// WithTokenSource authorises requests with tokens from ts. Each Token call
// must obtain a new token (do not pass an oauth2.ReuseTokenSource): the
// client caches the token, renews it ahead of expiry and calls Token again
// after a 401. Token takes no context, so a call that hangs is abandoned
// after the token timeout (WithTokenTimeout).
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("apierr: WithTokenSource: nil token source")
		}
		if err := c.auth.setScheme("WithTokenSource"); err != nil {
			return err
		}
		c.auth.ts = ts
		return nil
	}
}

// WithExosSession authorises requests with an exos 9300 login session; see
// ExosSession.
func WithExosSession(s ExosSession) Option {
	return func(c *config) error {
		if err := s.validate(); err != nil {
			return err
		}
		if err := c.auth.setScheme("WithExosSession"); err != nil {
			return err
		}
		c.auth.exos = &s
		return nil
	}
}

// WithTokenHook calls fn with a copy of every new token (exos: the session
// identifier as AccessToken), before any request uses it and never
// concurrently with itself. Use it to store rotated refresh tokens. fn
// should return quickly: requests waiting for the token wait for fn too.
func WithTokenHook(fn func(*oauth2.Token)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("apierr: WithTokenHook: nil func")
		}
		c.auth.hook = fn
		return nil
	}
}

// WithRefreshWindows sets when a token is renewed. Inside soft before expiry
// one background refresh runs while requests keep using the valid token;
// inside hard before expiry requests wait for the new token. Both shrink for
// short-lived tokens (soft to half, hard to a quarter of the lifetime).
// Defaults: 2 minutes and 10 seconds.
func WithRefreshWindows(soft, hard time.Duration) Option {
	return func(c *config) error {
		if hard < 0 || soft < hard {
			return errors.New("apierr: WithRefreshWindows: need 0 <= hard <= soft")
		}
		c.auth.soft, c.auth.hard = soft, hard
		return nil
	}
}

// WithTokenTimeout bounds one token refresh or login, retries included; it
// runs detached from the request that started it, so that one caller giving
// up does not fail the others. Default 30 seconds.
func WithTokenTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("apierr: WithTokenTimeout: must be positive")
		}
		c.auth.timeout = d
		return nil
	}
}

// WithPlainHTTPAuth allows sending credentials over plain http to a host
// that is not a loopback address. Without it New refuses such a base URL,
// token URL or login URL: anyone on the path could read the token.
func WithPlainHTTPAuth() Option {
	return func(c *config) error {
		c.auth.plainHTTP = true
		return nil
	}
}

// authEnv is what an auth scheme takes from the client, and all it takes.
type authEnv struct {
	base   *url.URL     // tokens go only to its origin
	hc     *http.Client // sends token requests, logins and logouts
	log    *slog.Logger // nil: no logging
	policy RetryPolicy  // retries token requests and logins too
	clock  *clock       // the client's one time seam
	obs    Observer     // nil: nothing is observed
	fleet  Fleet        // WithFleet; nil: this process alone
}

// build returns the authenticator for env, or nil when no auth is configured.
func (a *authConfig) build(env authEnv) (authenticator, error) {
	if a.scheme == "" {
		return nil, nil
	}
	if env.base == nil {
		return nil, errors.New("apierr: " + a.scheme + " needs WithBaseURL: tokens go only to its origin")
	}
	if err := checkPlainHTTP("base URL", env.base, a.plainHTTP); err != nil {
		return nil, err
	}
	retry := endpointRetry{policy: env.policy, clock: env.clock, obs: env.obs}
	auth := &tokenAuth{origin: newAuthOrigin(env.base), log: env.log}
	var src credentialSource
	switch {
	case a.cc != nil:
		if err := checkPlainHTTPString("token URL", a.cc.TokenURL, a.plainHTTP); err != nil {
			return nil, err
		}
		src = &oauthSource{grant: a.cc, refresh: refreshConfig(a.cc), hc: env.hc, retry: retry}
	case a.oauth != nil:
		if err := checkPlainHTTPString("token URL", a.oauth.Endpoint.TokenURL, a.plainHTTP); err != nil {
			return nil, err
		}
		src = &oauthSource{refresh: a.oauth, rt: a.tok.RefreshToken, hc: env.hc, retry: retry}
	case a.ts != nil:
		src = tokenSourceAdapter{ts: a.ts}
	case a.exos != nil:
		x := &exosSource{s: *a.exos, hc: env.hc, retry: retry}
		var err error
		if x.login, err = resolveAuthURL(env.base, "LoginURL", a.exos.LoginURL, a.plainHTTP); err != nil {
			return nil, err
		}
		if a.exos.LogoutURL != "" {
			if x.logoutURL, err = resolveAuthURL(env.base, "LogoutURL", a.exos.LogoutURL, a.plainHTTP); err != nil {
				return nil, err
			}
		}
		src = x
	}
	store, src, err := a.fleetStoreFor(env, src)
	if err != nil {
		return nil, err
	}
	auth.cache = newTokenCache(src, store, a.cacheOptions(), env.log, env.clock)
	bindFleet(store, auth.cache)
	if env.obs != nil {
		auth.cache.obs = newAuthObserver(env.obs, src, env.clock)
	}
	if a.tok != nil && a.tok.AccessToken != "" {
		// An expired token is not an error here: the first request refreshes it.
		_ = auth.cache.seed(a.tok)
	}
	return auth, nil
}

func (a *authConfig) cacheOptions() cacheOptions {
	return cacheOptions{soft: a.soft, hard: a.hard, timeout: a.timeout, hook: a.hook}
}

// refreshConfig is the refresh_token grant for a client credentials
// server that also issues refresh tokens.
func refreshConfig(cc *clientcredentials.Config) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     cc.ClientID,
		ClientSecret: cc.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: cc.TokenURL, AuthStyle: cc.AuthStyle},
		Scopes:       cc.Scopes,
	}
}

// tokenAuth is the authenticator of every scheme: a token cache in front of
// a credential source.
type tokenAuth struct {
	origin authOrigin
	cache  *tokenCache
	log    *slog.Logger
}

// authorize sets the cached token on req. A request to another origin gets
// no token: a token goes only where it was issued for.
func (t *tokenAuth) authorize(ctx context.Context, req *http.Request) (*credential, error) {
	if !t.origin.matches(req.URL) {
		if t.log != nil {
			t.log.LogAttrs(ctx, slog.LevelDebug, "apierr: no token for another origin", slog.String("server.address", req.URL.Hostname()))
		}
		return nil, nil
	}
	c, err := t.cache.get(ctx)
	if err != nil {
		return nil, err
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header["Authorization"] = c.header
	return c, nil
}

// rejected follows the Tapkey 401 guidance: the generation that was sent
// is invalidated (if it is still the current one), the next one obtained,
// and the request replayed once. A 401 that says nothing about the token is
// returned as it is: the request that got it carried none of ours (a
// redirect to another origin), its code is a documented permission refusal
// (the catalogue's Permission column), or the source says a new credential
// cannot cure it. A missing scope never gets here: the call checks every
// 401 and 403 for it first (scopeRefusal).
func (t *tokenAuth) rejected(ctx context.Context, sent *credential, resp *http.Response, prob error) error {
	if sent == nil || !carried(resp, sent) || permissionRefusal(prob) || !t.cache.src.renews(prob) {
		return rejectedAsIs(resp, prob) // no token of ours was refused, or a new one cannot help
	}
	if ss, ok := t.cache.src.(sessionSource); ok {
		if ae := ss.freshRefusal(prob); ae != nil && t.cache.refuse(sent, ae) {
			// Refused before any call succeeded with it: the configuration is
			// wrong, and a new login would only open one more session.
			t.debug(ctx, "apierr: the API refused a session just opened; ending it")
			ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			defer cancel()
			if err := t.cache.src.end(ectx, sent); err != nil {
				t.debug(ctx, "apierr: ending the refused session failed", slog.String("error.message", err.Error()))
			}
			return ae
		}
	}
	t.cache.invalidate(ctx, sent.gen)
	if _, err := t.cache.get(ctx); err != nil {
		return asAuthError("refresh", err).withRejected(prob)
	}
	return nil
}

// carried reports whether the request that got resp (the last hop, after
// redirects) was sent with sent. A hop to another origin has no token of
// ours: containRedirects and net/http strip it.
func carried(resp *http.Response, sent *credential) bool {
	if resp == nil || resp.Request == nil {
		return true // no way to tell: the request Do sent carried it
	}
	return resp.Request.Header.Get("Authorization") == sent.value
}

// scopeRefusal returns the *AuthError for a 401 or 403 whose
// WWW-Authenticate says insufficient_scope (RFC 6750 section 3.1 says 403;
// Tapkey sends 401), or nil. A new token with the same scopes cannot help,
// so the request is neither refreshed nor replayed, on the first attempt as
// on the replay. secrets are masked in what the challenge quotes.
func scopeRefusal(resp *http.Response, prob error, secrets []string) error {
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return nil
	}
	scope, desc, ok := insufficientScope(parseChallenges(resp.Header.Values("Www-Authenticate")))
	if !ok {
		return nil
	}
	return &AuthError{
		Op: "request", Status: resp.StatusCode, Code: "insufficient_scope",
		Description: scrubSecrets(desc, secrets), Scope: scrubSecrets(scope, secrets),
		Rejected: prob, kind: ErrInsufficientScope,
	}
}

// secrets are the scheme's own secrets that calls carry (exos: the API
// key, and the password), which an API might echo in an error body.
func (t *tokenAuth) secrets() []string {
	if ss, ok := t.cache.src.(sessionSource); ok {
		return ss.secrets()
	}
	return nil
}

func (t *tokenAuth) debug(ctx context.Context, msg string, attrs ...slog.Attr) {
	if t.log != nil {
		t.log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
	}
}

// rejectedAsIs returns the API's 401 itself, which matches ErrUnauthorized.
func rejectedAsIs(resp *http.Response, prob error) error {
	if prob != nil {
		return prob
	}
	status := http.StatusUnauthorized
	if resp != nil {
		status = resp.StatusCode
	}
	return &AuthError{Op: "request", Status: status}
}

// close stops refreshing and ends the credential (exos logs out). A
// session source's login in flight is waited for (within ctx): exos opens
// the session even when the client gives up, so it must be ended too.
func (t *tokenAuth) close(ctx context.Context) error {
	_, sessions := t.cache.src.(sessionSource)
	t.cache.close(ctx, sessions)
	return t.cache.endCredential(ctx)
}

// authOrigin is the base URL's origin: scheme, host and port.
type authOrigin struct{ base *url.URL }

func newAuthOrigin(u *url.URL) authOrigin { return authOrigin{base: u} }

// matches reports whether u has the base URL's origin; the common case,
// the base URL's own host and scheme, is two string comparisons.
func (o authOrigin) matches(u *url.URL) bool {
	if u != nil && u.Host == o.base.Host && u.Scheme == o.base.Scheme {
		return true
	}
	return sameOrigin(u, o.base)
}

// checkPlainHTTP refuses credentials over plain http to a host that is not
// loopback, unless the caller opted in.
func checkPlainHTTP(what string, u *url.URL, allowed bool) error {
	if !strings.EqualFold(u.Scheme, "http") || allowed || isLoopbackHost(u.Hostname()) {
		return nil
	}
	return errors.New("apierr: refusing to send credentials over plain http to " + u.Host +
		" (" + what + "): use https, or WithPlainHTTPAuth to allow it")
}

func checkPlainHTTPString(what, raw string, allowed bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("apierr: " + what + ": " + err.Error())
	}
	return checkPlainHTTP(what, u, allowed)
}

func checkAbsoluteURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("apierr: " + what + ": " + err.Error())
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("apierr: " + what + ": need an absolute http or https URL")
	}
	return nil
}

func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
