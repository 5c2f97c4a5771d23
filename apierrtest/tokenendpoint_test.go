package apierrtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/accessapi/apierr"
)

const (
	mockTokenURL = "https://auth.example.com/oauth/token"
	mockAPI      = "https://api.example.com/v1"
)

// mockedAPI is an httpmock transport with a token endpoint and one
// protected resource behind it.
func mockedAPI(t *testing.T, opts ...Option) (*httpmock.MockTransport, *TokenEndpoint) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	te := NewTokenEndpoint(mockTokenURL, opts...)
	mock.RegisterResponder(http.MethodPost, te.URL(), te.Responder())
	mock.RegisterResponder(http.MethodGet, mockAPI+"/entities/1001",
		te.Protect(httpmock.NewStringResponder(200, `{"id":"1001"}`)))
	return mock, te
}

func mockCtx(mock *httpmock.MockTransport) context.Context {
	return oauthCtx(&http.Client{Transport: mock})
}

func TestTokenEndpointClientCredentials(t *testing.T) {
	clock := newFakeClock()
	mock, te := mockedAPI(t, WithTokenLifetime(90*time.Second), WithClock(clock.now))
	tok, err := te.ClientCredentials("read").Token(mockCtx(mock))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(tok.AccessToken, "at-"))
	assert.Empty(t, tok.RefreshToken, "client credentials get no refresh token (RFC 6749 §4.4.3)")
	assert.Equal(t, float64(90), tok.Extra("expires_in"), "the lifetime configured")
	assert.Equal(t, "read", tok.Extra("scope"))
	assert.Equal(t, 1, te.Requests())
	assert.Equal(t, 0, te.RefreshRequests())

	req := func() *http.Request {
		r, err := http.NewRequest(http.MethodGet, mockAPI+"/entities/1001", nil)
		require.NoError(t, err)
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		return r
	}
	assert.True(t, te.Authorized(req()))
	clock.advance(89 * time.Second)
	assert.True(t, te.Authorized(req()), "alive until its expiry")
	clock.advance(time.Second)
	assert.False(t, te.Authorized(req()), "expired")

	resp, err := te.Protect(httpmock.NewStringResponder(200, "{}"))(req())
	require.NoError(t, err)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "expired")

	_, err = te.Protect(nil)(req())
	require.ErrorContains(t, err, "apierrtest: TokenEndpoint.Protect: nil responder")
}

func TestTokenEndpointRefreshRotates(t *testing.T) {
	mock, te := mockedAPI(t)
	ctx := mockCtx(mock)
	minted := te.MintToken("grants")
	require.NotEmpty(t, minted.RefreshToken)

	cfg := te.OAuth2Config()
	first, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: minted.RefreshToken}).Token()
	require.NoError(t, err)
	assert.NotEqual(t, minted.RefreshToken, first.RefreshToken, "a new refresh token with each refresh")
	assert.Equal(t, "grants", first.Extra("scope"), "the scope of the grant carries over")
	assert.Equal(t, 1, te.RefreshRequests())

	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: minted.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re, "a used refresh token is refused")
	assert.Equal(t, "invalid_grant", re.ErrorCode)

	te.RevokeRefreshTokens()
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "invalid_grant", re.ErrorCode)
	assert.Equal(t, 3, te.Requests())
	assert.Equal(t, 3, te.RefreshRequests())
}

func TestTokenEndpointRefusesBadRequests(t *testing.T) {
	mock, te := mockedAPI(t, WithOAuthClient("me", "s3cret"))
	hc := &http.Client{Transport: mock}
	post := func(form url.Values, user, pass string) (int, string, string) {
		req, err := http.NewRequest(http.MethodPost, te.URL(), strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
	}
	cc := url.Values{"grant_type": {"client_credentials"}}

	status, challenge, body := post(cc, "me", "wrong")
	assert.Equal(t, 401, status)
	assert.NotEmpty(t, challenge)
	assert.Contains(t, body, `"invalid_client"`)
	assert.NotContains(t, body, "wrong", "no secret in the answer")

	status, _, body = post(url.Values{"grant_type": {"password"}}, "me", "s3cret")
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `"unsupported_grant_type"`)

	status, _, body = post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"me"}, "client_secret": {"s3cret"}}, "", "")
	assert.Equal(t, 200, status, "credentials in the form are accepted too: %s", body)

	getReq, err := http.NewRequest(http.MethodGet, te.URL(), nil)
	require.NoError(t, err)
	resp, err := te.Responder()(getReq)
	require.NoError(t, err)
	assert.Equal(t, 405, resp.StatusCode)
	assert.Equal(t, 4, te.Requests(), "refused requests count too")
}

// TestTokenEndpointWithTheClient: a client on the mocked transport gets a
// token, and after RevokeAll gets a new one and replays the call once.
func TestTokenEndpointWithTheClient(t *testing.T) {
	t.Run("client credentials", func(t *testing.T) {
		mock, te := mockedAPI(t)
		c, err := apierr.New(apierr.WithBaseURL(mockAPI), apierr.WithHTTPClient(&http.Client{Transport: mock}),
			apierr.WithClientCredentials(te.ClientCredentials()))
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, get(t, c, "entities/1001"))
		te.RevokeAll()
		require.NoError(t, get(t, c, "entities/1001"), "a new token, the call replayed")
		assert.Equal(t, 2, te.Requests())
		assert.Equal(t, 3, mock.GetCallCountInfo()["GET "+mockAPI+"/entities/1001"], "two calls, one replay")
	})
	t.Run("refresh token, rotated to the hook", func(t *testing.T) {
		mock, te := mockedAPI(t)
		var stored []string
		c, err := apierr.New(apierr.WithBaseURL(mockAPI), apierr.WithHTTPClient(&http.Client{Transport: mock}),
			apierr.WithRefreshToken(te.OAuth2Config(), te.MintToken()),
			apierr.WithTokenHook(func(tok *oauth2.Token) { stored = append(stored, tok.RefreshToken) }))
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, get(t, c, "entities/1001"))
		te.RevokeAll()
		require.NoError(t, get(t, c, "entities/1001"))
		assert.Equal(t, 1, te.RefreshRequests())
		require.NotEmpty(t, stored)
		assert.NotEmpty(t, stored[len(stored)-1], "the rotated refresh token reached the hook")

		te.RevokeAll()
		te.RevokeRefreshTokens()
		err = get(t, c, "entities/1001")
		assert.True(t, errors.Is(err, apierr.ErrReauthRequired), "a refused refresh token: %v", err)
	})
}
