package apierrtest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// oauthFakes are the three OAuth2 fakes with a resource each and what their
// token endpoint supports.
var oauthFakes = []struct {
	name    string
	start   func(...Option) oauthFake
	path    string // a resource that answers 200
	refresh bool
	expired string // the body code of an expired token; "": none
}{
	{"tapkey", func(o ...Option) oauthFake { return NewTapkey(o...) }, "/api/v1/Owners/o1/BoundLocks", true, ""},
	{"entrecode", func(o ...Option) oauthFake { return NewEntrecode(o...) }, "/api/beefbeef/to-do-item", true, "2402"},
	{"usta", func(o ...Option) oauthFake { return NewUSTA(o...) }, "/v1/entities/1001", false, "4003"},
}

func TestClientCredentialsTokenAuthorisesCalls(t *testing.T) {
	for _, f := range oauthFakes {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start()
			defer srv.Close()
			tok, err := srv.ClientCredentials("read").Token(oauthCtx(srv.Client()))
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(tok.AccessToken, "at-"))
			assert.Empty(t, tok.RefreshToken, "client credentials get no refresh token (RFC 6749 §4.4.3)")
			assert.WithinDuration(t, time.Now().Add(DefaultLifetime), tok.Expiry, time.Minute)
			assert.Equal(t, "read", tok.Extra("scope"))

			a := send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(tok.AccessToken)...)
			assert.Equal(t, 200, a.status, "%s", a.body)
			assert.Equal(t, 1, srv.TokenRequests())
			assert.Equal(t, 1, srv.Sessions())
		})
	}
}

func TestTokenEndpointRejectsBadClients(t *testing.T) {
	for _, f := range oauthFakes {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start(WithOAuthClient("me", "s3cret%/"))
			defer srv.Close()
			cfg := srv.ClientCredentials()
			_, err := cfg.Token(oauthCtx(srv.Client()))
			require.NoError(t, err, "a secret with URL-escaped characters works")

			cfg.ClientSecret = "wrong"
			_, err = cfg.Token(oauthCtx(srv.Client()))
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 401, re.Response.StatusCode)
			assert.Equal(t, "invalid_client", re.ErrorCode)

			form := url.Values{"grant_type": {"password"}, "client_id": {"me"}, "client_secret": {"s3cret%/"}}
			a := send(t, srv.Client(), "POST", srv.TokenURL(), form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
			assert.Equal(t, 400, a.status)
			assert.Equal(t, "unsupported_grant_type", a.json(t)["error"])

			a = send(t, srv.Client(), "GET", srv.TokenURL(), "")
			assert.Equal(t, 405, a.status)
			assert.Equal(t, 4, srv.TokenRequests())
		})
	}
}

func TestCallsWithoutValidTokenGet401(t *testing.T) {
	for _, f := range oauthFakes {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start()
			defer srv.Close()

			a := send(t, srv.Client(), "GET", srv.URL()+f.path, "")
			assert.Equal(t, 401, a.status)
			assert.Equal(t, `Bearer realm="apierrtest"`, a.header.Get("WWW-Authenticate"))

			a = send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer("at-forged")...)
			assert.Equal(t, 401, a.status)
			assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="invalid_token"`)

			tok := ccToken(t, srv)
			assert.True(t, srv.Revoke(tok))
			assert.False(t, srv.Revoke(tok), "already revoked")
			a = send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(tok)...)
			assert.Equal(t, 401, a.status, "a revoked token is rejected")
		})
	}
}

func TestTokensExpireByTheConfiguredClock(t *testing.T) {
	for _, f := range oauthFakes {
		t.Run(f.name, func(t *testing.T) {
			clock := newFakeClock()
			srv := f.start(WithClock(clock.now), WithTokenLifetime(90*time.Second))
			defer srv.Close()
			tok, err := srv.ClientCredentials().Token(oauthCtx(srv.Client()))
			require.NoError(t, err)
			assert.Equal(t, float64(90), tok.Extra("expires_in"))

			clock.advance(89 * time.Second)
			assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(tok.AccessToken)...).status)

			clock.advance(time.Second)
			a := send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(tok.AccessToken)...)
			assert.Equal(t, 401, a.status)
			assert.Equal(t, `Bearer error="invalid_token", error_description="The access token expired"`, a.header.Get("WWW-Authenticate"))
			assert.Equal(t, f.expired, bodyCode(t, f.name, a))
			assert.Equal(t, 0, srv.Sessions())
		})
	}
}

func TestShortLifetimeStillAnnouncesOneSecond(t *testing.T) {
	srv := NewTapkey(WithTokenLifetime(10 * time.Millisecond))
	defer srv.Close()
	tok, err := srv.ClientCredentials().Token(oauthCtx(srv.Client()))
	require.NoError(t, err)
	assert.Equal(t, float64(1), tok.Extra("expires_in"), "0 would mean no expiry to a client")
}

func TestRefreshTokensRotate(t *testing.T) {
	for _, f := range oauthFakes {
		if !f.refresh {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			srv := f.start()
			defer srv.Close()
			first := srv.MintToken("grants")
			require.NotEmpty(t, first.RefreshToken)
			cfg := srv.OAuth2Config()

			second, err := cfg.TokenSource(oauthCtx(srv.Client()), &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
			require.NoError(t, err)
			assert.NotEqual(t, first.RefreshToken, second.RefreshToken, "rotated")
			assert.NotEqual(t, first.AccessToken, second.AccessToken)
			assert.Equal(t, "grants", second.Extra("scope"), "the scope carries over")

			_, err = cfg.TokenSource(oauthCtx(srv.Client()), &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re, "a used refresh token is rejected")
			assert.Equal(t, "invalid_grant", re.ErrorCode)

			srv.RevokeAll()
			assert.Equal(t, 401, send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(second.AccessToken)...).status)
			third, err := cfg.TokenSource(oauthCtx(srv.Client()), &oauth2.Token{RefreshToken: second.RefreshToken}).Token()
			require.NoError(t, err, "RevokeAll leaves refresh tokens valid")
			assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+f.path, "", bearer(third.AccessToken)...).status)

			srv.RevokeRefreshTokens()
			_, err = cfg.TokenSource(oauthCtx(srv.Client()), &oauth2.Token{RefreshToken: third.RefreshToken}).Token()
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "invalid_grant", re.ErrorCode)
			assert.Equal(t, 4, srv.RefreshRequests())
			assert.Equal(t, 4, srv.TokenRequests())
		})
	}
}

func TestUSTAHasNoRefreshTokens(t *testing.T) {
	srv := NewUSTA()
	defer srv.Close()
	assert.Empty(t, srv.MintToken().RefreshToken)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-x"}}
	a := send(t, srv.Client(), "POST", srv.TokenURL(), form.Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "Authorization", basic(DefaultClientID, DefaultClientSecret))
	assert.Equal(t, 400, a.status)
	assert.Equal(t, "unsupported_grant_type", a.json(t)["error"])
	assert.Equal(t, 1, srv.RefreshRequests())
}
