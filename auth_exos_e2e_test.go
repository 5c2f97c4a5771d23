package apierr_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// TestExosLoginAgreesWithDecodeExos: the login path and decode.Exos read an
// exos error body with the same scanner, so they agree on its code and
// texts, every time. These are the ten bodies on which the login path's
// own decoder once disagreed five times (and gave four answers over 200
// runs for the one with duplicate members).
func TestExosLoginAgreesWithDecodeExos(t *testing.T) {
	bodies := []string{
		`{"ErrorCode":300003,"Message":"Unknown user or wrong password"}`,
		`{"errorCode":"300016","errorMessage":"locked"}`,
		`{"error":{"code":"300007","message":"Maximum number of concurrent users reached"}}`,
		`{"Value":{"ErrorCode":300008}}`,
		`{"ErrorCode":"12345678"}`,
		"Unknown user\nmore",
		"<html><title>502 Bad Gateway</title></html>",
		`{"ErrorCode":300016,"errorCode":300007,"Message":"locked","message":"too many"}`,
		`{"message":"no code","detail":"d","ErrorCode":"300006"}`,
		"",
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
			want, ok := decode.Exos.Decode(resp, []byte(body)).(*apierr.Problem[exos.Code])
			require.True(t, ok)
			for range 1000 {
				got := apierr.ExosLoginProblem(resp, []byte(body))
				require.Equal(t, want.Code, got.Code)
				require.Equal(t, want.Title, got.Title)
				require.Equal(t, want.Detail, got.Detail)
			}
			assert.Equal(t, http.StatusTooManyRequests, want.Status)
		})
	}
}

const exosLogoutEndpoint = "POST /ExosApi/api/v1.0/logins/logoutMyself"

// newExosClient returns a client for the exos fake that logs in with the
// fake's user and the given API key.
func newExosClient(t *testing.T, srv *apierrtest.Server[exos.Code], apiKey string) *apierr.Client {
	t.Helper()
	cr := srv.Credentials()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos),
		apierr.WithRetryPolicy(tinyPolicy),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(), TenantID: 1,
			APIKey: apiKey, UserName: cr.UserName, Password: cr.Password,
		}))
	require.NoError(t, err)
	return c
}

// TestExosWrongAPIKeyLeavesNoSessionOpen is issue 10 item 1: exos answers
// 300008 to every call made with a wrong API key. A 300008 on a session
// just logged in means the key is wrong: one login, an error matching
// ErrReauthRequired, the session logged out, and no login loop that fills
// the server's session cap. Before the fix 8 calls made 9 logins and left 9
// sessions open; with a cap of 3 a correctly configured client was then
// refused with 300007.
func TestExosWrongAPIKeyLeavesNoSessionOpen(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []apierrtest.Option
		leftNow int // sessions open after Close
	}{
		// The fake refuses logoutMyself with the wrong key too (as it
		// checks every call): the one session opened stays until it
		// expires, and the client does not open another.
		{"logout checks the key", nil, 1},
		{"logout by identifier", []apierrtest.Option{apierrtest.WithLogoutByIdentifier()}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			srv := apierrtest.NewExos(append(tc.opts, apierrtest.WithMaxSessions(3))...)
			defer srv.Close()

			wrong := newExosClient(t, srv, "not-the-api-key")
			var reauth, cause int // calls whose error matched ErrReauthRequired, and kept the 300008
			for i := range 8 {
				err := authGet(t, wrong, "persons", nil)
				require.Error(t, err, "call %d", i)
				require.ErrorIs(t, err, apierr.ErrUnauthorized, "call %d", i)
				if errors.Is(err, apierr.ErrReauthRequired) {
					reauth++
				}
				if errors.Is(err, exos.UnknownAPIKeyOrIdentifier) {
					cause++
				}
			}
			assert.Equal(t, 8, reauth, "every call fails with ErrReauthRequired")
			assert.Equal(t, 8, cause, "the API's 300008 stays in the chain")
			logins, open := srv.Logins(), srv.Sessions()
			require.NoError(t, wrong.Close())
			t.Logf("8 calls with a wrong key: %d logins, %d sessions open before Close, %d after, %d logout attempts",
				logins, open, srv.Sessions(), srv.Attempts(exosLogoutEndpoint))
			assert.Equal(t, 1, logins, "one login, never a loop")
			assert.Equal(t, 1, srv.Attempts(exosLogoutEndpoint), "the session opened is logged out once")
			assert.Equal(t, tc.leftNow, srv.Sessions())

			right := newExosClient(t, srv, srv.Credentials().APIKey)
			require.NoError(t, authGet(t, right, "persons", nil), "a correctly configured client still gets a session")
			require.NoError(t, right.Close())
		})
	}
}

// TestExosCloseDuringLoginLogsOut is issue 10 item 2: Close while a login
// is in flight waits (bounded) for it and logs out the session it produced.
// The fake completes the login server-side even when the client gives up
// on it. Before the fix Close cancelled the login and the session it
// produced stayed open (1 session open, 0 logouts).
func TestExosCloseDuringLoginLogsOut(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewExos()
	defer srv.Close()
	loginPath := "POST /ExosAuth/api/v1/login"
	srv.InjectPath(loginPath, 1, apierrtest.Slow(300*time.Millisecond))
	c := newExosClient(t, srv, srv.Credentials().APIKey)

	done := make(chan error, 1)
	go func() {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "persons", nil)
		if err == nil {
			_, err = c.Do(req, nil)
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Attempts(loginPath) == 1 }, 5*time.Second, time.Millisecond,
		"the login is in flight")
	closeErr := c.Close()
	callErr := <-done
	srv.Close() // waits for the login handler: the session exists server-side now
	t.Logf("Close during login: Close error %v, call error %v; %d sessions open, %d logouts",
		closeErr, callErr, srv.Sessions(), srv.Logouts())
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 0, srv.Sessions(), "the session the login produced was logged out")
	assert.Equal(t, 1, srv.Logouts())
	require.NoError(t, closeErr)
}

// TestExosLoginLogLine is issue 11 item 19: an exos session has no expiry,
// so its login's log line says nothing about one (it said valid_for=0s).
// An OAuth2 token's line still tells how long the token is valid.
func TestExosLoginLogLine(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := apierrtest.NewExos()
	defer srv.Close()
	var logs bytes.Buffer
	cr := srv.Credentials()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos),
		apierr.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(), TenantID: 1,
			APIKey: cr.APIKey, UserName: cr.UserName, Password: cr.Password,
		}))
	require.NoError(t, err)
	req, err := c.NewRequest(context.Background(), http.MethodGet, "persons", nil)
	require.NoError(t, err)
	_, _ = c.Do(req, nil) // the call's outcome does not matter: the login happened
	require.NoError(t, c.Close())

	var obtained []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "token obtained") {
			obtained = append(obtained, line)
		}
	}
	require.Len(t, obtained, 1, logs.String())
	assert.NotContains(t, obtained[0], "valid_for")
}
