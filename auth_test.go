package apierr

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestClientThousandConcurrent401s runs the Tapkey 401 guidance through
// Client.Do, in memory: 1,000 POSTs all sent with a token the server has
// revoked get their 401 together; one token request follows, and each POST
// is replayed once with a byte-identical body.
func TestClientThousandConcurrent401s(t *testing.T) {
	authNoLeaks(t)
	const n = 1000
	mt := httpmock.NewMockTransport()
	var tokenRequests atomic.Int32
	mt.RegisterResponder(http.MethodPost, "https://idp.example/token", func(*http.Request) (*http.Response, error) {
		k := tokenRequests.Add(1)
		return httpmock.NewStringResponse(200, fmt.Sprintf(`{"access_token":"at-%d-c0ffee","token_type":"Bearer","expires_in":3600}`, k)), nil
	})
	var (
		revoked  atomic.Bool
		arrived  atomic.Int32
		release  = make(chan struct{})
		mu       sync.Mutex
		bodies   = map[string][]string{} // the body of each attempt, by request id
		replayed atomic.Int32
	)
	mt.RegisterResponder(http.MethodPost, "https://api.example/v1/grants", func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("X-Test-Id")
		mu.Lock()
		bodies[id] = append(bodies[id], string(body))
		mu.Unlock()
		switch auth := r.Header.Get("Authorization"); {
		case auth == "Bearer at-1-c0ffee" && revoked.Load():
			if arrived.Add(1) == n {
				close(release) // every request has been sent with the old token
			}
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			resp := httpmock.NewStringResponse(401, `{"ErrorCode":"Unauthorized"}`)
			resp.Header.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			return resp, nil
		case auth == "Bearer at-2-c0ffee":
			replayed.Add(1)
			fallthrough
		case auth == "Bearer at-1-c0ffee":
			return httpmock.NewStringResponse(200, `{"ok":true}`), nil
		}
		return httpmock.NewStringResponse(401, `{}`), nil
	})
	c, err := New(WithBaseURL("https://api.example/v1"), WithHTTPClient(&http.Client{Transport: mt}),
		WithClientCredentials(&clientcredentials.Config{ClientID: "c", ClientSecret: "s", TokenURL: "https://idp.example/token", AuthStyle: oauth2.AuthStyleInHeader}))
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	post := func(id string) error {
		req, err := c.NewRequest(ctx, http.MethodPost, "grants", map[string]string{"lock": "L-" + id, "user": "U-" + id})
		if err != nil {
			return err
		}
		req.Header.Set("X-Test-Id", id)
		_, err = c.Do(req, nil)
		return err
	}
	require.NoError(t, post("warm-up"))
	require.EqualValues(t, 1, tokenRequests.Load())

	revoked.Store(true)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = post(fmt.Sprint(i))
		}(i)
	}
	WaitGroupWithin(t, &wg, time.Minute, "1,000 POSTs meeting a revoked token")
	for i, err := range errs {
		require.NoError(t, err, "request %d", i)
	}
	assert.EqualValues(t, n, arrived.Load(), "every request got its 401")
	assert.EqualValues(t, 2, tokenRequests.Load(), "one token request for 1,000 401s")
	assert.EqualValues(t, n, replayed.Load())
	mu.Lock()
	defer mu.Unlock()
	for i := 0; i < n; i++ {
		b := bodies[fmt.Sprint(i)]
		require.Len(t, b, 2, "request %d: one attempt and one replay", i)
		require.Equal(t, b[0], b[1], "request %d: the replay's body is byte-identical", i)
		require.Contains(t, b[0], fmt.Sprintf(`"L-%d"`, i))
	}
}

// TestClientSecond401IsTypedError: a replay that gets 401 again ends the
// request with the API's typed error; no loop, one refresh.
func TestClientSecond401IsTypedError(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	var attempts atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer api.Close()
	c, err := New(WithBaseURL(api.URL), WithClientCredentials(srv.cc()))
	require.NoError(t, err)
	defer c.Close()
	req, err := c.NewRequest(context.Background(), http.MethodGet, "things", nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.EqualValues(t, 2, attempts.Load(), "the request and its one replay")
	assert.Equal(t, 2, srv.requests(), "the first token and one refresh")
}

// TestClientRedirectToAnotherOriginGetsNoToken checks each hop: the same
// origin keeps the token, another port or host does not get it.
func TestClientRedirectToAnotherOriginGetsNoToken(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	var mu sync.Mutex
	seen := map[string]string{} // path -> Authorization
	record := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Host+r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(record)) // same host, another port
	defer other.Close()
	var api *httptest.Server
	api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(w, r)
		switch r.URL.Path {
		case "/v1/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
		case "/v1/home":
			http.Redirect(w, r, api.URL+"/v1/landing", http.StatusFound)
		case "/v1/bounce":
			http.Redirect(w, r, "http://localhost:"+portOf(api.URL)+"/v1/landing", http.StatusFound)
		}
	}))
	defer api.Close()
	c, err := New(WithBaseURL(api.URL+"/v1"), WithClientCredentials(srv.cc()))
	require.NoError(t, err)
	defer c.Close()
	for _, path := range []string{"away", "home", "bounce"} {
		req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	token := seen[hostOf(api.URL)+"/v1/away"]
	require.NotEmpty(t, token)
	assert.Empty(t, seen[hostOf(other.URL)+"/landing"], "another port of the same host")
	assert.Equal(t, token, seen[hostOf(api.URL)+"/v1/landing"], "the same origin keeps the token")
	assert.Empty(t, seen["localhost:"+portOf(api.URL)+"/v1/landing"], "another host name, same port")
}

// TestClientCloseEndsBackgroundRefresh: Close waits for a soft-window
// refresh, so no goroutine outlives the client.
func TestClientCloseEndsBackgroundRefresh(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.expiresIn = 2 // windows shrink to 1 s and 0.5 s: the first request after 1 s refreshes in the background
	c, err := New(WithBaseURL("https://api.example"), WithHTTPClient(srv.Client()), WithClientCredentials(srv.cc()))
	require.NoError(t, err)
	cache := c.auth.(*tokenAuth).cache
	clk := newFakeClock()
	cache.now = clk.now
	_, err = c.auth.authorize(context.Background(), authRequest(t, "https://api.example"))
	require.NoError(t, err)
	clk.advance(1100 * time.Millisecond)
	_, err = c.auth.authorize(context.Background(), authRequest(t, "https://api.example"))
	require.NoError(t, err)
	assert.True(t, cache.refreshing.Load() || srv.requests() == 2, "a background refresh started")
	require.NoError(t, c.Close())
	assert.False(t, cache.refreshing.Load())
}

// TestClientLogsNoToken drives refreshes and failures through Client.Do
// with a debug logger and checks no issued token reaches the log or errors.
func TestClientLogsNoToken(t *testing.T) {
	authNoLeaks(t)
	srv := newAuthTokenServer(t)
	srv.issueRT = true
	var accepted atomic.Value
	accepted.Store("")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == accepted.Load().(string) {
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"ErrorCode":"Unauthorized"}`)
	}))
	defer api.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(WithBaseURL(api.URL), WithClientCredentials(srv.cc()), WithLogger(log))
	require.NoError(t, err)
	defer c.Close()
	var texts []string
	for i := 0; i < 3; i++ {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "things?access_token=x", nil)
		require.NoError(t, err)
		if _, err := c.Do(req, nil); err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
		}
		if cur := c.auth.(*tokenAuth).cache.credentialInUse(); cur != nil {
			accepted.Store(cur.value) // the next request's replay is accepted
		}
	}
	require.NotEmpty(t, texts)
	require.NotEmpty(t, logs.String())
	out := logs.String() + "\n" + fmt.Sprint(texts)
	for _, s := range append(srv.tokens(), authTestSecret) {
		assert.NotContains(t, out, s)
	}
}

// hostOf is the host:port of a test server's URL.
func hostOf(raw string) string {
	u, _ := url.Parse(raw)
	return u.Host
}

func portOf(raw string) string {
	u, _ := url.Parse(raw)
	return u.Port()
}
