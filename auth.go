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
	retry := endpointRetry{policy: env.policy, clock: env.clock}
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
	auth.cache = newTokenCache(src, newMemoryStore(), a.cacheOptions(), env.log, env.clock)
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
			t.log.LogAttrs(ctx, slog.LevelDebug, "apierr: no token for another origin", slog.String("host", req.URL.Host))
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

// rejected follows the Tapkey 401 guidance: a missing scope ends the request;
// otherwise the generation that was sent is invalidated (if it is still the
// current one), the next one obtained, and the request replayed once.
func (t *tokenAuth) rejected(ctx context.Context, sent *credential, resp *http.Response, prob error) error {
	if resp != nil {
		if scope, desc, ok := insufficientScope(parseChallenges(resp.Header.Values("Www-Authenticate"))); ok {
			return &AuthError{
				Op: "request", Status: resp.StatusCode, Code: "insufficient_scope",
				Description: desc, Scope: scope, Rejected: prob, kind: ErrInsufficientScope,
			}
		}
	}
	if sent == nil || !t.cache.src.renews(prob) {
		return rejectedAsIs(resp, prob) // no token of ours was sent, or a new one cannot help
	}
	t.cache.invalidate(sent.gen)
	if _, err := t.cache.get(ctx); err != nil {
		return asAuthError("refresh", err).withRejected(prob)
	}
	return nil
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

// close stops refreshing and ends the credential (exos logs out).
func (t *tokenAuth) close(ctx context.Context) error {
	t.cache.close()
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

// resolveAuthURL resolves an exos login or logout URL against the base URL.
func resolveAuthURL(base *url.URL, what, raw string, allowPlain bool) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("apierr: WithExosSession: " + what + ": " + err.Error())
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("apierr: WithExosSession: " + what + ": need an http or https URL")
	}
	if err := checkPlainHTTP(what, u, allowPlain); err != nil {
		return nil, err
	}
	return u, nil
}

func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
