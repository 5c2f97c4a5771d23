package apierrtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

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
	return s.grants.clientCredentials(s.TokenURL(), scopes)
}

// OAuth2Config returns an oauth2.Config for the token endpoint, for the
// refresh-token flow (use it with a token from MintToken).
func (s *Server[C]) OAuth2Config(scopes ...string) *oauth2.Config {
	return s.grants.oauth2Config(s.TokenURL(), scopes)
}

// MintToken issues a token as the authorization-code flow would: an access
// token with a refresh token (Tapkey, entrecode; USTA issues none). On the
// exos fake the access token is a session identifier. It counts as no
// request.
func (s *Server[C]) MintToken(scopes ...string) *oauth2.Token {
	return s.grants.mint(scopes, s.api.refresh)
}

// Revoke invalidates one access token, refresh token or exos session
// identifier, and reports whether the fake knew it. The next call with it
// gets 401.
func (s *Server[C]) Revoke(token string) bool { return s.grants.revoke(token) }

// RevokeAll invalidates every access token and exos session issued so far;
// refresh tokens stay valid, so a client can refresh.
func (s *Server[C]) RevokeAll() { s.grants.revokeAccess() }

// RevokeRefreshTokens invalidates every refresh token issued so far, so a
// client must start its grant again.
func (s *Server[C]) RevokeRefreshTokens() { s.grants.revokeRefresh() }

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
	switch s.grants.check(tok) {
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

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// Sessions returns the number of unexpired access tokens or exos sessions.
func (s *Server[C]) Sessions() int { return s.grants.live() }
