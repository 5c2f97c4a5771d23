package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
)

// authGet sends GET path and decodes the reply into v.
func authGet(t *testing.T, c *apierr.Client, path string, v any) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
	require.NoError(t, err)
	_, err = c.Do(req, v)
	return err
}

func TestAuthTapkeyRevokedTokenIsRefreshedOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	var rotated []string
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithRefreshToken(srv.OAuth2Config(), srv.MintToken()),
		apierr.WithTokenHook(func(tok *oauth2.Token) { rotated = append(rotated, tok.RefreshToken) }))
	require.NoError(t, err)
	defer c.Close()

	var locks []map[string]any
	require.NoError(t, authGet(t, c, "Owners/o1/BoundLocks", &locks))
	assert.NotEmpty(t, locks)
	for i := 1; i <= 3; i++ {
		srv.RevokeAll() // the server revokes the token: the client refreshes once and replays
		require.NoError(t, authGet(t, c, "Owners/o1/BoundLocks", &locks), "revocation %d", i)
	}
	assert.Equal(t, 3, srv.RefreshRequests())
	assert.Len(t, rotated, 3)
	assert.NotEqual(t, rotated[0], rotated[2])
}

func TestAuthTapkeyInsufficientScope(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials("read:owners")))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, authGet(t, c, "Owners/o1/Grants", nil))

	srv.Inject(1, apierrtest.InsufficientScope("write:grants"))
	err = authGet(t, c, "Owners/o1/Grants", nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, apierr.ErrInsufficientScope)
	assert.ErrorIs(t, err, apierr.ErrUnauthorized)
	assert.Contains(t, err.Error(), `scope "write:grants" is missing`)
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, err, &p, "the API's decoded 401 stays in the chain")
	assert.Equal(t, http.StatusUnauthorized, p.Status)
	assert.Equal(t, 1, srv.TokenRequests(), "no refresh")
	assert.Equal(t, 2, srv.Attempts("/api/v1/Owners/o1/Grants"), "the first call and the refused one: no replay")
}

func TestAuthTapkeyRefreshTokenRevokedNeedsReauth(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithRefreshToken(srv.OAuth2Config(), srv.MintToken()))
	require.NoError(t, err)
	defer c.Close()
	srv.RevokeAll()
	srv.RevokeRefreshTokens()
	err = authGet(t, c, "Owners/o1/Grants", nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, apierr.ErrReauthRequired)
	assert.ErrorIs(t, err, apierr.ErrUnauthorized)
	var p *apierr.Problem[tapkey.Code]
	assert.ErrorAs(t, err, &p)
	assert.Equal(t, 1, srv.RefreshRequests())
}

func TestAuthExosSessionEndToEnd(t *testing.T) {
	for _, legacy := range []bool{true, false} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			srv := apierrtest.NewExos()
			defer srv.Close()
			cr := srv.Credentials()
			login := srv.LoginURL()
			if legacy {
				login = srv.LegacyLoginURL()
			}
			c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos),
				apierr.WithExosSession(apierr.ExosSession{
					LoginURL: login, LogoutURL: srv.LogoutURL(), Legacy: legacy, TenantID: 1,
					APIKey: cr.APIKey, UserName: cr.UserName, Password: cr.Password,
				}))
			require.NoError(t, err)

			require.NoError(t, authGet(t, c, "persons", nil))
			srv.RevokeAll() // the session timed out: 300008, log in again, replay
			require.NoError(t, authGet(t, c, "persons", nil))
			assert.Equal(t, 2, srv.Logins())

			require.NoError(t, c.Close())
			assert.Equal(t, 1, srv.Logouts())
		})
	}
}

func TestAuthExosNoLoginStorm(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer srv.Close()
	cr := srv.Credentials()
	session := apierr.ExosSession{LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(), APIKey: cr.APIKey, UserName: cr.UserName, Password: cr.Password}
	first, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos), apierr.WithExosSession(session))
	require.NoError(t, err)
	require.NoError(t, authGet(t, first, "persons", nil)) // takes the only session

	second, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos), apierr.WithExosSession(session))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = authGet(t, second, "persons", nil)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		require.Error(t, err)
		assert.ErrorIs(t, err, apierr.ErrLoginThrottled)
		assert.ErrorIs(t, err, exos.MaximumConcurrentUsersReached)
		var ae *apierr.AuthError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, time.Minute, ae.RetryAfter)
	}
	assert.Equal(t, 2, srv.Logins(), "50 callers, one refused login")

	require.NoError(t, first.Close())
	require.NoError(t, second.Close(), "nothing to log out")
	assert.Equal(t, 1, srv.Logouts())
}

func TestAuthErrorsMatchUnauthorized(t *testing.T) {
	err := error(&apierr.AuthError{Op: "token", Status: 503})
	assert.ErrorIs(t, err, apierr.ErrUnauthorized)
	assert.False(t, errors.Is(err, apierr.ErrInsufficientScope))
	assert.Equal(t, "apierr: token: 503 Service Unavailable", err.Error())
}
