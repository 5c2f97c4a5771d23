package apierr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/tapkey"
)

func TestNewValidates(t *testing.T) {
	base := WithBaseURL(testBase)
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"no base URL", nil, "apierr: New: WithBaseURL is required"},
		{"base URL does not parse", []Option{WithBaseURL("https://bad host/")}, "apierr: WithBaseURL: "},
		{"relative base URL", []Option{WithBaseURL("/api/v1")}, "apierr: WithBaseURL: scheme must be http or https"},
		{"ftp base URL", []Option{WithBaseURL("ftp://example.test/")}, "apierr: WithBaseURL: scheme must be http or https"},
		{"base URL without host", []Option{WithBaseURL("https:///v1")}, "apierr: WithBaseURL: no host"},
		{"base URL with query", []Option{WithBaseURL("https://example.test/v1?x=1")}, "apierr: WithBaseURL: a base URL has no query or fragment"},
		{"nil option", []Option{base, nil}, "apierr: New: nil option"},
		{"nil decoder", []Option{base, WithDecoder(nil)}, "apierr: WithDecoder: nil decoder"},
		{"nil HTTP client", []Option{base, WithHTTPClient(nil)}, "apierr: WithHTTPClient: nil client"},
		{"negative budget", []Option{base, WithRetryBudget(RetryBudget{Capacity: -1})}, "apierr: RetryBudget.Capacity must not be negative"},
		{"negative retry cost", []Option{base, WithRetryBudget(RetryBudget{Capacity: 10, RetryCost: -1})}, "apierr: RetryBudget.RetryCost must not be negative"},
		{"negative timeout cost", []Option{base, WithRetryBudget(RetryBudget{Capacity: 10, TimeoutCost: -1})}, "apierr: RetryBudget.TimeoutCost must not be negative"},
		{"negative refund", []Option{base, WithRetryBudget(RetryBudget{Capacity: 10, RetryCost: 1, TimeoutCost: 1, Refund: -1})}, "apierr: RetryBudget.Refund must not be negative"},
		{"zero body limit", []Option{base, WithErrorBodyLimit(0)}, "apierr: WithErrorBodyLimit: limit must be positive"},
		{"zero idle connections", []Option{base, WithMaxIdleConnsPerHost(0)}, "apierr: WithMaxIdleConnsPerHost: must be positive"},
		{"pool size with a caller's client", []Option{base, WithHTTPClient(&http.Client{}), WithMaxIdleConnsPerHost(8)}, "apierr: New: WithMaxIdleConnsPerHost cannot size"},
		{"empty User-Agent", []Option{base, WithUserAgent(" ")}, "apierr: WithUserAgent: empty value"},
		{"header injection in User-Agent", []Option{base, WithUserAgent("x\r\nX-Evil: 1")}, "apierr: WithUserAgent: control character"},
		{"empty Accept-Language", []Option{base, WithAcceptLanguage("")}, "apierr: WithAcceptLanguage: empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts...)
			require.ErrorContains(t, err, tt.want)
			assert.Nil(t, c)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(WithBaseURL("https://example.test/api/v1"))
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, "https://example.test/api/v1/", c.base.String(), "a trailing slash keeps the base path")
	assert.Equal(t, DefaultRetryPolicy(), c.policy)
	assert.Equal(t, RetryPolicy{MaxAttempts: 4, ConflictAttempts: 8, MinWait: 250 * time.Millisecond, MaxWait: 8 * time.Second, MaxRetryAfter: 30 * time.Second}, c.policy)
	assert.EqualValues(t, 500, budgetLeft(c))
	assert.EqualValues(t, 1<<20, c.bodyLimit)
	assert.Equal(t, []string{"apierr/" + Version}, c.userAgent)
	assert.Nil(t, c.log)
	assert.Nil(t, c.auth)
	assert.Nil(t, c.rc.Logger, "retryablehttp's logger is off")

	tr, ok := c.pool.rt.(*http.Transport)
	require.True(t, ok, "the client builds its own transport")
	assert.Equal(t, 100, tr.MaxIdleConnsPerHost)
	assert.GreaterOrEqual(t, int(tr.TLSClientConfig.MinVersion), 0x0303, "TLS 1.2 at least")
	assert.NotSame(t, http.DefaultTransport, tr)

	c2, err := New(WithBaseURL(testBase), WithMaxIdleConnsPerHost(7))
	require.NoError(t, err)
	assert.Equal(t, 7, c2.pool.rt.(*http.Transport).MaxIdleConnsPerHost)
}

func TestNewDoesNotModifyTheCallersClient(t *testing.T) {
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mt, Timeout: time.Minute}
	c, err := New(WithBaseURL(testBase), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Same(t, mt, hc.Transport)
	assert.Nil(t, hc.CheckRedirect)
	assert.NotSame(t, hc, c.hc)
	assert.Equal(t, time.Minute, c.hc.Timeout, "the copy keeps the caller's settings")
	assert.Same(t, mt, c.pool.rt)
}

func TestNewRequest(t *testing.T) {
	c, err := New(WithBaseURL("https://example.test/api/v1"), WithAcceptLanguage("de-AT"))
	require.NoError(t, err)
	tests := []struct {
		path, want string
	}{
		{"Owners", "https://example.test/api/v1/Owners"},
		{"/Owners", "https://example.test/Owners"}, // a path from the host's root, as in a browser
		{"/api/v2/Owners", "https://example.test/api/v2/Owners"},
		{"Owners/o1/Grants?$top=5", "https://example.test/api/v1/Owners/o1/Grants?$top=5"},
		{"", "https://example.test/api/v1/"},
		{"../v2/Owners", "https://example.test/api/v2/Owners"},
		{"https://other.test/x", "https://other.test/x"},
		{"//other.test/x", "https://other.test/x"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, err := c.NewRequest(context.Background(), "GET", tt.path, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.URL.String())
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			assert.Equal(t, "apierr/"+Version, req.Header.Get("User-Agent"))
			assert.Equal(t, "de-AT", req.Header.Get("Accept-Language"))
			assert.Empty(t, req.Header.Get("Content-Type"), "no body, no Content-Type")
			assert.Nil(t, req.Body)
		})
	}

	t.Run("the fast path resolves as url.ResolveReference does", func(t *testing.T) {
		for _, base := range []string{"https://example.test/api/v1/", "https://example.test/", "http://example.test:8080/a%2Fb/"} {
			c, err := New(WithBaseURL(base))
			require.NoError(t, err)
			for _, p := range []string{"Owners", "Owners/o1/Grants", "a b/ü", "a%2Fb/c", "x?q=a:b&r=./..", "x#frag", "",
				"a/./b", "a/../b", "..", ".", "a:b", "/abs/x", "/", "/a b", "x/", "x//y", "?only=query", "%7Euser", "//other.test/y", "a%2Fb%20c"} {
				req, err := c.NewRequest(context.Background(), "GET", p, nil)
				require.NoError(t, err, p)
				ref, err := url.Parse(p)
				require.NoError(t, err, p)
				assert.Equal(t, c.base.ResolveReference(ref).String(), req.URL.String(), "%s + %s", base, p)
			}
		}
	})
	t.Run("JSON body", func(t *testing.T) {
		req, err := c.NewRequest(context.Background(), "PUT", "Grants", struct {
			Lock string `json:"lock"`
		}{"l1"})
		require.NoError(t, err)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.EqualValues(t, len(`{"lock":"l1"}`), req.ContentLength)
		b, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		assert.Equal(t, `{"lock":"l1"}`, string(b))
		again, err := req.GetBody()
		require.NoError(t, err)
		b, err = io.ReadAll(again)
		require.NoError(t, err)
		assert.Equal(t, `{"lock":"l1"}`, string(b), "GetBody replays the same bytes")
	})
	t.Run("errors", func(t *testing.T) {
		_, err := c.NewRequest(context.Background(), "GET", "x", make(chan int))
		assert.ErrorContains(t, err, "apierr: NewRequest: encoding the body")
		_, err = c.NewRequest(context.Background(), "BAD METHOD", "x", nil)
		assert.ErrorContains(t, err, "apierr: NewRequest: ")
		_, err = c.NewRequest(context.Background(), "GET", "%zz?token=secret", nil)
		assert.ErrorContains(t, err, "apierr: NewRequest: ")
		var noCtx context.Context
		_, err = c.NewRequest(noCtx, "GET", "x", nil)
		assert.EqualError(t, err, "apierr: NewRequest: nil context")
	})
}

// closeRecorder records whether a response body was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestDoSuccess(t *testing.T) {
	type grant struct {
		ID   string `json:"id"`
		Lock int    `json:"lock"`
	}
	const payload = `{"id":"g1","lock":7}`
	respond := func(status int, body string) (*mockedClient, *closeRecorder) {
		rec := &closeRecorder{Reader: strings.NewReader(body)}
		m := newMockedClient(t, 0, []reply{{status: 200}})
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{}, Body: rec, Request: req}, nil
		})
		m.pool.rt = mt
		return m, rec
	}

	t.Run("JSON into v", func(t *testing.T) {
		m, rec := respond(200, payload)
		req, err := m.NewRequest(context.Background(), "GET", "grants/g1", nil)
		require.NoError(t, err)
		var g grant
		resp, err := m.Do(req, &g)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, grant{"g1", 7}, g)
		assert.True(t, rec.closed)
	})
	t.Run("io.Writer gets a copy", func(t *testing.T) {
		m, rec := respond(200, payload)
		req, err := m.NewRequest(context.Background(), "GET", "grants/g1", nil)
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = m.Do(req, &buf)
		require.NoError(t, err)
		assert.Equal(t, payload, buf.String())
		assert.True(t, rec.closed)
	})
	t.Run("nil v drains", func(t *testing.T) {
		m, rec := respond(200, payload)
		req, err := m.NewRequest(context.Background(), "GET", "grants/g1", nil)
		require.NoError(t, err)
		_, err = m.Do(req, nil)
		require.NoError(t, err)
		assert.True(t, rec.closed)
		n, _ := rec.Reader.Read(make([]byte, 1))
		assert.Zero(t, n, "drained")
	})
	t.Run("204 leaves v alone", func(t *testing.T) {
		m, rec := respond(204, "")
		req, err := m.NewRequest(context.Background(), "DELETE", "grants/g1", nil)
		require.NoError(t, err)
		g := grant{ID: "kept"}
		resp, err := m.Do(req, &g)
		require.NoError(t, err)
		assert.Equal(t, 204, resp.StatusCode)
		assert.Equal(t, grant{ID: "kept"}, g)
		assert.True(t, rec.closed)
	})
	t.Run("bad JSON is an error", func(t *testing.T) {
		m, rec := respond(200, `{"id":`)
		req, err := m.NewRequest(context.Background(), "GET", "grants/g1", nil)
		require.NoError(t, err)
		var g grant
		_, err = m.Do(req, &g)
		assert.EqualError(t, err, "apierr: 200 OK from GET "+testBase+"grants/g1 (no Content-Type): decoding the body: unexpected EOF")
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.True(t, rec.closed)
	})
	t.Run("error status: typed error, body read and closed", func(t *testing.T) {
		m, rec := respond(409, "race")
		m.policy.MaxAttempts, m.policy.ConflictAttempts = 1, 1
		req, err := m.NewRequest(context.Background(), "PUT", "grants/g1?access_token=s3cr3t&x=1", map[string]int{"a": 1})
		require.NoError(t, err)
		var g grant
		resp, err := m.Do(req, &g)
		require.ErrorIs(t, err, ErrConflict)
		require.ErrorIs(t, err, retryCode("race"))
		var p *Problem[retryCode]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, 409, p.Status)
		assert.Equal(t, 1, p.Attempts)
		assert.Equal(t, "PUT", p.Method)
		assert.Equal(t, testBase+"grants/g1?access_token=REDACTED&x=1", p.URL)
		assert.Equal(t, []byte("race"), p.Body)
		assert.NotContains(t, err.Error(), "s3cr3t")
		assert.True(t, rec.closed)
		require.NotNil(t, resp, "the response comes back with the error")
		assert.Equal(t, 409, resp.StatusCode)
		assert.Zero(t, g)
	})
}

// TestDoDefaultDecoderIsAuto: without WithDecoder the client decodes as
// decode.Auto does (the same code, decode_body.go): the vendor's code type,
// its retry class, and the generic Problem for a body of no known vendor.
func TestDoDefaultDecoderIsAuto(t *testing.T) {
	do := func(t *testing.T, replies ...*http.Response) (int, error) {
		t.Helper()
		mt := httpmock.NewMockTransport()
		n := 0
		mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			r := replies[min(n, len(replies)-1)]
			n++
			return r, nil
		})
		c, err := New(WithBaseURL(testBase), WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		c.sleep = func(time.Duration) time.Duration { return 0 }
		t.Cleanup(func() { _ = c.Close() })
		req, err := c.NewRequest(context.Background(), "POST", "x", map[string]int{"n": 1})
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		return n, err
	}
	t.Run("tapkey body: tapkey code", func(t *testing.T) {
		n, err := do(t, httpmock.NewStringResponse(409, `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant"}`))
		var p *Problem[tapkey.Code]
		require.ErrorAs(t, err, &p)
		assert.ErrorIs(t, err, tapkey.Duplicate)
		assert.Equal(t, "only one grant", p.Title)
		assert.Equal(t, 1, n)
	})
	t.Run("exos 400241: retried by its class", func(t *testing.T) {
		n, err := do(t, httpmock.NewStringResponse(400, `{"ErrorCode":400241,"Message":"Data changed meanwhile"}`), httpmock.NewStringResponse(204, ""))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})
	t.Run("no known vendor: generic problem", func(t *testing.T) {
		_, err := do(t, httpmock.NewStringResponse(409, `{"title":"Conflict","code":"E1"}`))
		var p *Problem[codes.Generic]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, 409, p.Status)
		assert.Equal(t, codes.Generic("E1"), p.Code)
		assert.Equal(t, "Conflict", p.Title)
	})
}

func TestDoNonProblemDecoderClassifiesByStatus(t *testing.T) {
	plain := errors.New("plain decoder error")
	m := newMockedClient(t, 0, []reply{{status: 503}, {status: 200}},
		WithDecoder(DecoderFunc(func(*http.Response, []byte) error { return plain })))
	_, err := m.do(t, context.Background(), "GET", "x", nil, nil)
	require.NoError(t, err)
	assert.Len(t, m.script.attempts(), 2)

	m = newMockedClient(t, 0, []reply{{status: 400}},
		WithDecoder(DecoderFunc(func(*http.Response, []byte) error { return plain })))
	_, err = m.do(t, context.Background(), "GET", "x", nil, nil)
	assert.Equal(t, plain, err)
}

func TestDoHeaders(t *testing.T) {
	m := newMockedClient(t, 0, []reply{{status: 200}}, WithUserAgent("acme/2"), WithAcceptLanguage("de"))
	req, err := http.NewRequest("GET", testBase+"x", nil)
	require.NoError(t, err)
	_, err = m.Do(req, nil)
	require.NoError(t, err)
	seen := m.script.attempts()
	require.Len(t, seen, 1)
	assert.Equal(t, "acme/2", seen[0].header.Get("User-Agent"), "added when missing")
	assert.Equal(t, "de", seen[0].header.Get("Accept-Language"))

	req, err = http.NewRequest("GET", testBase+"x", nil)
	require.NoError(t, err)
	req.Header.Set("User-Agent", "mine")
	_, err = m.Do(req, nil)
	require.NoError(t, err)
	assert.Equal(t, "mine", m.script.attempts()[1].header.Get("User-Agent"), "kept when set")

	_, err = m.Do(nil, nil)
	assert.EqualError(t, err, "apierr: Do: nil request or URL")
}

func TestLoggingRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := newMockedClient(t, 0, []reply{{status: 503}, {status: 200}}, WithLogger(log))
	m.auth = &recordingAuth{}
	_, err := m.do(t, context.Background(), "GET", "x?access_token=s3cr3t&page=2", nil, nil)
	require.NoError(t, err)

	out := buf.String()
	assert.NotContains(t, out, "s3cr3t")
	assert.NotContains(t, out, "Bearer")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		lines = append(lines, rec)
	}
	require.Len(t, lines, 3)
	assert.Equal(t, "apierr: attempt", lines[0]["msg"])
	assert.EqualValues(t, 503, lines[0]["http.response.status_code"])
	assert.Equal(t, testBase+"x?access_token=REDACTED&page=2", lines[0]["url.full"])
	assert.Equal(t, "apierr: retrying", lines[1]["msg"])
	assert.Equal(t, "transient", lines[1]["apierr.retry.class"])
	assert.Equal(t, "backoff", lines[1]["apierr.wait.reason"])
	assert.EqualValues(t, 100*time.Millisecond, lines[1]["apierr.wait.duration"])
	assert.Equal(t, "apierr: attempt", lines[2]["msg"])
	assert.EqualValues(t, 2, lines[2]["apierr.attempt"])

	t.Run("nothing below Debug", func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		m := newMockedClient(t, 0, []reply{{status: 503}, {status: 200}}, WithLogger(log))
		_, err := m.do(t, context.Background(), "GET", "x", nil, nil)
		require.NoError(t, err)
		assert.Empty(t, buf.String())
	})
}

func TestCloseClosesAuthOnce(t *testing.T) {
	m := newMockedClient(t, 0, []reply{{status: 200}})
	a := &recordingAuth{}
	m.auth = a
	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	assert.Equal(t, 1, a.closed)
}

func TestSameOrigin(t *testing.T) {
	base, _ := url.Parse("https://api.example.test/v1/")
	tests := []struct {
		u    string
		want bool
	}{
		{"https://api.example.test/other", true},
		{"https://API.example.test:443/x", true},
		{"https://api.example.test:8443/x", false},
		{"http://api.example.test/x", false},
		{"https://evil.test/x", false},
		{"https://api.example.test.evil.test/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.u, func(t *testing.T) {
			u, err := url.Parse(tt.u)
			require.NoError(t, err)
			assert.Equal(t, tt.want, sameOrigin(u, base))
		})
	}
}
