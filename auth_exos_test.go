package apierr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accessapi/apierr/codes/exos"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	exosTestUser     = "KabaApi"
	exosTestPassword = "pa55-w0rd-exos-77"
	exosTestKey      = "MyApiKey-31f0"
	legacyLoginPath  = "/ExosApiLogin/api/v1.0/login"
	newLoginPath     = "/ExosAuth/api/v1/login"
	logoutPath       = "/ExosApi/api/v1.0/logins/logoutMyself"
)

// exosTestServer fakes the exos login, logout and one API resource.
type exosTestServer struct {
	*httptest.Server
	mu        sync.Mutex
	logins    int
	loginReqs []*http.Request
	loginBody []string
	logouts   []string // Authorization of each logout
	sessions  map[string]bool
	script    []authScripted // login responses to send first
}

func newExosTestServer(t *testing.T) *exosTestServer {
	s := &exosTestServer{sessions: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *exosTestServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case legacyLoginPath, newLoginPath:
		s.logins++
		body, _ := io.ReadAll(r.Body)
		s.loginReqs = append(s.loginReqs, r)
		s.loginBody = append(s.loginBody, string(body))
		if len(s.script) > 0 {
			sc := s.script[0]
			s.script = s.script[1:]
			for k, v := range sc.header {
				w.Header()[k] = v
			}
			w.WriteHeader(sc.status)
			_, _ = io.WriteString(w, sc.body)
			return
		}
		id := fmt.Sprintf("ident-%d-%x", s.logins, s.logins*65537)
		s.sessions[id] = true
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == legacyLoginPath {
			_, _ = fmt.Fprintf(w, `{"Value":{"Identifier":%q,"LoginId":"x"}}`, id)
		} else {
			_, _ = fmt.Fprintf(w, "%q", id)
		}
	case logoutPath:
		s.logouts = append(s.logouts, r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusNoContent)
	default:
		for id := range s.sessions {
			if r.Header.Get("Authorization") == exosBasic(id) {
				_, _ = io.WriteString(w, `{"value":[]}`)
				return
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"ErrorCode":300008,"Message":"Unknown API key or Identifier"}`)
	}
}

func exosBasic(id string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(exosTestKey+":"+id))
}

func (s *exosTestServer) loginCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

func (s *exosTestServer) session(legacy bool) ExosSession {
	path := newLoginPath
	if legacy {
		path = legacyLoginPath
	}
	return ExosSession{
		LoginURL: path, LogoutURL: logoutPath, APIKey: exosTestKey,
		UserName: exosTestUser, Password: exosTestPassword, TenantID: 1, Legacy: legacy,
	}
}

// exosProblem is the decoded exos 401 the client passes to rejected.
func exosProblem(code exos.Code) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}}
	p := NewProblem[exos.Code](resp, nil)
	p.Code = code
	return resp, p
}

func TestExosLoginGenerations(t *testing.T) {
	tests := []struct {
		name   string
		legacy bool
		scheme string
		check  func(t *testing.T, login *http.Request, body string)
		header func(id string) string
	}{
		{name: "legacy: Basic user:password, reply Value.Identifier", legacy: true,
			check: func(t *testing.T, login *http.Request, body string) {
				user, pass, ok := login.BasicAuth()
				require.True(t, ok)
				assert.Equal(t, exosTestUser, user)
				assert.Equal(t, exosTestPassword, pass)
				assert.Empty(t, body)
			},
			header: exosBasic},
		{name: "4.3.3+: JSON body, reply a JSON string",
			check: func(t *testing.T, login *http.Request, body string) {
				assert.Empty(t, login.Header.Get("Authorization"))
				assert.Equal(t, "application/json", login.Header.Get("Content-Type"))
				assert.JSONEq(t, `{"tenantId":1,"requestChannel":0,"userName":"KabaApi","password":"pa55-w0rd-exos-77"}`, body)
			},
			header: exosBasic},
		{name: "4.3.3+ with the Bearer scheme", scheme: "bearer",
			header: func(id string) string { return "Bearer " + id }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authNoLeaks(t)
			srv := newExosTestServer(t)
			s := srv.session(tt.legacy)
			s.Scheme = tt.scheme
			a := buildTestAuth(t, srv.URL+"/ExosApi/api/v1.0/", srv.Client(), nil, WithExosSession(s))
			req := authRequest(t, srv.URL)
			_, err := a.authorize(context.Background(), req)
			require.NoError(t, err)
			require.Equal(t, 1, srv.loginCount())
			srv.mu.Lock()
			login, body := srv.loginReqs[0], srv.loginBody[0]
			var id string
			for k := range srv.sessions {
				id = k
			}
			srv.mu.Unlock()
			assert.Equal(t, http.MethodPost, login.Method)
			if tt.check != nil {
				tt.check(t, login, body)
			}
			assert.Equal(t, tt.header(id), req.Header.Get("Authorization"))
			if tt.scheme == "" {
				resp, err := srv.Client().Do(req) // the API accepts it
				require.NoError(t, err)
				_ = resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		})
	}
}

func TestExosUnknownIdentifierLogsInAgain(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	a := buildTestAuth(t, srv.URL, srv.Client(), nil, WithExosSession(srv.session(true)))
	ctx := context.Background()
	first := authRequest(t, srv.URL)
	cred, err := a.authorize(ctx, first)
	require.NoError(t, err)
	resp, err := srv.Client().Do(first)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	cred.accept() // as the call records it: the session works

	srv.mu.Lock()
	clear(srv.sessions) // the session timed out on the server
	srv.mu.Unlock()
	req := authRequest(t, srv.URL)
	req.Header["Authorization"] = []string{cred.value}
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	prob := exosLoginProblem(resp, body) // what decode.Exos gives the client
	require.Equal(t, exos.UnknownAPIKeyOrIdentifier, prob.Code)

	require.NoError(t, a.rejected(ctx, cred, resp, prob), "300008: log in again and replay")
	replay := authRequest(t, srv.URL)
	_, err = a.authorize(ctx, replay)
	require.NoError(t, err)
	resp, err = srv.Client().Do(replay)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, srv.loginCount())
}

func TestExosOtherCodeIsNotFixedByLoggingIn(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	a := buildTestAuth(t, srv.URL, srv.Client(), nil, WithExosSession(srv.session(true)))
	cred, err := a.authorize(context.Background(), authRequest(t, srv.URL))
	require.NoError(t, err)
	resp, prob := exosProblem(exos.UserHasNoAuthorization)
	err = a.rejected(context.Background(), cred, resp, prob)
	assert.Same(t, prob, err)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, srv.loginCount())
}

func TestExosNoLoginStorm(t *testing.T) {
	tests := []struct {
		name      string
		refusal   authScripted
		code      exos.Code
		wantWait  time.Duration
		wantKind  error
		wantTitle string
	}{
		{name: "300007 too many sessions, no Retry-After: LockoutWait",
			refusal: authScripted{status: http.StatusForbidden, body: `{"ErrorCode":300007,"Message":"Maximum number of concurrent users reached"}`},
			code:    exos.MaximumConcurrentUsersReached, wantWait: time.Minute, wantKind: ErrLoginThrottled},
		{name: "300016 too many failed logins, Retry-After",
			refusal: authScripted{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"120"}},
				body: `{"errorCode":"300016","message":"Number of maximum failed logins allowed is reached"}`},
			code: exos.Code(300016), wantWait: 2 * time.Minute, wantKind: ErrLoginThrottled},
		{name: "300003 wrong password: no retry that would lock the account",
			refusal: authScripted{status: http.StatusUnauthorized, body: `{"error":{"code":"300003","message":"Unknown user or wrong password"}}`},
			code:    exos.UnknownUserOrWrongPassword, wantWait: time.Minute, wantKind: ErrReauthRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authNoLeaks(t)
			srv := newExosTestServer(t)
			srv.script = []authScripted{tt.refusal}
			a := buildTestAuth(t, srv.URL, srv.Client(), nil, WithExosSession(srv.session(false)))
			clk := newFakeClock()
			a.cache.now = clk.now

			const n = 100
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = a.authorize(context.Background(), authRequest(t, srv.URL))
				}(i)
			}
			WaitGroupWithin(t, &wg, time.Minute, "100 callers at a refused login")
			for _, err := range errs {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantKind)
				assert.ErrorIs(t, err, tt.code, "the exos code is in the chain")
				assert.ErrorIs(t, err, ErrUnauthorized)
			}
			var ae *AuthError
			require.ErrorAs(t, errs[0], &ae)
			assert.Equal(t, tt.wantWait, ae.RetryAfter)
			assert.Equal(t, tt.code.String(), ae.Code)
			assert.NotEmpty(t, ae.Description)
			assert.Equal(t, 1, srv.loginCount(), "one login for 100 callers")
			var p *Problem[exos.Code]
			require.ErrorAs(t, errs[0], &p, "the login's decoded error is in the chain")
			assert.Equal(t, 1, p.Attempts, "the login attempts made")

			clk.advance(tt.wantWait - time.Second)
			_, err := a.authorize(context.Background(), authRequest(t, srv.URL))
			require.Error(t, err)
			assert.Equal(t, 1, srv.loginCount(), "still failing fast")

			clk.advance(time.Second)
			_, err = a.authorize(context.Background(), authRequest(t, srv.URL))
			require.NoError(t, err, "the wait is over: log in again")
			assert.Equal(t, 2, srv.loginCount())
		})
	}
}

func TestExosLoginRetriesServerErrors(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	srv.script = []authScripted{{status: http.StatusServiceUnavailable, body: "<html>busy</html>"}}
	a := buildTestAuth(t, srv.URL, srv.Client(), nil, WithExosSession(srv.session(true)))
	_, err := a.authorize(context.Background(), authRequest(t, srv.URL))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.loginCount())
}

func TestExosLoginErrorHasNoPassword(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	srv.script = []authScripted{{status: http.StatusBadRequest,
		body: `{"ErrorCode":100014,"Message":"invalid data: password ` + exosTestPassword + `"}`}}
	a := buildTestAuth(t, srv.URL, srv.Client(), nil, WithExosSession(srv.session(false)))
	_, err := a.authorize(context.Background(), authRequest(t, srv.URL))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), exosTestPassword)
	assert.Contains(t, err.Error(), "100014")
	assert.ErrorIs(t, err, exos.Code(100014))
	var p *Problem[exos.Code]
	require.ErrorAs(t, err, &p)
	assert.NotContains(t, p.Error(), exosTestPassword, "the login's Problem, reached with errors.As")
	assert.Contains(t, string(p.Body), exosTestPassword, "Body stays raw")
}

func TestExosCloseLogsOut(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	a, err := buildAuth(srv.URL, srv.Client(), nil, WithExosSession(srv.session(true)))
	require.NoError(t, err)
	req := authRequest(t, srv.URL)
	_, err = a.authorize(context.Background(), req)
	require.NoError(t, err)

	require.NoError(t, a.close(context.Background()))
	require.NoError(t, a.close(context.Background()), "a second Close has nothing to log out")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Equal(t, []string{req.Header.Get("Authorization")}, srv.logouts)

	_, err = a.authorize(context.Background(), authRequest(t, srv.URL))
	assert.ErrorIs(t, err, ErrClosed, "no new session after Close")
	assert.NotErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, srv.logins)
}

func TestExosCloseWithoutSessionDoesNotLogOut(t *testing.T) {
	authNoLeaks(t)
	srv := newExosTestServer(t)
	a, err := buildAuth(srv.URL, srv.Client(), nil, WithExosSession(srv.session(true)))
	require.NoError(t, err)
	require.NoError(t, a.close(context.Background()))
	srv.mu.Lock()
	defer srv.mu.Unlock()
	assert.Empty(t, srv.logouts)
}

func TestExosLoginURLMustBeSafe(t *testing.T) {
	s := ExosSession{LoginURL: "http://exos.example" + legacyLoginPath, APIKey: "k", UserName: "u", Legacy: true}
	_, err := buildAuth("https://exos.example", nil, nil, WithExosSession(s))
	assert.ErrorContains(t, err, "plain http")
	s.LoginURL = "ftp://exos.example/login"
	_, err = buildAuth("https://exos.example", nil, nil, WithExosSession(s))
	assert.ErrorContains(t, err, "http or https")
}

func TestExosIdentifier(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"legacy", `{"Value":{"Identifier":"3f2a-77"}}`, "3f2a-77"},
		{"legacy, other casing", `{"value":{"identifier":"3f2a-77","LoginId":"x"}}`, "3f2a-77"},
		{"JSON string", `"3f2a-77"`, "3f2a-77"},
		{"bare text with newline", "3f2a-77\r\n", "3f2a-77"},
		{"BOM", "\xef\xbb\xbf\"3f2a-77\"", "3f2a-77"},
		{"token member", `{"token":"eyJ.a.b","expiresIn":3600}`, "eyJ.a.b"},
		{"access_token member", `{"access_token":"eyJ.a.b"}`, "eyJ.a.b"},
		{"Value as a string", `{"Value":"3f2a-77"}`, "3f2a-77"},
		{"identifier wins over id", `{"Id":"wrong","Identifier":"right"}`, "right"},
		{"empty", ``, ""},
		{"empty object", `{}`, ""},
		{"HTML", `<html><body>Login</body></html>`, ""},
		{"text with blanks", `Service Unavailable`, ""},
		{"number", `{"Identifier":12}`, ""},
		{"broken JSON", `{"Identifier":"x"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exosIdentifier([]byte(tt.body)))
		})
	}
}

func TestExosLoginProblem(t *testing.T) {
	tests := []struct {
		name, body string
		code       exos.Code
		title      string
	}{
		{"PascalCase number", `{"ErrorCode":300003,"Message":"Unknown user or wrong password"}`, 300003, "Unknown user or wrong password"},
		{"camelCase string", `{"errorCode":"300016","errorMessage":"locked"}`, 300016, "locked"},
		{"OData", `{"error":{"code":"300007","message":"Maximum number of concurrent users reached"}}`, 300007, "Maximum number of concurrent users reached"},
		// As decode.Exos reads them (the login path once had a decoder of its
		// own that disagreed on these four):
		{"Value is a success wrapper, not an error", `{"Value":{"ErrorCode":300008}}`, 0, ""},
		{"code out of exos's range kept as sent", `{"ErrorCode":"12345678"}`, 12345678, ""},
		{"plain text, whitespace collapsed", "Unknown user\nmore", 0, "Unknown user more"},
		{"HTML gives its text", "<html>502</html>", 0, "502"},
		{"empty", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}}
			p := exosLoginProblem(resp, []byte(tt.body))
			assert.Equal(t, tt.code, p.Code)
			assert.Equal(t, tt.title, p.Title)
			assert.Equal(t, http.StatusUnauthorized, p.Status)
			assert.Equal(t, tt.body, string(p.Body))
		})
	}
}

// exosFuzzSeeds are login replies and error bodies of both generations.
var exosFuzzSeeds = []string{
	`{"Value":{"Identifier":"3f2a-77"}}`, `"3f2a-77"`, "3f2a-77", `{"token":"a"}`,
	`{"ErrorCode":300007,"Message":"Maximum number of concurrent users reached"}`,
	`{"errorCode":"300016"}`, `{"error":{"code":"300003","message":"x"}}`,
	`{"Value":{"Value":{"Value":{"Identifier":"deep"}}}}`, "<html></html>", "", "\xef\xbb\xbf{}",
}

// FuzzExosLoginReply: any login reply yields an identifier that is safe to
// put in a header, or none; never a panic.
func FuzzExosLoginReply(f *testing.F) {
	for _, s := range exosFuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		id := exosIdentifier(body)
		if strings.ContainsAny(id, " \t\r\n\"<>{") {
			t.Fatalf("identifier %q from %q", id, body)
		}
	})
}

// FuzzExosLoginError: any error body decodes to a Problem with the status
// and the body kept, the same way every time.
func FuzzExosLoginError(f *testing.F) {
	for _, s := range exosFuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{}}
		p := exosLoginProblem(resp, body)
		if p.Status != http.StatusForbidden || string(p.Body) != string(body) {
			t.Fatalf("status %d, body %q", p.Status, p.Body)
		}
		if again := exosLoginProblem(resp, body); again.Code != p.Code || again.Title != p.Title {
			t.Fatalf("not deterministic: %v %q, then %v %q", p.Code, p.Title, again.Code, again.Title)
		}
		if _, err := json.Marshal(p.Title); err != nil {
			t.Fatal(err)
		}
		_ = p.Error()
	})
}
