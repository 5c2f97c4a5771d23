package apierrtest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// wiredFake is one fake as an integrator's test wires it: ClientOptions, a
// relative path that answers 200, and a scripted failure with what its
// typed error must say.
type wiredFake struct {
	name     string
	start    func() wirable
	baseURL  string // BaseURL without the server's URL
	path     string // relative to BaseURL
	fail     func(wirable)
	wantCode string
	asTyped  func(error) (string, bool) // errors.As into the fake's Problem type: its code as text
	auths    func(wirable) int
}

// wirable is what every fake has, whatever its code type.
type wirable interface {
	URL() string
	BaseURL() string
	TokenURL() string
	Decoder() apierr.Decoder
	ClientOptions(extra ...apierr.Option) []apierr.Option
	Inject(n int, faults ...Fault)
	Requests() int
	TokenRequests() int
	Logins() int
	Close()
}

func asProblem[C apierr.Code](err error) (string, bool) {
	var p *apierr.Problem[C]
	if !errors.As(err, &p) {
		return "", false
	}
	return codeString(p.Code), true
}

var wiredFakes = []wiredFake{
	{
		name: "tapkey", start: func() wirable { return NewTapkey() },
		baseURL: "/api/v1", path: "Owners/o1/BoundLocks",
		fail:     func(w wirable) { w.(*Server[tapkey.Code]).Fail(tapkey.Duplicate, 1) },
		wantCode: "Duplicate", asTyped: asProblem[tapkey.Code],
		auths: func(w wirable) int { return w.TokenRequests() },
	},
	{
		name: "entrecode", start: func() wirable { return NewEntrecode() },
		baseURL: "/api", path: "dm1/person?_id=e1",
		fail:     func(w wirable) { w.(*Server[entrecode.Code]).Fail(entrecode.Code(2211), 1) },
		wantCode: "2211", asTyped: asProblem[entrecode.Code],
		auths: func(w wirable) int { return w.TokenRequests() },
	},
	{
		name: "usta", start: func() wirable { return NewUSTA() },
		baseURL: "/v1", path: "entities/1001",
		fail:     func(w wirable) { w.(*Server[usta.Code]).Fail(usta.Code(3001), 1) },
		wantCode: "3001", asTyped: asProblem[usta.Code],
		auths: func(w wirable) int { return w.TokenRequests() },
	},
	{
		name: "exos", start: func() wirable { return NewExos() },
		baseURL: "/ExosApi/api/v1.1", path: "persons/P-1",
		fail:     func(w wirable) { w.(*Server[exos.Code]).Fail(exos.PersonNotFound, 1) },
		wantCode: "400001", asTyped: asProblem[exos.Code],
		auths: func(w wirable) int { return w.Logins() },
	},
}

// get sends GET path with a client wired by ClientOptions plus extra.
func get(t *testing.T, c *apierr.Client, path string) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	return err
}

func TestClientOptionsWireEachFakeInOneLine(t *testing.T) {
	for _, f := range wiredFakes {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start()
			defer srv.Close()
			assert.Equal(t, srv.URL()+f.baseURL, srv.BaseURL())

			c, err := apierr.New(srv.ClientOptions()...)
			require.NoError(t, err)
			defer c.Close()

			require.NoError(t, get(t, c, f.path), "the relative path reaches the resource")
			assert.Equal(t, 1, f.auths(srv), "one token request or login")

			f.fail(srv)
			err = get(t, c, f.path)
			require.Error(t, err)
			code, ok := f.asTyped(err)
			assert.True(t, ok, "errors.As into the fake's Problem type: the decoder is wired (%v)", err)
			assert.Equal(t, f.wantCode, code)
			assert.Equal(t, 2, srv.Requests())
		})
	}
}

func TestClientOptionsAppendsExtraOptions(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	opts := srv.ClientOptions(apierr.WithAcceptLanguage("de"))
	require.Len(t, opts, 4)

	c, err := apierr.New(opts...)
	require.NoError(t, err)
	defer c.Close()
	srv.Fail(tapkey.Duplicate, 1)
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, get(t, c, "Owners/o1/BoundLocks"), &p)
	assert.Equal(t, "Diese Person hat bereits Zugang zu diesem Schloss.", p.UserMessage, "the extra option applies")

	_, err = apierr.New(srv.ClientOptions(apierr.WithTokenSource(srv.ClientCredentials().TokenSource(context.Background())))...)
	require.ErrorContains(t, err, "already configured", "a second auth option is refused, not silently preferred")
}

func TestAuthOptionAndExosSession(t *testing.T) {
	t.Run("the OAuth2 fakes have no exos session", func(t *testing.T) {
		srv := NewUSTA()
		defer srv.Close()
		assert.Equal(t, apierr.ExosSession{}, srv.ExosSession())
		assert.Equal(t, srv.URL()+"/oauth/token", srv.TokenURL())
	})
	t.Run("exos: the 4.3.3+ login, logout on Close", func(t *testing.T) {
		srv := NewExos(WithUser("ada", "pw"), WithAPIKey("k"))
		defer srv.Close()
		s := srv.ExosSession()
		assert.Equal(t, apierr.ExosSession{LoginURL: srv.URL() + "/ExosAuth/api/v1/login",
			LogoutURL: srv.URL() + "/ExosApi/api/v1.0/logins/logoutMyself",
			APIKey:    "k", UserName: "ada", Password: "pw"}, s)
		assert.Empty(t, srv.TokenURL())

		c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), srv.AuthOption("ignored-scope"))
		require.NoError(t, err)
		require.NoError(t, get(t, c, "accessRights"))
		require.NoError(t, c.Close())
		assert.Equal(t, 1, srv.Logins())
		assert.Equal(t, 1, srv.Logouts())
	})
	t.Run("scopes reach the token request", func(t *testing.T) {
		srv := NewTapkey()
		defer srv.Close()
		c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), srv.AuthOption("read:grants"))
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, get(t, c, "Owners/o1/Grants"))
		bodies := srv.Bodies("/connect/token")
		require.Len(t, bodies, 1)
		assert.Contains(t, string(bodies[0]), "scope=read%3Agrants")
	})
}

// TestTooManyRequestsThenOKIsFast is the integrator's "429, then 200" test:
// with FastRetryPolicy and a fault asking for milliseconds, no unexported
// seam is needed for it to take milliseconds. The bound is generous for a
// loaded machine; the median is logged.
func TestTooManyRequestsThenOKIsFast(t *testing.T) {
	for _, f := range wiredFakes {
		t.Run(f.name, func(t *testing.T) {
			srv := f.start()
			defer srv.Close()
			c, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(FastRetryPolicy()))...)
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, get(t, c, f.path), "warm up: token or login, connection")

			const runs = 15
			took := make([]time.Duration, 0, runs)
			for range runs {
				srv.Inject(1, TooManyRequests(time.Millisecond))
				before := srv.Requests()
				start := time.Now()
				require.NoError(t, get(t, c, f.path))
				took = append(took, time.Since(start))
				require.Equal(t, 2, srv.Requests()-before, "the 429 and the retry")
			}
			slices.Sort(took)
			t.Logf("429 then 200: median %v, max %v over %d runs", took[runs/2], took[runs-1], runs)
			assert.Less(t, took[runs/2], 500*time.Millisecond, "the median; budget 50 ms, generous for a loaded machine")
		})
	}
}

func TestFastRetryPolicy(t *testing.T) {
	p := FastRetryPolicy()
	d := apierr.DefaultRetryPolicy()
	assert.Equal(t, d.MaxAttempts, p.MaxAttempts, "attempts as by default")
	assert.Equal(t, time.Millisecond, p.MinWait)
	assert.Equal(t, 10*time.Millisecond, p.MaxWait)
	assert.Equal(t, 100*time.Millisecond, p.MaxRetryAfter)

	srv := NewTapkey()
	defer srv.Close()
	c, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(p))...)
	require.NoError(t, err)
	defer c.Close()

	t.Run("a wait above MaxRetryAfter ends the retries at once", func(t *testing.T) {
		srv.Inject(1, TooManyRequests(time.Second))
		start := time.Now()
		err := get(t, c, "Owners/o1/BoundLocks")
		elapsed := time.Since(start)
		var pr *apierr.Problem[tapkey.Code]
		require.ErrorAs(t, err, &pr)
		assert.Equal(t, 429, pr.Status)
		assert.Equal(t, time.Second, pr.RetryAfter)
		assert.Equal(t, 1, pr.Attempts)
		assert.Less(t, elapsed, 500*time.Millisecond, "no wait")
	})
	t.Run("a 429 without Retry-After backs off for milliseconds", func(t *testing.T) {
		srv.Inject(3, Status(429))
		before := srv.Requests()
		start := time.Now()
		require.NoError(t, get(t, c, "Owners/o1/BoundLocks"))
		assert.Less(t, time.Since(start), 500*time.Millisecond, "three waits of at most 10 ms")
		assert.Equal(t, 4, srv.Requests()-before, "the default 4 attempts")
	})
	t.Run("a concurrency error pauses within MaxWait", func(t *testing.T) {
		ex := NewExos()
		defer ex.Close()
		ec, err := apierr.New(ex.ClientOptions(apierr.WithRetryPolicy(p))...)
		require.NoError(t, err)
		defer ec.Close()
		ex.Fail(exos.ConcurrencyError, 3)
		start := time.Now()
		require.NoError(t, get(t, ec, "accessRights"))
		assert.Less(t, time.Since(start), 500*time.Millisecond)
		assert.Equal(t, 4, ex.Requests())
	})
}

func TestRetryAfterInMilliseconds(t *testing.T) {
	srv := NewUSTA()
	defer srv.Close()
	tok := srv.MintToken().AccessToken
	url := srv.URL() + "/v1/entities/1001"
	cases := []struct {
		wait        time.Duration
		after, afMs string
	}{
		{time.Millisecond, "1", "1"},
		{1500 * time.Millisecond, "2", "1500"},
		{1500 * time.Microsecond, "1", "2"},
		{2 * time.Second, "2", ""},
		{0, "0", ""},
	}
	for _, tc := range cases {
		t.Run(tc.wait.String(), func(t *testing.T) {
			srv.Inject(1, TooManyRequests(tc.wait))
			a := send(t, srv.Client(), http.MethodGet, url, "", bearer(tok)...)
			assert.Equal(t, 429, a.status)
			assert.Equal(t, tc.after, a.header.Get("Retry-After"))
			assert.Equal(t, tc.afMs, a.header.Get("Retry-After-Ms"))
		})
	}
	t.Run("responders send it too", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, "https://usta.example/v1/entities/1", nil)
		require.NoError(t, err)
		resp, err := USTAResponder(usta.Code(3001), TooManyRequests(20*time.Millisecond))(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "20", resp.Header.Get("Retry-After-Ms"))
	})
	t.Run("ClockSkew keeps the HTTP date alone", func(t *testing.T) {
		srv.Inject(1, TooManyRequests(1500*time.Millisecond), ClockSkew(time.Minute))
		a := send(t, srv.Client(), http.MethodGet, url, "", bearer(tok)...)
		assert.Equal(t, 429, a.status)
		_, err := http.ParseTime(a.header.Get("Retry-After"))
		require.NoError(t, err)
		assert.Empty(t, a.header.Get("Retry-After-Ms"))
	})
}
