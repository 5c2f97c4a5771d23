package apierrtest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr/internal/boundedbody"
)

// TokenEndpoint is an OAuth2 token endpoint (RFC 6749) for tests that stub
// the transport with httpmock instead of starting a fake server. It answers
// as the fakes' endpoints do: the client_credentials grant, and the
// refresh_token grant with rotation (each refresh token works once; the
// answer carries a new one). Tokens live WithTokenLifetime (default one
// hour), measured with WithClock; WithOAuthClient sets the client it
// accepts. Its methods are safe for concurrent use.
//
//	mock := httpmock.NewMockTransport()
//	te := apierrtest.NewTokenEndpoint("https://auth.example.com/oauth/token")
//	mock.RegisterResponder("POST", te.URL(), te.Responder())
//	mock.RegisterResponder("GET", "https://api.example.com/v1/entities/1001",
//		te.Protect(httpmock.NewStringResponder(200, `{"id":"1001"}`)))
//	client, err := apierr.New(apierr.WithBaseURL("https://api.example.com/v1"),
//		apierr.WithHTTPClient(&http.Client{Transport: mock}),
//		apierr.WithClientCredentials(te.ClientCredentials()))
type TokenEndpoint struct {
	url    string
	cfg    config
	grants *grants

	mu        sync.Mutex
	requests  int
	refreshes int
}

// NewTokenEndpoint returns a token endpoint for tokenURL, the URL its
// responder is registered for. Of the options, WithOAuthClient,
// WithTokenLifetime and WithClock apply.
func NewTokenEndpoint(tokenURL string, opts ...Option) *TokenEndpoint {
	e := &TokenEndpoint{url: tokenURL, cfg: defaultConfig()}
	for _, o := range opts {
		if o != nil {
			o(&e.cfg)
		}
	}
	e.grants = newGrants(&e.cfg)
	return e
}

// URL returns the token URL the endpoint was made for.
func (e *TokenEndpoint) URL() string { return e.url }

// Responder returns the httpmock responder that answers token requests.
// Register it for POST at URL.
func (e *TokenEndpoint) Responder() httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			var err error
			if body, _, err = boundedbody.Read(req.Body, maxRecordedBody); err != nil {
				return nil, err
			}
		}
		e.mu.Lock()
		e.requests++
		if isRefreshGrant(body) {
			e.refreshes++
		}
		e.mu.Unlock()

		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		e.grants.serveToken(rec, r, true)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

// Protect returns a responder that answers 401 with a Bearer challenge
// (RFC 6750: error="invalid_token") unless the request carries an
// unexpired access token the endpoint issued, and otherwise calls next: an
// API behind the endpoint, so that Revoke and RevokeAll make a client
// refresh and replay.
func (e *TokenEndpoint) Protect(next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		if next == nil {
			return nil, errors.New("apierrtest: TokenEndpoint.Protect: nil responder")
		}
		tok, ok := bearerToken(req.Header.Get("Authorization"))
		var challenge string
		switch {
		case !ok:
			challenge = `Bearer realm="apierrtest"`
		case e.grants.check(tok) == authExpired:
			challenge = `Bearer error="invalid_token", error_description="The access token expired"`
		case e.grants.check(tok) != authNone:
			challenge = `Bearer error="invalid_token", error_description="The access token is invalid"`
		default:
			return next(req)
		}
		resp := httpmock.NewStringResponse(http.StatusUnauthorized, `{"error":"invalid_token"}`)
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Set("WWW-Authenticate", challenge)
		resp.Request = req
		return resp, nil
	}
}

// Authorized reports whether req carries an unexpired access token that the
// endpoint issued and nobody revoked.
func (e *TokenEndpoint) Authorized(req *http.Request) bool {
	tok, ok := bearerToken(req.Header.Get("Authorization"))
	return ok && e.grants.check(tok) == authNone
}

// ClientCredentials returns the client-credentials configuration the
// endpoint accepts, with the given scopes.
func (e *TokenEndpoint) ClientCredentials(scopes ...string) *clientcredentials.Config {
	return e.grants.clientCredentials(e.url, scopes)
}

// OAuth2Config returns an oauth2.Config for the endpoint, for the
// refresh-token flow (use it with a token from MintToken).
func (e *TokenEndpoint) OAuth2Config(scopes ...string) *oauth2.Config {
	return e.grants.oauth2Config(e.url, scopes)
}

// MintToken issues an access token with a refresh token, as the
// authorization-code flow would. It counts as no request.
func (e *TokenEndpoint) MintToken(scopes ...string) *oauth2.Token {
	return e.grants.mint(scopes, true)
}

// Requests returns the number of token requests, any grant, accepted or not.
func (e *TokenEndpoint) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// RefreshRequests returns how many token requests used the refresh_token grant.
func (e *TokenEndpoint) RefreshRequests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refreshes
}

// Revoke invalidates one access or refresh token and reports whether the
// endpoint knew it.
func (e *TokenEndpoint) Revoke(token string) bool { return e.grants.revoke(token) }

// RevokeAll invalidates every access token issued so far; refresh tokens
// stay valid.
func (e *TokenEndpoint) RevokeAll() { e.grants.revokeAccess() }

// RevokeRefreshTokens invalidates every refresh token issued so far.
func (e *TokenEndpoint) RevokeRefreshTokens() { e.grants.revokeRefresh() }
