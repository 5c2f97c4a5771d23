package apierrtest

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// grant is what a fake knows about a token or session it issued.
type grant struct {
	expiry time.Time
	scope  string
}

// grants holds the access tokens (or exos session identifiers) and refresh
// tokens one fake issued: the Server's and the TokenEndpoint's. Its methods
// are safe for concurrent use.
type grants struct {
	cfg *config // lifetime and clock; read-only after construction

	mu      sync.Mutex
	tokens  map[string]grant // access tokens and exos session identifiers
	refresh map[string]grant // live refresh tokens
}

func newGrants(cfg *config) *grants {
	return &grants{cfg: cfg, tokens: make(map[string]grant), refresh: make(map[string]grant)}
}

// issue creates an access token (and a refresh token when withRefresh).
func (g *grants) issue(scope string, withRefresh bool) tokenResponse {
	tr := tokenResponse{
		AccessToken: newSecret("at-"),
		TokenType:   "Bearer",
		ExpiresIn:   max(1, int64(math.Ceil(g.cfg.lifetime.Seconds()))),
		Scope:       scope,
	}
	if withRefresh {
		tr.RefreshToken = newSecret("rt-")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens[tr.AccessToken] = grant{expiry: g.cfg.now().Add(g.cfg.lifetime), scope: scope}
	if withRefresh {
		g.refresh[tr.RefreshToken] = grant{scope: scope}
	}
	return tr
}

// mint issues a token as the authorization-code flow would.
func (g *grants) mint(scopes []string, withRefresh bool) *oauth2.Token {
	tr := g.issue(strings.Join(scopes, " "), withRefresh)
	return &oauth2.Token{
		AccessToken:  tr.AccessToken,
		TokenType:    tr.TokenType,
		RefreshToken: tr.RefreshToken,
		Expiry:       g.cfg.now().Add(g.cfg.lifetime),
	}
}

// clientCredentials is the client-credentials configuration the store's
// token endpoint at tokenURL accepts.
func (g *grants) clientCredentials(tokenURL string, scopes []string) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     g.cfg.clientID,
		ClientSecret: g.cfg.clientSecret,
		TokenURL:     tokenURL,
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
}

// oauth2Config is the refresh-token flow's configuration for the store's
// token endpoint at tokenURL.
func (g *grants) oauth2Config(tokenURL string, scopes []string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     g.cfg.clientID,
		ClientSecret: g.cfg.clientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:       scopes,
	}
}

// redeem takes a refresh token out of the store: rotation, a refresh token
// works once.
func (g *grants) redeem(rt string) (grant, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	gr, ok := g.refresh[rt]
	delete(g.refresh, rt)
	return gr, ok
}

// check looks a token or session identifier up: authNone when it is valid.
func (g *grants) check(tok string) authKind {
	g.mu.Lock()
	gr, ok := g.tokens[tok]
	g.mu.Unlock()
	switch {
	case !ok:
		return authInvalid
	case !g.cfg.now().Before(gr.expiry):
		return authExpired
	}
	return authNone
}

// revoke forgets one access or refresh token and reports whether it knew it.
func (g *grants) revoke(tok string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, access := g.tokens[tok]
	_, refresh := g.refresh[tok]
	delete(g.tokens, tok)
	delete(g.refresh, tok)
	return access || refresh
}

// revokeAccess forgets every access token; refresh tokens stay valid.
func (g *grants) revokeAccess() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.tokens)
}

// revokeRefresh forgets every refresh token.
func (g *grants) revokeRefresh() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.refresh)
}

// live counts the unexpired access tokens.
func (g *grants) live() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	now, n := g.cfg.now(), 0
	for _, gr := range g.tokens {
		if now.Before(gr.expiry) {
			n++
		}
	}
	return n
}

// serveToken answers a token request (RFC 6749): client_credentials, and
// refresh_token with rotation when withRefresh.
func (g *grants) serveToken(w http.ResponseWriter, r *http.Request, withRefresh bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, "application/json", http.StatusMethodNotAllowed, oauthError{"invalid_request", "use POST"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, "application/json", http.StatusBadRequest, oauthError{"invalid_request", "the body is not a form"})
		return
	}
	grantType := r.PostForm.Get("grant_type")

	if id, secret := clientAuth(r); id != g.cfg.clientID || secret != g.cfg.clientSecret {
		w.Header().Set("WWW-Authenticate", `Basic realm="apierrtest"`)
		writeJSON(w, "application/json", http.StatusUnauthorized, oauthError{"invalid_client", "client authentication failed"})
		return
	}
	scope := r.PostForm.Get("scope")
	switch {
	case grantType == "client_credentials":
		writeJSON(w, "application/json", http.StatusOK, g.issue(scope, false))
	case grantType == "refresh_token" && withRefresh:
		gr, ok := g.redeem(r.PostForm.Get("refresh_token"))
		if !ok {
			writeJSON(w, "application/json", http.StatusBadRequest, oauthError{"invalid_grant", "the refresh token is invalid, used or revoked"})
			return
		}
		if scope == "" {
			scope = gr.scope
		}
		writeJSON(w, "application/json", http.StatusOK, g.issue(scope, true))
	default:
		writeJSON(w, "application/json", http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type " + grantType + " is not supported"})
	}
}

// clientAuth returns the client credentials from the Basic header (which
// golang.org/x/oauth2 URL-encodes) or else from the form.
func clientAuth(r *http.Request) (id, secret string) {
	if id, secret, ok := r.BasicAuth(); ok {
		return unescape(id), unescape(secret)
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// isRefreshGrant reports whether a token request body asks for the
// refresh_token grant.
func isRefreshGrant(body []byte) bool {
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("grant_type") == "refresh_token"
}
