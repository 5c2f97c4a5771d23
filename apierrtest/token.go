package apierrtest

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// grant is what the fake knows about a token or session it issued.
type grant struct {
	expiry time.Time
	scope  string
}

// tokenResponse is the RFC 6749 §5.1 answer of the token endpoint.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// oauthError is the RFC 6749 §5.2 error answer of the token endpoint.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// TokenURL returns the OAuth2 token endpoint ("" for exos, which logs in
// instead: see LoginURL).
func (s *Server[C]) TokenURL() string {
	if s.api.tokenPath == "" {
		return ""
	}
	return s.URL() + s.api.tokenPath
}

// ClientCredentials returns the client-credentials configuration the token
// endpoint accepts, with the given scopes.
func (s *Server[C]) ClientCredentials(scopes ...string) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     s.cfg.clientID,
		ClientSecret: s.cfg.clientSecret,
		TokenURL:     s.TokenURL(),
		Scopes:       scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
}

// OAuth2Config returns an oauth2.Config for the token endpoint, for the
// refresh-token flow (use it with a token from MintToken).
func (s *Server[C]) OAuth2Config(scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.cfg.clientID,
		ClientSecret: s.cfg.clientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:       scopes,
	}
}

// MintToken issues a token as the authorization-code flow would: an access
// token with a refresh token (Tapkey, entrecode; USTA issues none). On the
// exos fake the access token is a session identifier. It counts as no
// request.
func (s *Server[C]) MintToken(scopes ...string) *oauth2.Token {
	tr := s.issue(strings.Join(scopes, " "), s.api.refresh)
	return &oauth2.Token{
		AccessToken:  tr.AccessToken,
		TokenType:    tr.TokenType,
		RefreshToken: tr.RefreshToken,
		Expiry:       s.cfg.now().Add(s.cfg.lifetime),
	}
}

// Revoke invalidates one access token, refresh token or exos session
// identifier, and reports whether the fake knew it. The next call with it
// gets 401.
func (s *Server[C]) Revoke(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, access := s.tokens[token]
	_, refresh := s.refresh[token]
	delete(s.tokens, token)
	delete(s.refresh, token)
	return access || refresh
}

// RevokeAll invalidates every access token and exos session issued so far;
// refresh tokens stay valid, so a client can refresh.
func (s *Server[C]) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// RevokeRefreshTokens invalidates every refresh token issued so far, so a
// client must start its grant again.
func (s *Server[C]) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// serveToken answers the token endpoint: client_credentials, and
// refresh_token with rotation where the API has refresh tokens.
func (s *Server[C]) serveToken(w http.ResponseWriter, r *http.Request) {
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

	if id, secret := clientAuth(r); id != s.cfg.clientID || secret != s.cfg.clientSecret {
		w.Header().Set("WWW-Authenticate", `Basic realm="apierrtest"`)
		writeJSON(w, "application/json", http.StatusUnauthorized, oauthError{"invalid_client", "client authentication failed"})
		return
	}
	scope := r.PostForm.Get("scope")
	switch {
	case grantType == "client_credentials":
		writeJSON(w, "application/json", http.StatusOK, s.issue(scope, false))
	case grantType == "refresh_token" && s.api.refresh:
		rt := r.PostForm.Get("refresh_token")
		s.mu.Lock()
		g, ok := s.refresh[rt]
		delete(s.refresh, rt) // rotation: a refresh token works once
		s.mu.Unlock()
		if !ok {
			writeJSON(w, "application/json", http.StatusBadRequest, oauthError{"invalid_grant", "the refresh token is invalid, used or revoked"})
			return
		}
		if scope == "" {
			scope = g.scope
		}
		writeJSON(w, "application/json", http.StatusOK, s.issue(scope, true))
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

// issue creates an access token (and a refresh token when withRefresh).
func (s *Server[C]) issue(scope string, withRefresh bool) tokenResponse {
	tr := tokenResponse{
		AccessToken: newSecret("at-"),
		TokenType:   "Bearer",
		ExpiresIn:   max(1, int64(math.Ceil(s.cfg.lifetime.Seconds()))),
		Scope:       scope,
	}
	if withRefresh {
		tr.RefreshToken = newSecret("rt-")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tr.AccessToken] = grant{expiry: s.cfg.now().Add(s.cfg.lifetime), scope: scope}
	if withRefresh {
		s.refresh[tr.RefreshToken] = grant{scope: scope}
	}
	return tr
}

// newSecret returns an unguessable token with a readable prefix.
func newSecret(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + hex.EncodeToString(b[:])
}

// authenticate checks the credentials of an API call and answers 401 when
// they do not hold.
func (s *Server[C]) authenticate(w http.ResponseWriter, r *http.Request) bool {
	if s.api.session {
		return s.authenticateSession(w, r)
	}
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		s.fail(w, r, &errorReply[C]{reply: &reply{status: 401, auth: authMissing, challenge: `Bearer realm="apierrtest"`}})
		return false
	}
	switch s.check(tok) {
	case authInvalid:
		s.fail(w, r, &errorReply[C]{reply: &reply{status: 401, auth: authInvalid,
			challenge: `Bearer error="invalid_token", error_description="The access token is invalid"`}})
		return false
	case authExpired:
		s.fail(w, r, &errorReply[C]{reply: newReply(0, []Fault{ExpiredToken()})})
		return false
	}
	return true
}

// check looks a token or session identifier up: authNone when it is valid.
func (s *Server[C]) check(tok string) authKind {
	s.mu.Lock()
	g, ok := s.tokens[tok]
	s.mu.Unlock()
	switch {
	case !ok:
		return authInvalid
	case !s.cfg.now().Before(g.expiry):
		return authExpired
	}
	return authNone
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// Sessions returns the number of unexpired access tokens or exos sessions.
func (s *Server[C]) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveSessions()
}

// liveSessions counts unexpired tokens; s.mu is held.
func (s *Server[C]) liveSessions() int {
	now, n := s.cfg.now(), 0
	for _, g := range s.tokens {
		if now.Before(g.expiry) {
			n++
		}
	}
	return n
}
