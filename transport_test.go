package apierr

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/codes"
)

// countingServer is an httptest server that counts the connections it
// accepted.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	return srv, &conns
}

func TestPoolShield(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL+"/v1/"),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Hour, MaxWait: time.Hour, MaxRetryAfter: time.Hour}))
	require.NoError(t, err)
	defer c.Close()

	get := func(ctx context.Context, path string) error {
		req, err := c.NewRequest(ctx, "GET", path, nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		return err
	}
	require.NoError(t, get(context.Background(), "ok"))
	require.EqualValues(t, 1, conns.Load())

	// Cancelled during its wait, retryablehttp gives up and calls
	// CloseIdleConnections on the client's *http.Client.
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(d time.Duration) time.Duration { cancel(); return d }
	require.ErrorIs(t, get(ctx, "fail"), context.Canceled)
	c.hc.CloseIdleConnections() // what retryablehttp calls, directly

	require.NoError(t, get(context.Background(), "ok"))
	assert.EqualValues(t, 1, conns.Load(), "the pooled connection survived")

	// Control: the same call on the unshielded transport does close it, so
	// the count above would have shown it.
	(&http.Client{Transport: c.pool.rt}).CloseIdleConnections()
	require.NoError(t, get(context.Background(), "ok"))
	assert.EqualValues(t, 2, conns.Load(), "a closed pool dials again")

	// Close is the one way to close the pool.
	require.NoError(t, c.Close())
	require.NoError(t, get(context.Background(), "ok"))
	assert.EqualValues(t, 3, conns.Load())
	require.NoError(t, c.Close())
}

func TestRedirectContainment(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var mu sync.Mutex
	got := map[string]string{} // server/path -> Authorization
	record := func(who string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[who+r.URL.Path] = r.Header.Get("Authorization")
			mu.Unlock()
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/to-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	})
	mux.HandleFunc("/v1/to-self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/landing", http.StatusFound)
	})
	mux.HandleFunc("/v1/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/loop", http.StatusFound)
	})
	mux.HandleFunc("/v1/landing", record("base"))
	base := httptest.NewServer(mux)
	defer base.Close()

	// Control: net/http alone keeps Authorization on a redirect to another
	// port of the same host.
	req, err := http.NewRequest("GET", base.URL+"/v1/to-other", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer control")
	resp, err := base.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "Bearer control", got["other/landing"])

	var chained atomic.Int32
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { chained.Add(1); return nil }}
	c, err := New(WithBaseURL(base.URL+"/v1"), WithHTTPClient(hc))
	require.NoError(t, err)
	defer c.Close()
	c.auth = &recordingAuth{}
	for _, p := range []string{"to-other", "to-self"} {
		req, err := c.NewRequest(context.Background(), "GET", p, nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.NoError(t, err)
	}
	assert.Empty(t, got["other/landing"], "no token to another origin")
	assert.Equal(t, "Bearer t2", got["base/v1/landing"], "the token follows a redirect within the origin")
	assert.EqualValues(t, 2, chained.Load(), "the caller's CheckRedirect still runs")
	assert.Same(t, http.DefaultTransport, c.pool.rt, "the caller's nil transport means http.DefaultTransport")

	t.Run("10-redirect limit", func(t *testing.T) {
		c, err := New(WithBaseURL(base.URL + "/v1"))
		require.NoError(t, err)
		defer c.Close()
		req, err := c.NewRequest(context.Background(), "GET", "loop", nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.ErrorContains(t, err, "apierr: stopped after 10 redirects")
	})
}

func TestTimingOverLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case r.URL.Path == "/v1/slow" && n == 1:
			w.Header().Set("Retry-After-Ms", "150")
			w.WriteHeader(http.StatusTooManyRequests)
		case r.URL.Path == "/v1/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL+"/v1"),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Second, MaxWait: 10 * time.Second, MaxRetryAfter: time.Second}))
	require.NoError(t, err)
	defer c.Close()

	t.Run("Retry-After is waited out", func(t *testing.T) {
		req, err := c.NewRequest(context.Background(), "GET", "slow", nil)
		require.NoError(t, err)
		var v struct{ OK bool }
		start := time.Now()
		_, err = c.Do(req, &v)
		require.NoError(t, err)
		assert.True(t, v.OK)
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond)
		assert.Less(t, elapsed, 5*time.Second)
	})
	t.Run("cancellation ends a long wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		timer := time.AfterFunc(100*time.Millisecond, cancel)
		defer timer.Stop()
		req, err := c.NewRequest(ctx, "GET", "down", nil)
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Do(req, nil)
		assert.Less(t, time.Since(start), 5*time.Second, "the 10 s wait was cut short")
		require.ErrorIs(t, err, context.Canceled)
		var p *Problem[codes.Generic]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, http.StatusServiceUnavailable, p.Status)
		assert.Equal(t, 1, p.Attempts)
	})
}

// zeros is an endless body that costs no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestHugeErrorBodyStaysBounded(t *testing.T) {
	const size = 64 << 20
	var read atomic.Int64
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		body := &countingReader{r: io.LimitReader(zeros{}, size), n: &read}
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(body), ContentLength: size, Request: req}, nil
	})
	c, err := New(WithBaseURL(testBase), WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	req, err := c.NewRequest(context.Background(), "GET", "huge", nil)
	require.NoError(t, err)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = c.Do(req, nil)
	runtime.ReadMemStats(&after)

	var p *Problem[codes.Generic]
	require.ErrorAs(t, err, &p)
	assert.Len(t, p.Body, 1<<20, "the body kept is the 1 MiB limit")
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("64 MiB error body: %d bytes allocated, %d bytes read", allocated, read.Load())
	assert.Less(t, allocated, uint64(4<<20), "memory stays bounded")
	assert.Less(t, read.Load(), int64(2<<20), "the rest of the body is not read")
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
