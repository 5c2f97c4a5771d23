package apierrotel_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrotel"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// End-to-end: a real apierr.Client against the apierrtest fakes, observed
// by apierrotel on the SDK's in-memory span recorder and metric reader.

// fastRetries keeps the tests' waits to milliseconds.
var fastRetries = apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond,
	MaxRetryAfter: time.Second}

// recorder keeps the header of every request the client sends, the token
// and login requests included, so that a test can find the secrets that
// went over the wire and the trace context that was injected.
type recorder struct {
	rt      http.RoundTripper
	mu      sync.Mutex
	headers []http.Header
	paths   []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	r.paths = append(r.paths, req.URL.Path)
	r.mu.Unlock()
	return r.rt.RoundTrip(req)
}

// sent returns the headers of the requests sent to path, in order.
func (r *recorder) sent(path string) []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []http.Header
	for i, p := range r.paths {
		if p == path {
			out = append(out, r.headers[i])
		}
	}
	return out
}

// authorizations returns every Authorization value sent, and what a Basic
// one encodes (client id:secret, exos key:identifier, user:password).
func (r *recorder) authorizations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, h := range r.headers {
		for _, v := range h.Values("Authorization") {
			scheme, cred, _ := strings.Cut(v, " ")
			out = append(out, cred)
			if strings.EqualFold(scheme, "Basic") {
				if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
					a, b, _ := strings.Cut(string(raw), ":")
					out = append(out, a, b)
				}
			}
		}
	}
	return out
}

// e2e is a harness with a client on a fake server's transport.
type e2e struct {
	*harness
	wire *recorder
}

func newE2E(t *testing.T, transport http.RoundTripper, opts ...apierrotel.Option) *e2e {
	t.Helper()
	return &e2e{harness: newHarness(t, opts...), wire: &recorder{rt: transport}}
}

// client returns a client observed by the harness, closed at the end of the
// test.
func (e *e2e) client(t *testing.T, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	c, err := apierr.New(append([]apierr.Option{
		apierr.WithHTTPClient(&http.Client{Transport: e.wire}),
		apierr.WithRetryPolicy(fastRetries),
		apierr.WithObserver(e.obs),
	}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func do(t *testing.T, c *apierr.Client, method, path string, body any) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), method, path, body)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	return err
}

// spanSummary is what the tests compare: a span's name, kind, parent and
// attributes.
type spanSummary struct {
	Name   string
	Kind   trace.SpanKind
	Parent string // the parent's name; "" for a root
	Attrs  map[string]any
	Events []string
}

// summarize describes the ended spans, in the order they started.
func summarize(spans []sdktrace.ReadOnlySpan) []spanSummary {
	names := map[trace.SpanID]string{}
	for _, s := range spans {
		names[s.SpanContext().SpanID()] = s.Name()
	}
	sorted := append([]sdktrace.ReadOnlySpan(nil), spans...)
	for i := 1; i < len(sorted); i++ { // insertion sort by start time; the SDK's times are monotonic
		for j := i; j > 0 && sorted[j].StartTime().Before(sorted[j-1].StartTime()); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	out := make([]spanSummary, len(sorted))
	for i, s := range sorted {
		out[i] = spanSummary{Name: s.Name(), Kind: s.SpanKind(), Parent: names[s.Parent().SpanID()], Attrs: attrs(s.Attributes())}
		for _, e := range s.Events() {
			out[i].Events = append(out[i].Events, e.Name)
		}
	}
	return out
}

// attemptsOf returns the CLIENT spans.
func attemptsOf(sums []spanSummary) []spanSummary {
	var out []spanSummary
	for _, s := range sums {
		if s.Kind == trace.SpanKindClient {
			out = append(out, s)
		}
	}
	return out
}

func TestClientRetried503(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	e := newE2E(t, srv.Client().Transport)
	c := e.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()))

	srv.Inject(2, apierrtest.Status(503))
	require.NoError(t, do(t, c, "GET", "Owners/o1/BoundLocks", nil))

	spans := summarize(e.ended())
	require.Len(t, spans, 5, "%+v", spans)
	call, token := spans[0], spans[1]
	assert.Equal(t, "apierr GET", call.Name)
	assert.Equal(t, "", call.Parent)
	assert.Equal(t, int64(3), call.Attrs["apierr.attempts"])
	assert.Equal(t, []string{"apierr.wait", "apierr.wait"}, call.Events)
	assert.Equal(t, "apierr token", token.Name)
	assert.Equal(t, "apierr GET", token.Parent)
	assert.Equal(t, "first", token.Attrs["apierr.auth.reason"])
	assert.Equal(t, "ok", token.Attrs["apierr.auth.outcome"])

	url := srv.URL() + "/api/v1/Owners/o1/BoundLocks"
	attempts := attemptsOf(spans)
	require.Len(t, attempts, 3)
	for i, a := range attempts {
		assert.Equal(t, "GET", a.Name)
		assert.Equal(t, "apierr GET", a.Parent)
		assert.Equal(t, url, a.Attrs["url.full"])
		assert.Equal(t, "127.0.0.1", a.Attrs["server.address"])
		assert.NotZero(t, a.Attrs["server.port"])
		if i == 0 {
			assert.NotContains(t, a.Attrs, "http.request.resend_count")
		} else {
			assert.Equal(t, int64(i), a.Attrs["http.request.resend_count"])
		}
	}
	assert.Equal(t, int64(503), attempts[0].Attrs["http.response.status_code"])
	assert.Equal(t, "503", attempts[0].Attrs["error.type"])
	assert.Equal(t, true, attempts[0].Attrs["apierr.retry"])
	assert.Equal(t, "503", attempts[1].Attrs["error.type"])
	assert.Equal(t, int64(200), attempts[2].Attrs["http.response.status_code"])
	assert.NotContains(t, attempts[2].Attrs, "error.type")

	m := e.collect(t)
	byStatus := map[int64]uint64{}
	hist := m["http.client.request.duration"].Data.(metricdata.Histogram[float64])
	for _, dp := range hist.DataPoints {
		v, _ := dp.Attributes.Value("http.response.status_code")
		byStatus[v.AsInt64()] += dp.Count
	}
	assert.Equal(t, map[int64]uint64{503: 2, 200: 1}, byStatus)
	assert.Equal(t, int64(2), total(t, m["apierr.client.retries"]))
	assert.Equal(t, int64(1), total(t, m["apierr.client.token_requests"]))
	assert.Equal(t, uint64(2), counts(t, m["apierr.client.wait.duration"])["apierr.wait.reason=backoff"])
	e.noSecrets(t, srv.Credentials())
}

func TestClientTapkeyDuplicate(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	e := newE2E(t, srv.Client().Transport)
	c := e.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()))

	srv.Fail(tapkey.Duplicate, 1)
	err := do(t, c, "PUT", "Owners/o1/Grants", map[string]string{"boundLockId": "bl-1", "contactId": "c-1"})
	require.ErrorIs(t, err, tapkey.Duplicate)

	spans := summarize(e.ended())
	attempts := attemptsOf(spans)
	require.Len(t, attempts, 1, "Duplicate is not retried")
	a := attempts[0]
	assert.Equal(t, "PUT", a.Name)
	assert.Equal(t, "PUT", a.Attrs["http.request.method"])
	assert.Equal(t, int64(409), a.Attrs["http.response.status_code"])
	assert.Equal(t, "Duplicate", a.Attrs["error.type"])
	assert.NotContains(t, a.Attrs, "apierr.retry")
	assert.Equal(t, "apierr PUT", spans[0].Name)
	assert.Equal(t, "Duplicate", spans[0].Attrs["error.type"])

	var status codes.Code
	for _, s := range e.ended() {
		if s.SpanKind() == trace.SpanKindClient {
			status = s.Status().Code
		}
	}
	assert.Equal(t, codes.Error, status)
	assert.Equal(t, int64(0), total(t, e.collect(t)["apierr.client.retries"]))
	e.noSecrets(t, srv.Credentials())
}

// exosClient returns a client on the exos fake with a 4.3.3+ login session.
func exosClient(t *testing.T, e *e2e, srv *apierrtest.Server[exos.Code]) *apierr.Client {
	cred := srv.Credentials()
	return e.client(t, apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.1"), apierr.WithDecoder(decode.Exos),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(),
			APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
		}))
}

func TestClientExosConcurrencyThenOK(t *testing.T) {
	srv := apierrtest.NewExos()
	defer srv.Close()
	e := newE2E(t, srv.Client().Transport)
	c := exosClient(t, e, srv)

	srv.Fail(exos.ConcurrencyError, 1)
	require.NoError(t, do(t, c, "POST", "persons/P-1/assignAccessRight", map[string]string{"AccessRightId": "AR-1"}))
	require.NoError(t, c.Close())

	spans := summarize(e.ended())
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name
	}
	assert.Equal(t, []string{"apierr POST", "apierr login", "POST", "POST", "apierr logout"}, names)
	login := spans[1]
	assert.Equal(t, "apierr POST", login.Parent, "the login is part of the call that needed it")
	assert.Equal(t, srv.LoginURL(), login.Attrs["url.full"])
	assert.Equal(t, "ok", login.Attrs["apierr.auth.outcome"])
	assert.Equal(t, "login", login.Attrs["apierr.auth.op"])

	first, second := spans[2], spans[3]
	assert.Equal(t, "400241", first.Attrs["error.type"])
	assert.Equal(t, true, first.Attrs["apierr.retry"])
	assert.Equal(t, int64(1), second.Attrs["http.request.resend_count"])
	assert.Equal(t, int64(200), second.Attrs["http.response.status_code"])
	assert.Equal(t, []string{"apierr.wait"}, spans[0].Events)

	logout := spans[4]
	assert.Equal(t, "", logout.Parent, "Close is no call")
	assert.Equal(t, "close", logout.Attrs["apierr.auth.reason"])
	assert.Equal(t, "ok", logout.Attrs["apierr.auth.outcome"])

	m := e.collect(t)
	assert.Equal(t, int64(1), total(t, m["apierr.client.logins"]))
	assert.Equal(t, int64(1), total(t, m["apierr.client.logouts"]))
	assert.Equal(t, uint64(1), counts(t, m["apierr.client.wait.duration"])["apierr.wait.reason=concurrency"])
	e.noSecrets(t, srv.Credentials())
}

func TestClientReplayWithTokenRequest(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	e := newE2E(t, srv.Client().Transport)
	c := e.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()))
	require.NoError(t, do(t, c, "GET", "Owners/o1/BoundLocks", nil)) // a token cached
	e.spans.Reset()

	srv.RevokeAll()
	require.NoError(t, do(t, c, "GET", "Owners/o1/BoundLocks", nil))

	spans := summarize(e.ended())
	require.Len(t, spans, 4, "%+v", spans)
	call, first, token, replay := spans[0], spans[1], spans[2], spans[3]
	assert.Equal(t, "apierr GET", call.Name)
	assert.Equal(t, int64(2), call.Attrs["apierr.attempts"])
	assert.Equal(t, int64(401), first.Attrs["http.response.status_code"])
	assert.Equal(t, true, first.Attrs["apierr.retry"])
	assert.Equal(t, "apierr token", token.Name)
	assert.Equal(t, "apierr GET", token.Parent)
	assert.Equal(t, "rejected", token.Attrs["apierr.auth.reason"])
	assert.Equal(t, "GET", replay.Name)
	assert.Equal(t, true, replay.Attrs["apierr.replay"])
	assert.Equal(t, int64(1), replay.Attrs["http.request.resend_count"])
	assert.Equal(t, int64(200), replay.Attrs["http.response.status_code"])

	m := e.collect(t)
	assert.Equal(t, map[string]int64{
		"apierr.auth.outcome=ok,apierr.auth.reason=first":    1,
		"apierr.auth.outcome=ok,apierr.auth.reason=rejected": 1,
	}, sums(t, m["apierr.client.token_requests"]))
	assert.Equal(t, int64(1), total(t, m["apierr.client.retries"]))
	e.noSecrets(t, srv.Credentials())
}

func TestClientPropagation(t *testing.T) {
	for _, inject := range []bool{false, true} {
		name := "not asked"
		var opts []apierrotel.Option
		if inject {
			name = "asked"
			opts = append(opts, apierrotel.WithPropagator(propagation.TraceContext{}))
		}
		t.Run(name, func(t *testing.T) {
			srv := apierrtest.NewTapkey()
			defer srv.Close()
			e := newE2E(t, srv.Client().Transport, opts...)
			c := e.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
				apierr.WithClientCredentials(srv.ClientCredentials()))
			srv.Inject(1, apierrtest.Status(503))
			require.NoError(t, do(t, c, "GET", "Owners/o1/BoundLocks", nil))

			sent := e.wire.sent("/api/v1/Owners/o1/BoundLocks")
			require.Len(t, sent, 2)
			var ids []string
			for _, s := range e.ended() {
				if s.SpanKind() == trace.SpanKindClient {
					ids = append(ids, "00-"+s.SpanContext().TraceID().String()+"-"+s.SpanContext().SpanID().String()+"-01")
				}
			}
			for i, h := range sent {
				assert.True(t, strings.HasPrefix(h.Get("Authorization"), "Bearer "), "the token is still sent")
				if !inject {
					assert.Empty(t, h.Get("Traceparent"))
					continue
				}
				assert.Equal(t, ids[i], h.Get("Traceparent"), "attempt %d carries its own span", i+1)
			}
			for _, h := range e.wire.sent("/connect/token") {
				assert.Empty(t, h.Get("Traceparent"), "the token request is no attempt")
			}
		})
	}
}

// noSecrets checks that nothing that went over the wire as a credential,
// nor a credential the fake accepts, is in a span's attribute, an event's
// attribute, a status description or a metric's attribute.
func (e *e2e) noSecrets(t *testing.T, cred apierrtest.Credentials) {
	t.Helper()
	secrets := e.wire.authorizations()
	secrets = append(secrets, cred.ClientSecret, cred.Password, cred.APIKey)
	var found []string
	check := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			for _, s := range secrets {
				if len(s) >= 6 && strings.Contains(kv.Value.String(), s) {
					found = append(found, where+" "+string(kv.Key))
				}
			}
		}
	}
	for _, s := range e.ended() {
		check(s.Name(), s.Attributes())
		check(s.Name()+" status", []attribute.KeyValue{attribute.String("description", s.Status().Description)})
		for _, ev := range s.Events() {
			check(s.Name()+" "+ev.Name, ev.Attributes)
		}
	}
	for name, m := range e.collect(t) {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				check(name, dp.Attributes.ToSlice())
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				check(name, dp.Attributes.ToSlice())
			}
		}
	}
	require.NotEmpty(t, secrets)
	assert.Empty(t, found, "secrets in the telemetry")
}

// total is a counter's sum over all its attributes.
func total(t *testing.T, m metricdata.Metrics) int64 {
	t.Helper()
	if m.Data == nil {
		return 0
	}
	var n int64
	for _, v := range sums(t, m) {
		n += v
	}
	return n
}

// logCapture keeps each record's message, keys and the span in its context.
type logCapture struct {
	mu   sync.Mutex
	recs []logRecord
}

type logRecord struct {
	msg  string
	keys []string
	span trace.SpanContext
}

func (h *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logCapture) WithGroup(string) slog.Handler            { return h }

func (h *logCapture) Handle(ctx context.Context, r slog.Record) error {
	rec := logRecord{msg: r.Message, span: trace.SpanContextFromContext(ctx)}
	r.Attrs(func(a slog.Attr) bool {
		rec.keys = append(rec.keys, a.Key)
		return true
	})
	h.mu.Lock()
	h.recs = append(h.recs, rec)
	h.mu.Unlock()
	return nil
}

// TestClientLogsMatchSpans: the client's log lines use the request's
// context (an attempt's line has the attempt's span, a wait's the call's)
// and the spans' attribute names.
func TestClientLogsMatchSpans(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	logs := &logCapture{}
	e := newE2E(t, srv.Client().Transport)
	c := e.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()), apierr.WithLogger(slog.New(logs)))
	srv.Inject(1, apierrtest.Status(503))
	require.NoError(t, do(t, c, "GET", "Owners/o1/BoundLocks", nil))

	spanKeys := map[string]bool{}
	var call trace.SpanContext
	var attempts []trace.SpanContext
	for _, s := range e.ended() {
		for _, kv := range s.Attributes() {
			spanKeys[string(kv.Key)] = true
		}
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				spanKeys[string(kv.Key)] = true
			}
		}
		switch {
		case s.SpanKind() == trace.SpanKindClient:
			attempts = append(attempts, s.SpanContext())
		case s.Name() == "apierr GET":
			call = s.SpanContext()
		}
	}
	require.Len(t, attempts, 2)

	// What only a log line says: the error's text, the retry class, why the
	// client stopped, how long a token lasts.
	logOnly := map[string]bool{"error.message": true, "apierr.retry.class": true, "apierr.retry.stop": true,
		"apierr.token.valid_for": true}
	var attemptSpans []trace.SpanID
	for _, r := range logs.recs {
		for _, k := range r.keys {
			assert.True(t, spanKeys[k] || logOnly[k], "%q: key %s is in no span", r.msg, k)
		}
		assert.Equal(t, call.TraceID(), r.span.TraceID(), "%q is logged in the request's context", r.msg)
		switch r.msg {
		case "apierr: attempt":
			attemptSpans = append(attemptSpans, r.span.SpanID())
		case "apierr: retrying":
			assert.Equal(t, call.SpanID(), r.span.SpanID(), "a wait is the call's")
		}
	}
	assert.Equal(t, []trace.SpanID{attempts[0].SpanID(), attempts[1].SpanID()}, attemptSpans,
		"each attempt's line carries the attempt's span")
}

func TestClientExosLockout(t *testing.T) {
	srv := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer srv.Close()
	e := newE2E(t, srv.Client().Transport)
	first := exosClient(t, e, srv)
	require.NoError(t, do(t, first, "GET", "persons/P-1", nil))
	e.spans.Reset()

	second := exosClient(t, e, srv)
	err := do(t, second, "GET", "persons/P-1", nil)
	require.ErrorIs(t, err, apierr.ErrLoginThrottled)

	spans := summarize(e.ended())
	require.Len(t, spans, 2, "%+v", spans)
	call, login := spans[0], spans[1]
	assert.Equal(t, "apierr GET", call.Name)
	assert.Equal(t, int64(0), call.Attrs["apierr.attempts"], "nothing was sent")
	assert.Equal(t, "300007", call.Attrs["error.type"])
	assert.Equal(t, "apierr login", login.Name)
	assert.Equal(t, "throttled", login.Attrs["apierr.auth.outcome"])
	assert.Equal(t, "300007", login.Attrs["error.type"])
	assert.Equal(t, []string{"apierr.lockout"}, login.Events)

	m := e.collect(t)
	assert.Equal(t, map[string]int64{"apierr.auth.op=login,error.type=300007": 1}, sums(t, m["apierr.client.lockouts"]))
	assert.Equal(t, map[string]int64{
		"apierr.auth.outcome=ok,apierr.auth.reason=first":        1,
		"apierr.auth.outcome=throttled,apierr.auth.reason=first": 1,
	}, sums(t, m["apierr.client.logins"]))
	e.noSecrets(t, srv.Credentials())
}
