package apierrotel_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrotel"
)

func TestRetriedCallSpans(t *testing.T) {
	h := newHarness(t)
	h.call(target,
		attempt{status: 503, retry: true, wait: apierr.WaitBackoff},
		attempt{status: 503, retry: true, wait: apierr.WaitRetryAfter},
		attempt{status: 200})

	spans := h.ended()
	require.Len(t, spans, 4)
	call := spans[3]
	assert.Equal(t, "apierr GET", call.Name())
	assert.Equal(t, trace.SpanKindInternal, call.SpanKind())
	assert.Equal(t, map[string]any{
		"http.request.method": "GET", "server.address": "my.tapkey.com", "server.port": int64(443),
		"url.full": target.URL, "apierr.attempts": int64(3), "http.response.status_code": int64(200),
	}, attrs(call.Attributes()))
	assert.Equal(t, codes.Unset, call.Status().Code)

	want := []map[string]any{
		{"http.response.status_code": int64(503), "error.type": "503", "apierr.retry": true},
		{"http.response.status_code": int64(503), "error.type": "503", "apierr.retry": true, "http.request.resend_count": int64(1)},
		{"http.response.status_code": int64(200), "http.request.resend_count": int64(2)},
	}
	for i, w := range want {
		s := spans[i]
		t.Run(s.Name()+" attempt "+string(rune('1'+i)), func(t *testing.T) {
			assert.Equal(t, "GET", s.Name())
			assert.Equal(t, trace.SpanKindClient, s.SpanKind())
			assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "an attempt is a child of its call")
			for k, v := range map[string]any{"http.request.method": "GET", "server.address": "my.tapkey.com",
				"server.port": int64(443), "url.full": target.URL} {
				w[k] = v
			}
			assert.Equal(t, w, attrs(s.Attributes()))
			if w["error.type"] != nil {
				assert.Equal(t, codes.Error, s.Status().Code)
			} else {
				assert.Equal(t, codes.Unset, s.Status().Code)
			}
		})
	}

	events := call.Events()
	require.Len(t, events, 2, "the waits are events of the call span")
	assert.Equal(t, "apierr.wait", events[0].Name)
	assert.Equal(t, map[string]any{"apierr.wait.reason": "backoff", "apierr.wait.duration": 0.25, "apierr.attempt": int64(2)},
		attrs(events[0].Attributes))
	assert.Equal(t, map[string]any{"apierr.wait.reason": "retry-after", "apierr.wait.duration": 0.25, "apierr.attempt": int64(3)},
		attrs(events[1].Attributes))

	m := h.collect(t)
	assert.Equal(t, map[string]uint64{
		"error.type=503,http.request.method=GET,http.response.status_code=503,server.address=my.tapkey.com,server.port=443": 2,
		"http.request.method=GET,http.response.status_code=200,server.address=my.tapkey.com,server.port=443":                1,
	}, counts(t, m["http.client.request.duration"]))
	assert.Equal(t, map[string]int64{
		"apierr.replay=false,http.request.method=GET,server.address=my.tapkey.com,server.port=443": 2,
	}, sums(t, m["apierr.client.retries"]))
	assert.Equal(t, map[string]uint64{"apierr.wait.reason=backoff": 1, "apierr.wait.reason=retry-after": 1},
		counts(t, m["apierr.client.wait.duration"]))
	assert.NotContains(t, m, "apierr.client.gate_holds", "no gate held")
}

func TestErrorType(t *testing.T) {
	netErr := &url.Error{Op: "Get", URL: target.URL, Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	tests := []struct {
		name   string
		status int
		code   string
		err    error
		want   string // "" : no error.type
	}{
		{"tapkey 409 Duplicate", 409, "Duplicate", errors.New("typed"), "Duplicate"},
		{"exos 400241", 400, "400241", errors.New("typed"), "400241"},
		{"status without a code", 404, "", errors.New("typed"), "404"},
		{"network error", 0, "", netErr, "*net.OpError"},
		{"deadline", 0, "", &url.Error{Op: "Get", URL: target.URL, Err: context.DeadlineExceeded}, "context.DeadlineExceeded"},
		{"canceled", 0, "", context.Canceled, "context.Canceled"},
		{"success", 200, "", nil, ""},
		{"success with a 3xx", 304, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.call(target, attempt{status: tt.status, code: tt.code, err: tt.err})
			spans := h.ended()
			require.Len(t, spans, 2)
			a, call := attrs(spans[0].Attributes()), attrs(spans[1].Attributes())
			if tt.want == "" {
				assert.NotContains(t, a, "error.type")
				assert.NotContains(t, call, "error.type")
				assert.Equal(t, codes.Unset, spans[0].Status().Code)
				return
			}
			assert.Equal(t, tt.want, a["error.type"])
			assert.Equal(t, tt.want, call["error.type"])
			assert.Equal(t, codes.Error, spans[0].Status().Code)
			assert.Equal(t, codes.Error, spans[1].Status().Code)
			if tt.status == 0 {
				assert.NotContains(t, a, "http.response.status_code", "no response, no status")
			}
			hist := counts(t, h.collect(t)["http.client.request.duration"])
			require.Len(t, hist, 1)
			for k := range hist {
				assert.Contains(t, k, "error.type="+tt.want)
			}
		})
	}
}

func TestReplayWithTokenRequest(t *testing.T) {
	h := newHarness(t)
	o := h.obs
	ctx := o.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	a1 := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 1})
	o.AttemptEnd(a1, apierr.AttemptEndEvent{Target: target, Attempt: 1, Status: 401, Err: apierr.ErrUnauthorized, Retry: true})
	tctx := o.AuthStart(ctx, apierr.AuthStartEvent{Op: apierr.AuthToken, Reason: apierr.AuthRejected,
		URL: "https://login.tapkey.com/connect/token", ServerAddress: "login.tapkey.com", ServerPort: 443})
	o.AuthEnd(tctx, apierr.AuthEndEvent{Op: apierr.AuthToken, Reason: apierr.AuthRejected, Outcome: apierr.OutcomeOK,
		Status: 200, Duration: 30 * time.Millisecond})
	a2 := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 2, Replay: true})
	o.AttemptEnd(a2, apierr.AttemptEndEvent{Target: target, Attempt: 2, Replay: true, Status: 200})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 2, Status: 200})

	spans := h.ended()
	require.Len(t, spans, 4)
	first, token, replay, call := spans[0], spans[1], spans[2], spans[3]
	assert.Equal(t, []string{"GET", "apierr token", "GET", "apierr GET"}, []string{first.Name(), token.Name(), replay.Name(), call.Name()})
	for _, s := range []sdktrace.ReadOnlySpan{first, token, replay} {
		assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "%s is a child of the call", s.Name())
	}
	assert.Equal(t, "401", attrs(first.Attributes())["error.type"])
	assert.Equal(t, true, attrs(first.Attributes())["apierr.retry"])
	ra := attrs(replay.Attributes())
	assert.Equal(t, true, ra["apierr.replay"])
	assert.Equal(t, int64(1), ra["http.request.resend_count"])
	assert.Equal(t, int64(200), ra["http.response.status_code"])
	assert.Equal(t, trace.SpanKindInternal, token.SpanKind())
	assert.Equal(t, map[string]any{"apierr.auth.op": "token", "apierr.auth.reason": "rejected", "apierr.auth.outcome": "ok",
		"url.full": "https://login.tapkey.com/connect/token", "server.address": "login.tapkey.com", "server.port": int64(443),
		"http.response.status_code": int64(200)}, attrs(token.Attributes()))
	assert.Equal(t, codes.Unset, token.Status().Code)

	m := h.collect(t)
	assert.Equal(t, map[string]int64{"apierr.auth.outcome=ok,apierr.auth.reason=rejected": 1}, sums(t, m["apierr.client.token_requests"]))
	assert.Equal(t, map[string]int64{
		"apierr.replay=true,http.request.method=GET,server.address=my.tapkey.com,server.port=443": 1,
	}, sums(t, m["apierr.client.retries"]))
	assert.Equal(t, map[string]uint64{"apierr.auth.op=token,apierr.auth.outcome=ok": 1}, counts(t, m["apierr.client.auth.duration"]))
}

func TestExosLoginAndLockout(t *testing.T) {
	const loginURL = "https://exos.example.com/ExosAuth/api/v1/login"
	h := newHarness(t)
	o := h.obs
	start := apierr.AuthStartEvent{Op: apierr.AuthLogin, Reason: apierr.AuthFirst, URL: loginURL,
		ServerAddress: "exos.example.com", ServerPort: 443}

	ctx := o.AuthStart(context.Background(), start)
	o.AuthEnd(ctx, apierr.AuthEndEvent{Op: apierr.AuthLogin, Reason: apierr.AuthFirst, Outcome: apierr.OutcomeOK, Status: 200})

	until := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	throttled := &apierr.AuthError{Op: "login", Status: 429, Code: "300007"}
	ctx = o.AuthStart(context.Background(), start)
	o.Lockout(ctx, apierr.LockoutEvent{Op: apierr.AuthLogin, Status: 429, Code: "300007", Until: until})
	o.AuthEnd(ctx, apierr.AuthEndEvent{Op: apierr.AuthLogin, Reason: apierr.AuthFirst, Outcome: apierr.OutcomeThrottled,
		Status: 429, Code: "300007", Err: throttled})

	ctx = o.AuthStart(context.Background(), apierr.AuthStartEvent{Op: apierr.AuthLogout, Reason: apierr.AuthClose})
	o.AuthEnd(ctx, apierr.AuthEndEvent{Op: apierr.AuthLogout, Reason: apierr.AuthClose, Outcome: apierr.OutcomeError,
		Err: &net.OpError{Op: "dial", Err: errors.New("refused")}})

	spans := h.ended()
	require.Len(t, spans, 3)
	ok, refused, logout := spans[0], spans[1], spans[2]
	assert.Equal(t, "apierr login", ok.Name())
	assert.Equal(t, "ok", attrs(ok.Attributes())["apierr.auth.outcome"])
	assert.Equal(t, codes.Unset, ok.Status().Code)

	ra := attrs(refused.Attributes())
	assert.Equal(t, "throttled", ra["apierr.auth.outcome"])
	assert.Equal(t, "300007", ra["error.type"])
	assert.Equal(t, codes.Error, refused.Status().Code)
	require.Len(t, refused.Events(), 1)
	assert.Equal(t, "apierr.lockout", refused.Events()[0].Name)
	assert.Equal(t, map[string]any{"apierr.auth.op": "login", "apierr.lockout.until": "2026-11-29T06:00:00Z", "error.type": "300007"},
		attrs(refused.Events()[0].Attributes))

	assert.Equal(t, "apierr logout", logout.Name())
	la := attrs(logout.Attributes())
	assert.Equal(t, "*net.OpError", la["error.type"])
	assert.NotContains(t, la, "url.full", "no URL given, none recorded")

	m := h.collect(t)
	assert.Equal(t, map[string]int64{"apierr.auth.outcome=ok,apierr.auth.reason=first": 1,
		"apierr.auth.outcome=throttled,apierr.auth.reason=first": 1}, sums(t, m["apierr.client.logins"]))
	assert.Equal(t, map[string]int64{"apierr.auth.outcome=error,apierr.auth.reason=close": 1}, sums(t, m["apierr.client.logouts"]))
	assert.Equal(t, map[string]int64{"apierr.auth.op=login,error.type=300007": 1}, sums(t, m["apierr.client.lockouts"]))
	assert.NotContains(t, m, "apierr.client.token_requests")
}

func TestGateBudgetFleet(t *testing.T) {
	h := newHarness(t)
	o := h.obs
	ctx := o.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitGate, Duration: 2 * time.Second, Attempt: 1})
	o.FleetFallback(ctx, apierr.FleetFallbackEvent{Feature: "gate", Err: &net.OpError{Op: "read", Err: errors.New("redis down")}})
	a := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 1})
	o.AttemptEnd(a, apierr.AttemptEndEvent{Target: target, Attempt: 1, Status: 503, Err: apierr.ErrServer})
	o.BudgetExhausted(ctx, apierr.BudgetExhaustedEvent{Target: target, Attempt: 2})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 1, Status: 503, Err: apierr.ErrServer})

	spans := h.ended()
	require.Len(t, spans, 2)
	var names []string
	for _, e := range spans[1].Events() {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"apierr.wait", "apierr.fleet_fallback", "apierr.retry_budget_exhausted"}, names)
	assert.Equal(t, map[string]any{"apierr.fleet.feature": "gate", "error.type": "*net.OpError"},
		attrs(spans[1].Events()[1].Attributes))
	assert.Equal(t, map[string]any{"apierr.attempt": int64(2)}, attrs(spans[1].Events()[2].Attributes))

	m := h.collect(t)
	assert.Equal(t, map[string]int64{"": 1}, sums(t, m["apierr.client.gate_holds"]))
	assert.Equal(t, map[string]int64{"http.request.method=GET,server.address=my.tapkey.com,server.port=443": 1},
		sums(t, m["apierr.client.retry_budget.exhausted"]))
	assert.Equal(t, map[string]int64{"apierr.fleet.feature=gate,error.type=*net.OpError": 1}, sums(t, m["apierr.client.fleet.fallbacks"]))
}

// TestLimitWaits: waits for the learned or the configured rate, or for a
// request in flight to end, are span events and histogram entries like
// every wait, and counted by reason apart from gate holds.
func TestLimitWaits(t *testing.T) {
	h := newHarness(t)
	o := h.obs
	ctx := o.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitLearnedRate, Duration: 20 * time.Millisecond, Attempt: 1})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitLearnedRate, Duration: 30 * time.Millisecond, Attempt: 1})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitRate, Duration: 200 * time.Millisecond, Attempt: 1})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitInFlight, Attempt: 1})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitBackoff, Duration: time.Second, Attempt: 2})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 1, Status: 200})

	spans := h.ended()
	require.Len(t, spans, 1)
	var reasons []any
	for _, e := range spans[0].Events() {
		require.Equal(t, "apierr.wait", e.Name)
		reasons = append(reasons, attrs(e.Attributes)["apierr.wait.reason"])
	}
	assert.Equal(t, []any{"learned-rate", "learned-rate", "rate", "in-flight", "backoff"}, reasons)

	m := h.collect(t)
	assert.Equal(t, map[string]int64{
		"apierr.wait.reason=learned-rate": 2,
		"apierr.wait.reason=rate":         1,
		"apierr.wait.reason=in-flight":    1,
	}, sums(t, m["apierr.client.limit_waits"]), "backoffs are not limit waits")
	assert.NotContains(t, m, "apierr.client.gate_holds", "nor gate holds")
	require.Contains(t, m, "apierr.client.wait.duration")
	assert.Equal(t, map[string]uint64{
		"apierr.wait.reason=learned-rate": 2,
		"apierr.wait.reason=rate":         1,
		"apierr.wait.reason=backoff":      1,
	}, counts(t, m["apierr.client.wait.duration"]), "an in-flight wait's length is not known: not recorded as 0 s")
}

// TestInstruments checks every instrument's name, unit and description
// against the list in the package documentation.
func TestInstruments(t *testing.T) {
	h := newHarness(t)
	o := h.obs
	ctx := o.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitGate, Duration: time.Second, Attempt: 1})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitRate, Duration: time.Second, Attempt: 1})
	for n := 1; n <= 2; n++ {
		a := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: n})
		o.AttemptEnd(a, apierr.AttemptEndEvent{Target: target, Attempt: n, Status: 503, Retry: n == 1})
	}
	for _, op := range []apierr.AuthOp{apierr.AuthToken, apierr.AuthLogin, apierr.AuthLogout} {
		o.AuthEnd(o.AuthStart(ctx, apierr.AuthStartEvent{Op: op}), apierr.AuthEndEvent{Op: op, Outcome: apierr.OutcomeOK})
	}
	o.Lockout(ctx, apierr.LockoutEvent{Op: apierr.AuthLogin, Code: "300016"})
	o.BudgetExhausted(ctx, apierr.BudgetExhaustedEvent{Target: target, Attempt: 3})
	o.FleetFallback(ctx, apierr.FleetFallbackEvent{Feature: "token"})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 2, Status: 503, Err: apierr.ErrServer})

	wantUnits := map[string]string{
		"http.client.request.duration":         "s",
		"apierr.client.retries":                "{retry}",
		"apierr.client.token_requests":         "{request}",
		"apierr.client.logins":                 "{login}",
		"apierr.client.logouts":                "{logout}",
		"apierr.client.lockouts":               "{lockout}",
		"apierr.client.gate_holds":             "{hold}",
		"apierr.client.limit_waits":            "{wait}",
		"apierr.client.retry_budget.exhausted": "{retry}",
		"apierr.client.fleet.fallbacks":        "{fallback}",
		"apierr.client.wait.duration":          "s",
		"apierr.client.auth.duration":          "s",
	}
	m := h.collect(t)
	for name, unit := range wantUnits {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, m, name)
			assert.Equal(t, unit, m[name].Unit)
			assert.NotEmpty(t, m[name].Description)
		})
	}
	assert.Len(t, m, len(wantUnits), "an instrument the test does not know")
	assert.Equal(t, "Duration of HTTP client requests.", m["http.client.request.duration"].Description)
}

func TestUnknownMethod(t *testing.T) {
	h := newHarness(t)
	target := target
	target.Method = "PROPFIND"
	h.call(target, attempt{status: 200})
	spans := h.ended()
	require.Len(t, spans, 2)
	assert.Equal(t, "HTTP", spans[0].Name())
	assert.Equal(t, "apierr HTTP", spans[1].Name())
	a := attrs(spans[0].Attributes())
	assert.Equal(t, "_OTHER", a["http.request.method"])
	assert.Equal(t, "PROPFIND", a["http.request.method_original"])
}

func TestPropagator(t *testing.T) {
	for _, inject := range []bool{false, true} {
		name := "not asked"
		var opts []apierrotel.Option
		if inject {
			name = "asked"
			opts = append(opts, apierrotel.WithPropagator(propagation.TraceContext{}))
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, opts...)
			header := http.Header{"Authorization": {"Bearer secret"}}
			ctx := h.obs.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
			actx := h.obs.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 1, Header: apierr.NewHeaderCarrier(header)})
			h.obs.AttemptEnd(actx, apierr.AttemptEndEvent{Target: target, Attempt: 1, Status: 200})
			h.obs.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 1, Status: 200})

			assert.Equal(t, []string{"Bearer secret"}, header["Authorization"])
			if !inject {
				assert.Len(t, header, 1, "nothing injected: %v", header)
				return
			}
			sc := h.ended()[0].SpanContext()
			assert.Equal(t, "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-01", header.Get("Traceparent"),
				"the attempt's own span, not the call's")
		})
	}
}

// TestNoErrorText checks that an error's text, which may hold a URL with a
// token or a server's message, never reaches an attribute or an event.
func TestNoErrorText(t *testing.T) {
	const secret = "s3cr3t-t0ken"
	leaky := &url.Error{Op: "Get", URL: "https://h/x?access_token=" + secret, Err: errors.New("refused " + secret)}
	h := newHarness(t)
	o := h.obs
	ctx := o.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	a := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 1})
	o.AttemptEnd(a, apierr.AttemptEndEvent{Target: target, Attempt: 1, Err: leaky})
	tctx := o.AuthStart(ctx, apierr.AuthStartEvent{Op: apierr.AuthToken})
	o.AuthEnd(tctx, apierr.AuthEndEvent{Op: apierr.AuthToken, Outcome: apierr.OutcomeRefused, Err: errors.New("invalid_client " + secret)})
	o.FleetFallback(ctx, apierr.FleetFallbackEvent{Feature: "token", Err: leaky})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: 1, Err: leaky})

	for _, s := range h.ended() {
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.String(), secret, "span %s, attribute %s", s.Name(), kv.Key)
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				assert.NotContains(t, kv.Value.String(), secret, "span %s, event %s, attribute %s", s.Name(), e.Name, kv.Key)
			}
		}
		assert.NotContains(t, s.Status().Description, secret, "span %s", s.Name())
	}
	var all strings.Builder
	for name, m := range h.collect(t) {
		all.WriteString(name)
		all.WriteString(strings.ToLower(m.Description))
	}
	assert.NotContains(t, all.String(), secret)
}

// TestGlobalProviders: without options the observer uses the global
// providers.
func TestGlobalProviders(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
		require.NoError(t, tp.Shutdown(context.Background()))
		require.NoError(t, mp.Shutdown(context.Background()))
	})

	h := &harness{obs: apierrotel.New(), spans: rec, reader: reader}
	h.call(target, attempt{status: 200})
	assert.Len(t, rec.Ended(), 2)
	assert.Contains(t, h.collect(t), "http.client.request.duration")
}

// TestNoopProviders: every event works on no-op providers and records
// nothing; nil options keep the defaults.
func TestNoopProviders(t *testing.T) {
	o := apierrotel.New(apierrotel.WithTracerProvider(tracenoop.NewTracerProvider()),
		apierrotel.WithMeterProvider(metricnoop.NewMeterProvider()), nil)
	parent := context.Background()
	ctx := o.CallStart(parent, apierr.CallStartEvent{Target: target})
	assert.True(t, ctx == parent, "no span, so no new context for the client to carry")
	a := o.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: 2, Replay: true})
	assert.True(t, a == parent)
	o.AttemptEnd(a, apierr.AttemptEndEvent{Target: target, Attempt: 2, Status: 503, Retry: true})
	o.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitGate})
	o.AuthEnd(o.AuthStart(ctx, apierr.AuthStartEvent{Op: apierr.AuthLogin}), apierr.AuthEndEvent{Op: apierr.AuthLogin})
	o.Lockout(ctx, apierr.LockoutEvent{})
	o.BudgetExhausted(ctx, apierr.BudgetExhaustedEvent{})
	o.FleetFallback(ctx, apierr.FleetFallbackEvent{})
	o.CallEnd(ctx, apierr.CallEndEvent{Target: target})
	assert.False(t, trace.SpanFromContext(a).IsRecording())
}
