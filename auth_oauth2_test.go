package apierr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessapi/apierr/codes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	authTestClientID = "client-1"
	authTestSecret   = "s3cr3t-client-secret-9f2c"
)

// authScripted is a canned token endpoint response, sent before the
// endpoint behaves normally again.
type authScripted struct {
	status int
	header http.Header
	body   string
}

// authTokenServer is an OAuth2 token endpoint: client credentials and
// one-time refresh tokens that rotate on every use.
type authTokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	grants    []string // grant_type of every request
	n         int
	validRT   map[string]bool
	issueRT   bool // also issue refresh tokens for client credentials
	expiresIn int
	script    []authScripted
	issued    []string // every token issued, for the leak checks
}

func newAuthTokenServer(t *testing.T) *authTokenServer {
	s := &authTokenServer{validRT: map[string]bool{}, expiresIn: 3600}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *authTokenServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = r.ParseForm()
	grant := r.PostForm.Get("grant_type")
	s.grants = append(s.grants, grant)
	if len(s.script) > 0 {
		sc := s.script[0]
		s.script = s.script[1:]
		for k, v := range sc.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(sc.status)
		_, _ = w.Write([]byte(sc.body))
		return
	}
	if id, secret, ok := r.BasicAuth(); !ok || id != authTestClientID || secret != authTestSecret {
		s.fail(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	switch grant {
	case "client_credentials":
		s.issue(w, s.issueRT)
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		if !s.validRT[rt] {
			s.fail(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		delete(s.validRT, rt) // one-time: rotation
		s.issue(w, true)
	default:
		s.fail(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

func (s *authTokenServer) issue(w http.ResponseWriter, withRT bool) {
	s.n++
	reply := map[string]any{"access_token": fmt.Sprintf("at-%d-%x", s.n, s.n*7919), "token_type": "bearer", "expires_in": s.expiresIn}
	s.issued = append(s.issued, reply["access_token"].(string))
	if withRT {
		rt := fmt.Sprintf("rt-%d-%x", s.n, s.n*104729)
		s.validRT[rt] = true
		s.issued = append(s.issued, rt)
		reply["refresh_token"] = rt
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reply)
}

func (s *authTokenServer) fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error":%q,"error_description":"refused"}`, code)
}

// addRT makes rt a valid refresh token, as if issued earlier.
func (s *authTokenServer) addRT(rt string) {
	s.mu.Lock()
	s.validRT[rt] = true
	s.issued = append(s.issued, rt)
	s.mu.Unlock()
}

func (s *authTokenServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.grants)
}

func (s *authTokenServer) grantLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.grants...)
}

func (s *authTokenServer) tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

func (s *authTokenServer) cc() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID: authTestClientID, ClientSecret: authTestSecret,
		TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader,
	}
}

func (s *authTokenServer) oauth() *oauth2.Config {
	return &oauth2.Config{
		ClientID: authTestClientID, ClientSecret: authTestSecret,
		Endpoint: oauth2.Endpoint{TokenURL: s.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
}

// authTestPolicy retries fast: tests do not wait for real backoff.
var authTestPolicy = RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// buildTestAuth builds the authenticator the way New does, for base.
func buildTestAuth(t *testing.T, base string, hc *http.Client, log *slog.Logger, opts ...Option) *tokenAuth {
	t.Helper()
	a, err := buildAuth(base, hc, log, opts...)
	require.NoError(t, err)
	require.NotNil(t, a)
	ta := a.(*tokenAuth)
	t.Cleanup(func() { _ = ta.close(context.Background()) })
	return ta
}

func buildAuth(base string, hc *http.Client, log *slog.Logger, opts ...Option) (authenticator, error) {
	var cfg config
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return cfg.auth.build(authEnv{base: u, hc: hc, log: log, policy: authTestPolicy, clock: &clock{}})
}

// authRequest is a request to the API at base, as the client would send it.
func authRequest(t *testing.T, base string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/things", nil)
	require.NoError(t, err)
	return req
}

// authProblem is the decoded 401 the client would pass to rejected.
func authProblem(header http.Header) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: header}
	return resp, NewProblem[authTestCode](resp, []byte(`{"code":2401}`))
}

// authTestCode stands in for an API's code type.
type authTestCode string

func (c authTestCode) Error() string    { return "test: " + string(c) }
func (c authTestCode) Info() codes.Info { return codes.Info{} }

func TestClientCredentialsTokenIsCached(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	var creds []string
	for i := 0; i < 10; i++ {
		req := authRequest(t, "https://api.example")
		cred, err := a.authorize(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, cred.value, req.Header.Get("Authorization"))
		creds = append(creds, cred.value)
	}
	assert.Equal(t, 1, srv.requests())
	assert.Equal(t, "Bearer "+srv.tokens()[0], creds[9])
}

func TestRefreshTokenRotatesOnEveryForcedRefresh(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.addRT("rt-initial-7d1e")
	var hooked []string
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil,
		WithRefreshToken(srv.oauth(), &oauth2.Token{AccessToken: "at-initial-55aa", RefreshToken: "rt-initial-7d1e", Expiry: time.Now().Add(time.Hour)}),
		WithTokenHook(func(tok *oauth2.Token) { hooked = append(hooked, tok.RefreshToken) }))
	ctx := context.Background()

	cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)
	assert.Equal(t, "Bearer at-initial-55aa", cred.value, "the token handed over is used first")

	for i := 1; i <= 3; i++ {
		resp, prob := authProblem(nil)
		require.NoError(t, a.rejected(ctx, cred, resp, prob), "forced refresh %d", i)
		next, err := a.authorize(ctx, authRequest(t, "https://api.example"))
		require.NoError(t, err)
		assert.NotEqual(t, cred.value, next.value)
		cred = next
	}
	assert.Equal(t, []string{"refresh_token", "refresh_token", "refresh_token"}, srv.grantLog())
	var issuedRT []string
	for _, tok := range srv.tokens() {
		if strings.HasPrefix(tok, "rt-") && tok != "rt-initial-7d1e" {
			issuedRT = append(issuedRT, tok)
		}
	}
	require.Len(t, issuedRT, 3)
	assert.Equal(t, issuedRT, hooked, "every rotated refresh token reaches the hook, in order")
}

func TestExpiredRefreshTokenNeedsReauthentication(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t) // knows no refresh token: every refresh is invalid_grant
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil,
		WithRefreshToken(srv.oauth(), &oauth2.Token{AccessToken: "at-old-1234", RefreshToken: "rt-expired-9999", Expiry: time.Now().Add(time.Hour)}))
	ctx := context.Background()
	cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)

	resp, prob := authProblem(nil)
	err = a.rejected(ctx, cred, resp, prob)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrReauthRequired)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorIs(t, err, prob, "the API's 401 stays in the chain")
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_grant", ae.Code)
	assert.Equal(t, http.StatusBadRequest, ae.Status)
	assert.Contains(t, err.Error(), "re-authentication needed")
	assert.Equal(t, 1, srv.requests())

	// The spent refresh token is never sent again; later requests fail at once.
	_, err = a.authorize(ctx, authRequest(t, "https://api.example"))
	assert.ErrorIs(t, err, ErrReauthRequired)
	assert.Equal(t, 1, srv.requests())
}

func TestRefusedRefreshTokenFallsBackOnClientCredentials(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.issueRT = true
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	ctx := context.Background()
	cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)

	srv.mu.Lock()
	clear(srv.validRT) // the server revokes every refresh token
	srv.mu.Unlock()
	resp, prob := authProblem(nil)
	require.NoError(t, a.rejected(ctx, cred, resp, prob))
	next, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)
	assert.NotEqual(t, cred, next)
	assert.Equal(t, []string{"client_credentials", "refresh_token", "client_credentials"}, srv.grantLog())
}

func TestTokenEndpointBackoff(t *testing.T) {
	unavailable := authScripted{status: http.StatusServiceUnavailable, body: `<html>down</html>`}
	tests := []struct {
		name      string
		script    []authScripted
		wantErr   bool
		wantReqs  int
		wantWaits []time.Duration // nil: backoff waits, not checked exactly
		check     func(t *testing.T, err error)
	}{
		{name: "503 twice, then a token", script: []authScripted{unavailable, unavailable}, wantReqs: 3},
		{name: "429 with Retry-After is honoured", wantReqs: 2, wantWaits: []time.Duration{time.Second},
			script: []authScripted{{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"1"}}, body: `{"error":"slow_down"}`}}},
		{name: "503 until the attempts run out", script: []authScripted{unavailable, unavailable, unavailable}, wantErr: true, wantReqs: 3,
			check: func(t *testing.T, err error) {
				var ae *AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, http.StatusServiceUnavailable, ae.Status)
				assert.NotContains(t, err.Error(), "down", "the body is not quoted")
			}},
		{name: "Retry-After above MaxRetryAfter: stop at once", wantErr: true, wantReqs: 1, wantWaits: []time.Duration{},
			script: []authScripted{{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"3600"}}}},
			check: func(t *testing.T, err error) {
				var ae *AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, time.Hour, ae.RetryAfter)
			}},
		{name: "400 invalid_client is not retried", wantErr: true, wantReqs: 1, wantWaits: []time.Duration{},
			script: []authScripted{{status: http.StatusBadRequest, body: `{"error":"invalid_client"}`}},
			check: func(t *testing.T, err error) {
				var ae *AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "invalid_client", ae.Code)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authNoLeaks(t)
			srv := newAuthTokenServer(t)
			srv.script = tt.script
			a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
			waits := []time.Duration{}
			var mu sync.Mutex
			a.cache.clock.sleep = func(d time.Duration) time.Duration {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				return 0
			}
			_, err := a.authorize(context.Background(), authRequest(t, "https://api.example"))
			if tt.wantErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrUnauthorized)
			} else {
				require.NoError(t, err)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			assert.Equal(t, tt.wantReqs, srv.requests())
			mu.Lock()
			defer mu.Unlock()
			if tt.wantWaits != nil {
				assert.Equal(t, tt.wantWaits, waits)
			} else {
				require.Len(t, waits, tt.wantReqs-1)
				for i, w := range waits {
					assert.GreaterOrEqual(t, w, authTestPolicy.MinWait, "wait %d", i)
					assert.LessOrEqual(t, w, authTestPolicy.MaxWait, "wait %d", i)
				}
			}
		})
	}
}

func TestTokenEndpointRetryAfterHoldsLaterCallers(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.script = []authScripted{{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"3600"}}}}
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	for i := 0; i < 5; i++ {
		_, err := a.authorize(context.Background(), authRequest(t, "https://api.example"))
		require.Error(t, err)
	}
	assert.Equal(t, 1, srv.requests(), "no request until the hour is over")
}

func TestTokenErrorTextHasNoSecret(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.script = []authScripted{{status: http.StatusUnauthorized,
		body: `{"error":"invalid_client","error_description":"client_secret ` + authTestSecret + ` is wrong","error_uri":"https://idp/e?s=` + authTestSecret + `"}`}}
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	_, err := a.authorize(context.Background(), authRequest(t, "https://api.example"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), authTestSecret)
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_client", ae.Code)
	assert.Equal(t, "client_secret REDACTED is wrong", ae.Description)
	assert.NotContains(t, ae.URI, authTestSecret)
	var re *oauth2.RetrieveError
	assert.False(t, errors.As(err, &re), "oauth2.RetrieveError quotes the body: it is not in the chain")
}

func TestTokenEndpointNetworkErrorIsRedacted(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	cfg := srv.cc()
	cfg.TokenURL = "http://127.0.0.1:1/token?client_secret=" + authTestSecret // nothing listens on port 1
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(cfg))
	a.cache.clock.sleep = func(time.Duration) time.Duration { return 0 }
	_, err := a.authorize(context.Background(), authRequest(t, "https://api.example"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), authTestSecret)
	var ue *url.Error
	assert.ErrorAs(t, err, &ue)
}

// authCountingSource counts Token calls and issues a new token each time.
type authCountingSource struct{ n atomic.Int32 }

func (s *authCountingSource) Token() (*oauth2.Token, error) {
	n := s.n.Add(1)
	return &oauth2.Token{AccessToken: "ts-token-" + strconv.Itoa(int(n)), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestTokenSourceIsCachedAndAskedAgainAfter401(t *testing.T) {
	authNoLeaks(t)
	ts := &authCountingSource{}
	a := buildTestAuth(t, "https://api.example", nil, nil, WithTokenSource(ts))
	ctx := context.Background()
	var cred *credential
	for i := 0; i < 5; i++ {
		var err error
		cred, err = a.authorize(ctx, authRequest(t, "https://api.example"))
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, ts.n.Load())
	assert.Equal(t, "Bearer ts-token-1", cred.value)

	resp, prob := authProblem(nil)
	require.NoError(t, a.rejected(ctx, cred, resp, prob))
	cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)
	assert.Equal(t, "Bearer ts-token-2", cred.value)
	assert.EqualValues(t, 2, ts.n.Load())
}

// authHangingSource blocks in Token until released.
type authHangingSource struct{ release chan struct{} }

func (s authHangingSource) Token() (*oauth2.Token, error) {
	<-s.release
	return nil, errors.New("released")
}

func TestTokenSourceThatHangsIsBoundedByTheTimeout(t *testing.T) {
	authNoLeaks(t)
	ts := authHangingSource{release: make(chan struct{})}
	defer close(ts.release) // lets the abandoned goroutine end before goleak looks
	a := buildTestAuth(t, "https://api.example", nil, nil, WithTokenSource(ts), WithTokenTimeout(20*time.Millisecond))
	_, err := a.authorize(context.Background(), authRequest(t, "https://api.example"))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrUnauthorized)
}

func TestThousandConcurrent401sCauseOneTokenRequest(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	ctx := context.Background()
	old, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)
	require.Equal(t, 1, srv.requests())

	const n = 1000
	var ready, wg sync.WaitGroup
	ready.Add(n)
	start := make(chan struct{})
	results := make([]*credential, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req := authRequest(t, "https://api.example")
			cred, err := a.authorize(ctx, req) // every one sent the old token ...
			if err == nil && cred != old {
				err = errors.New("did not start from the old token")
			}
			ready.Done()
			<-start
			resp, prob := authProblem(nil) // ... and got a 401 for it at once
			if err == nil {
				err = a.rejected(ctx, cred, resp, prob)
			}
			if err == nil {
				results[i], err = a.authorize(ctx, req)
			}
			errs[i] = err
		}(i)
	}
	ready.Wait()
	close(start)
	WaitGroupWithin(t, &wg, time.Minute, "1,000 callers after a 401")
	for i := 0; i < n; i++ {
		require.NoError(t, errs[i])
		require.NotEqual(t, old, results[i])
		require.Equal(t, results[0], results[i])
	}
	assert.Equal(t, 2, srv.requests(), "one token request for the first token, one for 1,000 401s")
}

func TestInsufficientScopeEndsWithoutRefresh(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	ctx := context.Background()
	cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)

	resp, prob := authProblem(http.Header{"Www-Authenticate": {
		`Bearer realm="tapkey", error="insufficient_scope", scope="write:grants", error_description="The token lacks a scope"`}})
	err = scopeRefusal(resp, prob, nil) // Do asks before rejected, which is never called
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInsufficientScope)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorIs(t, err, prob)
	assert.NotErrorIs(t, err, ErrReauthRequired)
	assert.Contains(t, err.Error(), `"write:grants"`)
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "write:grants", ae.Scope)
	assert.Equal(t, 1, srv.requests(), "no refresh")
	again, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.NoError(t, err)
	assert.Equal(t, cred, again, "the token is kept")
}

func TestRejectedWithoutOurTokenReturnsTheProblem(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	a := buildTestAuth(t, "https://api.example", srv.Client(), nil, WithClientCredentials(srv.cc()))
	resp, prob := authProblem(nil)
	err := a.rejected(context.Background(), nil, resp, prob)
	assert.Same(t, prob, err)
	assert.Equal(t, 0, srv.requests())
}

func TestAuthorizeOnlyForTheBaseOrigin(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	a := buildTestAuth(t, "https://api.example/v1", srv.Client(), nil, WithClientCredentials(srv.cc()))
	tests := []struct {
		url  string
		want bool
	}{
		{"https://api.example/v1/things", true},
		{"https://API.example:443/other", true},
		{"https://api.example:8443/v1/things", false},
		{"http://api.example/v1/things", false},
		{"https://evil.example/v1/things", false},
		{"https://api.example.evil/v1/things", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			cred, err := a.authorize(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.Header.Get("Authorization") != "")
			assert.Equal(t, tt.want, cred != nil)
		})
	}
}

func TestPlainHTTPNeedsOptIn(t *testing.T) {
	cc := &clientcredentials.Config{ClientID: "c", ClientSecret: "s", TokenURL: "https://idp.example/token"}
	tests := []struct {
		name    string
		base    string
		opts    []Option
		wantErr string
	}{
		{"https", "https://api.example", nil, ""},
		{"http loopback IPv4", "http://127.0.0.1:8080", nil, ""},
		{"http loopback IPv6", "http://[::1]:8080", nil, ""},
		{"http localhost", "http://localhost:8080", nil, ""},
		{"http remote", "http://api.example", nil, "plain http to api.example"},
		{"http remote, opted in", "http://api.example", []Option{WithPlainHTTPAuth()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := buildAuth(tt.base, nil, nil, append([]Option{WithClientCredentials(cc)}, tt.opts...)...)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NoError(t, a.close(context.Background()))
		})
	}
	t.Run("token URL over plain http", func(t *testing.T) {
		c := *cc
		c.TokenURL = "http://idp.example/token"
		_, err := buildAuth("https://api.example", nil, nil, WithClientCredentials(&c))
		assert.ErrorContains(t, err, "token URL")
	})
}

func TestAuthOptionsValidate(t *testing.T) {
	cc := &clientcredentials.Config{ClientID: "c", TokenURL: "https://idp.example/token"}
	oc := &oauth2.Config{ClientID: "c", Endpoint: oauth2.Endpoint{TokenURL: "https://idp.example/token"}}
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"nil client credentials", []Option{WithClientCredentials(nil)}, "WithClientCredentials: nil config"},
		{"no token URL", []Option{WithClientCredentials(&clientcredentials.Config{ClientID: "c"})}, "TokenURL is empty"},
		{"relative token URL", []Option{WithClientCredentials(&clientcredentials.Config{ClientID: "c", TokenURL: "/token"})}, "absolute"},
		{"nil oauth2 config", []Option{WithRefreshToken(nil, &oauth2.Token{RefreshToken: "r"})}, "WithRefreshToken: nil config"},
		{"nil token", []Option{WithRefreshToken(oc, nil)}, "nil token"},
		{"empty token", []Option{WithRefreshToken(oc, &oauth2.Token{})}, "neither"},
		{"nil token source", []Option{WithTokenSource(nil)}, "nil token source"},
		{"nil hook", []Option{WithTokenHook(nil)}, "nil func"},
		{"hard above soft", []Option{WithRefreshWindows(time.Second, time.Minute)}, "hard <= soft"},
		{"zero timeout", []Option{WithTokenTimeout(0)}, "positive"},
		{"two schemes", []Option{WithClientCredentials(cc), WithTokenSource(&authCountingSource{})}, "already configured (WithClientCredentials)"},
		{"exos without login URL", []Option{WithExosSession(ExosSession{UserName: "u", APIKey: "k"})}, "LoginURL is empty"},
		{"exos without user", []Option{WithExosSession(ExosSession{LoginURL: "/login", APIKey: "k"})}, "UserName is empty"},
		{"exos Basic without API key", []Option{WithExosSession(ExosSession{LoginURL: "/login", UserName: "u"})}, "APIKey is empty"},
		{"exos unknown scheme", []Option{WithExosSession(ExosSession{LoginURL: "/login", UserName: "u", Scheme: "Digest"})}, `not "Digest"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildAuth("https://api.example", nil, nil, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "apierr: "), err.Error())
		})
	}
	t.Run("no auth: no authenticator", func(t *testing.T) {
		a, err := buildAuth("https://api.example", nil, nil)
		require.NoError(t, err)
		assert.Nil(t, a)
	})
}

// TestNoTokenInLogsOrErrors drives every path that logs or fails, with a
// debug logger, and searches the output and every error text for every
// token and secret that was issued or configured.
func TestNoTokenInLogsOrErrors(t *testing.T) {
	authNoLeaks(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newAuthTokenServer(t)
	srv.issueRT = true
	srv.expiresIn = 1 // every token is inside its windows at once
	a := buildTestAuth(t, "https://api.example", srv.Client(), log, WithClientCredentials(srv.cc()))
	ctx := context.Background()
	var texts []string
	for i := 0; i < 3; i++ {
		cred, err := a.authorize(ctx, authRequest(t, "https://api.example"))
		require.NoError(t, err)
		resp, prob := authProblem(nil)
		if err := a.rejected(ctx, cred, resp, prob); err != nil {
			texts = append(texts, err.Error())
		}
	}
	srv.mu.Lock()
	var current string
	for rt := range srv.validRT {
		current = rt
	}
	clear(srv.validRT)
	srv.script = []authScripted{
		{status: http.StatusBadRequest, body: `{"error":"invalid_grant","error_description":"refresh token ` + current + ` expired"}`},
		{status: http.StatusUnauthorized, body: `{"error":"invalid_client","error_description":"secret ` + authTestSecret + `"}`},
	}
	srv.mu.Unlock()
	a.cache.invalidate(context.Background(), a.cache.credentialInUse().gen)
	_, err := a.authorize(ctx, authRequest(t, "https://api.example"))
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%v %+v", err, err))
	_, err = a.authorize(ctx, authRequest(t, "https://other.example"))
	require.NoError(t, err)

	out := logs.String() + strings.Join(texts, "\n")
	require.NotEmpty(t, logs.String(), "the debug logger saw the refreshes")
	secrets := append(srv.tokens(), authTestSecret)
	require.GreaterOrEqual(t, len(secrets), 7)
	for _, s := range secrets {
		assert.NotContains(t, out, s)
	}
}
