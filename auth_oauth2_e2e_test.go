package apierr_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// scriptedTokenServer answers its n-th token request with script[n-1] and
// every later one with a valid token; the API behind it answers 204 to a
// request that carries a token it issued.
type scriptedTokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	script   []http.HandlerFunc
	requests int
}

func newScriptedTokenServer(t *testing.T, script ...http.HandlerFunc) *scriptedTokenServer {
	t.Helper()
	s := &scriptedTokenServer{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" {
			if r.Header.Get("Authorization") != "Bearer good-token" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.mu.Lock()
		s.requests++
		n := s.requests
		s.mu.Unlock()
		if n <= len(s.script) {
			s.script[n-1](w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "good-token", "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedTokenServer) tokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *scriptedTokenServer) client(t *testing.T, policy apierr.RetryPolicy) *apierr.Client {
	t.Helper()
	c, err := apierr.New(apierr.WithBaseURL(s.URL+"/api"), apierr.WithRetryPolicy(policy),
		apierr.WithClientCredentials(&clientcredentials.Config{
			ClientID: "id", ClientSecret: "client-secret-77", TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader,
		}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// tokenReply answers a token request with status, an RFC 6749 error body
// and the given headers.
func tokenReply(status int, code string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if code != "" {
			_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
		}
	}
}

// TestTokenEndpointRetryAfterIsBounded is issue 10 item 7: a token
// endpoint's Retry-After holds the client at most MaxRetryAfter, and a value
// that does not parse as a wait is ignored. Before the fix one 503 with
// Retry-After: 31536000 made every call fail for a year (1 token request,
// then none), and an absurd value held it for 292 years.
func TestTokenEndpointRetryAfterIsBounded(t *testing.T) {
	policy := apierr.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond,
		MaxRetryAfter: 50 * time.Millisecond}
	for _, tc := range []struct{ name, value string }{
		{"a year", "31536000"},
		{"absurd", "99999999999999999999"},
		{"garbage", "soon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakCheck(t)
			srv := newScriptedTokenServer(t, tokenReply(http.StatusServiceUnavailable, "", "Retry-After", tc.value))
			c := srv.client(t, policy)
			start := time.Now()
			var calls int
			ok := assert.Eventually(t, func() bool {
				calls++
				return authGet(t, c, "things", nil) == nil
			}, 5*time.Second, 10*time.Millisecond, "a call succeeds once the bounded hold is over")
			t.Logf("Retry-After %q: first success after %v and %d calls, %d token requests",
				tc.value, time.Since(start).Round(time.Millisecond), calls, srv.tokenRequests())
			if ok {
				assert.Equal(t, 2, srv.tokenRequests())
			}
		})
	}
}

// TestAuthErrorClasses is issue 10 item 8: refused credentials match
// ErrReauthRequired; a token endpoint that cannot be reached or answers
// 5xx/429 matches its cause and never ErrReauthRequired. Every auth error
// matches ErrUnauthorized (DESIGN.md). Before the fix invalid_client,
// unauthorized_client and invalid_grant from the client credentials grant
// matched neither ErrReauthRequired nor anything else, and a 503 or 429
// could not be told from refused credentials.
func TestAuthErrorClasses(t *testing.T) {
	policy := apierr.RetryPolicy{MaxAttempts: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Second}
	dead := func() string { // a loopback port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		return addr
	}
	for _, tc := range []struct {
		name   string
		answer http.HandlerFunc
		reauth bool
		cause  error // nil: a network error
	}{
		{"invalid_client", tokenReply(http.StatusUnauthorized, "invalid_client"), true, nil},
		{"unauthorized_client", tokenReply(http.StatusBadRequest, "unauthorized_client"), true, nil},
		{"invalid_grant", tokenReply(http.StatusBadRequest, "invalid_grant"), true, nil},
		{"503", tokenReply(http.StatusServiceUnavailable, ""), false, apierr.ErrServer},
		{"500 with an OAuth error", tokenReply(http.StatusInternalServerError, "server_error"), false, apierr.ErrServer},
		{"429", tokenReply(http.StatusTooManyRequests, ""), false, apierr.ErrTooManyRequests},
		{"unreachable", nil, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakCheck(t)
			srv := newScriptedTokenServer(t, tc.answer)
			var c *apierr.Client
			if tc.answer == nil {
				var err error
				c, err = apierr.New(apierr.WithBaseURL(srv.URL+"/api"), apierr.WithRetryPolicy(policy),
					apierr.WithClientCredentials(&clientcredentials.Config{
						ClientID: "id", ClientSecret: "s", TokenURL: "http://" + dead() + "/token", AuthStyle: oauth2.AuthStyleInHeader,
					}))
				require.NoError(t, err)
				defer c.Close()
			} else {
				c = srv.client(t, policy)
			}
			err := authGet(t, c, "things", nil)
			require.Error(t, err)
			t.Logf("%s: %v (ErrReauthRequired %v)", tc.name, err, errors.Is(err, apierr.ErrReauthRequired))
			assert.ErrorIs(t, err, apierr.ErrUnauthorized, "every auth error")
			assert.Equal(t, tc.reauth, errors.Is(err, apierr.ErrReauthRequired))
			switch {
			case tc.reauth:
				assert.False(t, errors.Is(err, apierr.ErrServer) || errors.Is(err, apierr.ErrTooManyRequests))
			case tc.cause != nil:
				assert.ErrorIs(t, err, tc.cause)
			default:
				var op *net.OpError
				assert.ErrorAs(t, err, &op, "the network error")
			}
		})
	}
	t.Run("exos 300003", func(t *testing.T) {
		leakCheck(t)
		srv := apierrtest.NewExos()
		defer srv.Close()
		cr := srv.Credentials()
		c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos),
			apierr.WithExosSession(apierr.ExosSession{LoginURL: srv.LoginURL(), APIKey: cr.APIKey, UserName: cr.UserName, Password: "wrong"}))
		require.NoError(t, err)
		defer c.Close()
		err = authGet(t, c, "persons", nil)
		assert.ErrorIs(t, err, apierr.ErrReauthRequired)
		assert.ErrorIs(t, err, apierr.ErrUnauthorized)
		assert.ErrorIs(t, err, exos.UnknownUserOrWrongPassword)
	})
}
