package apierr_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// tinyPolicy retries quickly so that fault tests never wait for real.
var tinyPolicy = apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 10 * time.Second}

// leakCheck verifies, after every other cleanup of t, that no goroutine is left.
func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// faultServer answers its n-th request (from 1) with steps[n-1], repeating
// the last step.
type faultServer struct {
	*httptest.Server
	hits atomic.Int32
}

func newFaultServer(t *testing.T, steps ...http.HandlerFunc) *faultServer {
	t.Helper()
	fs := &faultServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(fs.hits.Add(1))
		steps[min(n, len(steps))-1](w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func newFaultClient(t *testing.T, base string, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	c, err := apierr.New(append([]apierr.Option{apierr.WithBaseURL(base), apierr.WithDecoder(decode.Tapkey),
		apierr.WithRetryPolicy(tinyPolicy)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func call(t *testing.T, ctx context.Context, c *apierr.Client, method string, header http.Header, v any) error {
	t.Helper()
	var body any
	if method == http.MethodPost {
		body = map[string]string{"name": "grant"}
	}
	req, err := c.NewRequest(ctx, method, "Owners/o1/Grants", body)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	_, err = c.Do(req, v)
	return err
}

// Server behaviours.

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// resetConn closes the connection with a TCP reset (linger 0), no byte sent.
func resetConn(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// cutBody announces declared bytes, sends part of them and resets the
// connection: a body that ends in the middle.
func cutBody(status, declared int, part string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(declared))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, part)
		_ = http.NewResponseController(w).Flush()
		resetConn(w, r)
	}
}

// stall blocks until the client goes away (or the test ends), after
// sending headers and head first when status is not 0.
func stall(status int, head string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Until the body is read, net/http does not watch the connection,
		// so it would not see the client leave.
		_, _ = io.Copy(io.Discard, r.Body)
		if status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, head)
			_ = http.NewResponseController(w).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second): // far above the bounds asserted below
		}
	}
}

const grantJSON = `{"id":"g1"}`

func TestFaultConnectionReset(t *testing.T) {
	leakCheck(t)
	key := http.Header{"Idempotency-Key": {"k-1"}}
	tests := []struct {
		name     string
		method   string
		header   http.Header
		steps    []http.HandlerFunc
		wantErr  bool
		wantHits int32
	}{
		{"before the response, GET is retried", http.MethodGet, nil, []http.HandlerFunc{resetConn, answer(200, grantJSON)}, false, 2},
		{"before the response, POST is not", http.MethodPost, nil, []http.HandlerFunc{resetConn, answer(201, grantJSON)}, true, 1},
		{"before the response, POST with a key is", http.MethodPost, key, []http.HandlerFunc{resetConn, answer(201, grantJSON)}, false, 2},
		{"every time, GET gives up after MaxAttempts", http.MethodGet, nil, []http.HandlerFunc{resetConn}, true, 4},
		{"mid error body, GET is retried", http.MethodGet, nil, []http.HandlerFunc{cutBody(503, 500, `{"ErrorCode":"Gen`), answer(200, grantJSON)}, false, 2},
		{"mid success body, the decode fails", http.MethodGet, nil, []http.HandlerFunc{cutBody(200, 100, `{"id":"g`)}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, tt.steps...)
			c := newFaultClient(t, srv.URL)
			var v map[string]any
			start := time.Now()
			err := call(t, context.Background(), c, tt.method, tt.header, &v)
			assert.Less(t, time.Since(start), 5*time.Second, "no hang")
			assert.Equal(t, tt.wantHits, srv.hits.Load(), "attempts reaching the server")
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, "g1", v["id"])
				return
			}
			require.Error(t, err)
			assert.True(t, isNetworkError(err), "a network error, got %T: %v", err, err)
		})
	}
}

// isNetworkError reports an error that says the connection failed.
func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func TestFaultTruncatedErrorBody(t *testing.T) {
	leakCheck(t)
	full := `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card","ErrorDetails":"","UserErrorMessage":""}`
	tests := []struct {
		name string
		step http.HandlerFunc
		sent string
	}{
		{"JSON cut, connection fine", answer(409, full[:60]), full[:60]},
		{"Content-Length longer than the body, reset", cutBody(409, len(full), full[:60]), full[:60]},
		{"empty body", answer(409, ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, tt.step)
			c := newFaultClient(t, srv.URL)
			err := call(t, context.Background(), c, http.MethodPut, nil, nil)
			var p *apierr.Problem[tapkey.Code]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, 409, p.Status)
			assert.Equal(t, tt.sent, string(p.Body), "what arrived is kept")
			assert.ErrorIs(t, err, apierr.ErrConflict)
			if tt.sent != "" {
				assert.Equal(t, tapkey.Duplicate, p.Code, "the code survives the cut")
			}
			assert.Equal(t, int32(1), srv.hits.Load(), "409 is not retried")
		})
	}
}

func TestFaultSlowServerAgainstDeadline(t *testing.T) {
	leakCheck(t)
	tests := []struct {
		name    string
		steps   []http.HandlerFunc
		earlier bool // an earlier attempt's typed error must stay reachable
	}{
		{"slow headers", []http.HandlerFunc{stall(0, "")}, false},
		{"slow success body", []http.HandlerFunc{stall(200, `{"id":`)}, false},
		{"slow headers after a retried 503", []http.HandlerFunc{answer(503, `{"ErrorMessage":"busy"}`), stall(0, "")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, tt.steps...)
			c := newFaultClient(t, srv.URL)
			timeout := 150 * time.Millisecond
			if tt.earlier {
				timeout = time.Second // the 503 and its retry must arrive first, even on a loaded machine
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			var v map[string]any
			start := time.Now()
			err := call(t, ctx, c, http.MethodGet, nil, &v)
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "%v", err)
			assert.Less(t, elapsed, 5*time.Second, "the deadline ends the call")
			if tt.earlier {
				var p *apierr.Problem[tapkey.Code]
				assert.ErrorAs(t, err, &p, "the 503 stays reachable")
			}
		})
	}
}

func TestFaultSlowErrorBodyKeepsTypedError(t *testing.T) {
	leakCheck(t)
	srv := newFaultServer(t, stall(500, `{"ErrorCode":"Generic","ErrorMessage":"par`))
	c := newFaultClient(t, srv.URL)
	// The headers and the head of the body must arrive before the deadline,
	// even on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := call(t, ctx, c, http.MethodGet, nil, nil)
	assert.Less(t, time.Since(start), 5*time.Second)
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, err, &p, "what arrived before the deadline is decoded")
	assert.Equal(t, 500, p.Status)
	assert.Equal(t, tapkey.Generic, p.Code)
}

// gibBody is the size of the streamed error body.
const gibBody = 1 << 30

// TestFaultGiBErrorBody streams a 1 GiB error body (from one 64 KiB buffer)
// and measures the heap: the client keeps 1 MiB, drains 64 KiB more and
// drops the connection, whatever the server offers.
func TestFaultGiBErrorBody(t *testing.T) {
	leakCheck(t)
	chunk := bytes.Repeat([]byte(`{"ErrorMessage":"no code, so 503 is transient"} `), 64<<10/50)
	for _, tt := range []struct {
		status   int
		attempts int
	}{{400, 1}, {503, tinyPolicy.MaxAttempts}} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			var written atomic.Int64
			srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(gibBody))
				w.WriteHeader(tt.status)
				for left := int64(gibBody); left > 0; {
					n, err := w.Write(chunk[:min(int64(len(chunk)), left)])
					written.Add(int64(n))
					left -= int64(n)
					if err != nil {
						return
					}
				}
			})
			c := newFaultClient(t, srv.URL)

			peak, alloc, err := measureHeap(func() error {
				return call(t, context.Background(), c, http.MethodGet, nil, nil)
			})
			var p *apierr.Problem[tapkey.Code]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, tt.attempts, p.Attempts)
			assert.Len(t, p.Body, 1<<20, "the default 1 MiB limit")
			t.Logf("1 GiB error body, %d attempt(s): TotalAlloc +%.1f MiB, HeapInuse peak +%.1f MiB, server wrote %.1f MiB",
				tt.attempts, mib(alloc), mib(peak), mib(uint64(written.Load())))
			assert.Less(t, alloc, uint64(tt.attempts)*8<<20, "bytes allocated stay bounded")
			assert.Less(t, peak, uint64(32<<20), "peak heap stays bounded")
			assert.Less(t, written.Load(), int64(gibBody), "the client stopped reading")
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// measureHeap runs f and returns the bytes allocated meanwhile and the
// highest HeapInuse above the start, sampled every millisecond.
func measureHeap(f func() error) (peak, alloc uint64, err error) {
	var before, m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var (
		mu   sync.Mutex
		high = before.HeapInuse
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var s runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&s)
				mu.Lock()
				high = max(high, s.HeapInuse)
				mu.Unlock()
			}
		}
	}()
	err = f()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&m)
	high = max(high, m.HeapInuse)
	if high > before.HeapInuse {
		peak = high - before.HeapInuse
	}
	return peak, m.TotalAlloc - before.TotalAlloc, err
}

// TestFaultTokenEndpoint: a token endpoint that is down, slow or answering
// garbage gives a typed *AuthError promptly, bounded token requests, and
// never reaches the API.
func TestFaultTokenEndpoint(t *testing.T) {
	leakCheck(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	tests := []struct {
		name   string
		step   http.HandlerFunc // nil: the endpoint is down
		tokens int32            // token requests over both calls
		check  func(t *testing.T, ae *apierr.AuthError)
	}{
		{"down", nil, 0, func(t *testing.T, ae *apierr.AuthError) {
			assert.True(t, isNetworkError(ae.Err), "%v", ae.Err)
		}},
		{"slow", stall(0, ""), 2, func(t *testing.T, ae *apierr.AuthError) {
			assert.ErrorIs(t, ae, context.DeadlineExceeded)
		}},
		{"HTML with 200", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>Sign in</body></html>")
		}, 2, nil},
		{"truncated JSON with 200", answer(200, `{"access_token":"at-tr`), 2, nil},
		{"JSON without a token", answer(200, `{"token_type":"Bearer"}`), 2, nil},
		{"503 every time", answer(503, `{"error":"temporarily_unavailable"}`), 2 * int32(tinyPolicy.MaxAttempts), func(t *testing.T, ae *apierr.AuthError) {
			assert.Equal(t, 503, ae.Status)
		}},
		{"500 asking for an hour", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3600")
			answer(500, `{"error":"server_error"}`)(w, nil)
		}, 1, func(t *testing.T, ae *apierr.AuthError) { // the second call fails fast
			assert.Equal(t, time.Hour, ae.RetryAfter)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFaultServer(t, answer(200, grantJSON))
			tokenURL := downURL
			var tokens *faultServer
			if tt.step != nil {
				tokens = newFaultServer(t, tt.step)
				tokenURL = tokens.URL
			}
			// AuthStyleInHeader: auto-detection would send each failed token
			// request twice (header, then form), doubling the counts.
			// Only the stalled endpoint needs the timeout to fire; the others
			// get room for their loopback retries on a loaded machine.
			timeout := 10 * time.Second
			if tt.name == "slow" {
				timeout = 300 * time.Millisecond
			}
			c := newFaultClient(t, api.URL, apierr.WithTokenTimeout(timeout),
				apierr.WithClientCredentials(&clientcredentials.Config{ClientID: "id", ClientSecret: "reliability-secret",
					TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}))
			for i := 0; i < 2; i++ { // the second call must not loop either
				start := time.Now()
				err := call(t, context.Background(), c, http.MethodGet, nil, nil)
				assert.Less(t, time.Since(start), 3*time.Second, "no hang")
				var ae *apierr.AuthError
				require.ErrorAs(t, err, &ae, "call %d: %v", i, err)
				assert.ErrorIs(t, err, apierr.ErrUnauthorized)
				assert.NotContains(t, err.Error(), "reliability-secret")
				if tt.check != nil && i == 0 {
					tt.check(t, ae)
				}
			}
			assert.Zero(t, api.hits.Load(), "no request without a token")
			if tokens != nil {
				assert.Equal(t, tt.tokens, tokens.hits.Load(), "token requests over two calls")
			}
		})
	}
}

// TestFaultDateSkewRetryAfter: an HTTP-date Retry-After is measured against
// the response's Date, so a server clock years off still gives the wait it
// meant. The client's clock is fixed; the waits are recorded, not slept.
func TestFaultDateSkewRetryAfter(t *testing.T) {
	leakCheck(t)
	clientNow := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	const asked = 7 * time.Second
	formats := map[string]string{"IMF-fixdate": http.TimeFormat, "RFC 850": time.RFC850, "asctime": time.ANSIC}
	for _, skew := range []time.Duration{0, -10 * 365 * 24 * time.Hour, 10 * 365 * 24 * time.Hour, -90 * time.Minute, 3 * time.Hour} {
		for fname, layout := range formats {
			t.Run(skew.String()+"/"+fname, func(t *testing.T) {
				serverNow := clientNow.Add(skew)
				srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header()["Date"] = []string{serverNow.Format(http.TimeFormat)}
					w.Header().Set("Retry-After", serverNow.Add(asked).Format(layout))
					answer(429, `{"ErrorMessage":"slow down"}`)(w, nil)
				}, answer(200, grantJSON))
				c := newFaultClient(t, srv.URL)
				apierr.SetClock(c, func() time.Time { return clientNow })
				var waits []time.Duration
				apierr.SetWaitRecorder(c, func(d time.Duration) { waits = append(waits, d) })
				require.NoError(t, call(t, context.Background(), c, http.MethodGet, nil, nil))
				assert.Equal(t, []time.Duration{asked}, waits)
			})
		}
	}
	t.Run("no Date: measured against the client's clock", func(t *testing.T) {
		srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Date"] = nil // net/http would add one
			w.Header().Set("Retry-After", clientNow.Add(asked).Format(http.TimeFormat))
			answer(429, `{}`)(w, nil)
		}, answer(200, grantJSON))
		c := newFaultClient(t, srv.URL)
		apierr.SetClock(c, func() time.Time { return clientNow })
		var waits []time.Duration
		apierr.SetWaitRecorder(c, func(d time.Duration) { waits = append(waits, d) })
		require.NoError(t, call(t, context.Background(), c, http.MethodGet, nil, nil))
		assert.Equal(t, []time.Duration{asked}, waits)
	})
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := io.WriteString(zw, s)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestFaultGzipErrorBody: a gzipped error body decodes whether the
// transport gunzipped it (it asked for gzip) or left it to the client (the
// caller set Accept-Encoding itself).
func TestFaultGzipErrorBody(t *testing.T) {
	leakCheck(t)
	body := `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`
	zipped := gzipped(t, body)
	for _, tt := range []struct {
		name     string
		header   http.Header
		encoding string
		send     []byte
	}{
		{"transport asks for gzip", nil, "gzip", zipped},
		{"caller asks for gzip", http.Header{"Accept-Encoding": {"gzip"}}, "gzip", zipped},
		{"caller asks, server labels plain JSON gzip", http.Header{"Accept-Encoding": {"gzip"}}, "gzip", []byte(body)},
		{"caller asks, server sends identity", http.Header{"Accept-Encoding": {"gzip"}}, "", []byte(body)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.WriteHeader(409)
				_, _ = w.Write(tt.send)
			})
			c := newFaultClient(t, srv.URL)
			err := call(t, context.Background(), c, http.MethodGet, tt.header, nil)
			var p *apierr.Problem[tapkey.Code]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, tapkey.Duplicate, p.Code)
			assert.Equal(t, "only one grant allowed per lock and user/card", p.Title)
			assert.Equal(t, body, string(p.Body))
		})
	}
}

// TestFaultGzipBomb: 1 GiB of zeros gzipped (1,024 gzip members of 1 MiB
// each, about 1 MiB on the wire) is cut at the body limit after gunzipping.
func TestFaultGzipBomb(t *testing.T) {
	leakCheck(t)
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestSpeed)
	require.NoError(t, err)
	_, err = zw.Write(make([]byte, 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(400)
		for i := 0; i < gibBody>>20; i++ {
			if _, err := w.Write(member.Bytes()); err != nil {
				return
			}
		}
	})
	c := newFaultClient(t, srv.URL)
	peak, alloc, err := measureHeap(func() error {
		return call(t, context.Background(), c, http.MethodGet, http.Header{"Accept-Encoding": {"gzip"}}, nil)
	})
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, err, &p)
	assert.Len(t, p.Body, 1<<20)
	t.Logf("gzip bomb (1 GiB gunzipped): TotalAlloc +%.1f MiB, HeapInuse peak +%.1f MiB", mib(alloc), mib(peak))
	assert.Less(t, peak, uint64(32<<20))
}
