package apierrotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/accessapi/apierr"
)

// scope names the instrumentation library in every span and metric.
const scope = "github.com/accessapi/apierr/apierrotel"

// observer turns the client's events into spans and metrics. It keeps no
// state between events: a span travels in the context that its Start
// returned, and the End events repeat what the metrics need.
type observer struct {
	tracer     trace.Tracer                  // nil: the provider is the no-op one, so no spans are made
	propagator propagation.TextMapPropagator // nil: nothing injected
	in         *instruments
}

// New returns an apierr.Observer that reports to OpenTelemetry; give it to
// apierr.WithObserver. See the package documentation for the spans and
// metrics.
func New(opts ...Option) apierr.Observer {
	var c config
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	tp, mp := c.tp, c.mp
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &observer{
		propagator: c.propagator,
		in: newInstruments(mp.Meter(scope,
			metric.WithInstrumentationVersion(apierr.Version), metric.WithSchemaURL(semconv.SchemaURL))),
	}
	// A no-op provider's spans are nothing, but starting one still costs a
	// context and the attributes: skip them, and return the contexts as
	// they are, so that the client need not carry new ones.
	if _, noop := tp.(tracenoop.TracerProvider); !noop {
		o.tracer = tp.Tracer(scope,
			trace.WithInstrumentationVersion(apierr.Version), trace.WithSchemaURL(semconv.SchemaURL))
	}
	return o
}

// callSpanNames are "apierr GET", … made once.
var callSpanNames = func() map[string]string {
	names := map[string]string{otherMethodName: spanCallPrefix + otherMethodName}
	for m := range knownMethods {
		names[m] = spanCallPrefix + m
	}
	return names
}()

// CallStart starts the INTERNAL span that holds the call's attempts and
// waits.
func (o *observer) CallStart(ctx context.Context, e apierr.CallStartEvent) context.Context {
	if o.tracer == nil {
		return ctx
	}
	_, name, _ := method(e.Method)
	ctx, _ = o.tracer.Start(ctx, callSpanNames[name],
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(targetAttrs(e.Target)...))
	return ctx
}

// CallEnd ends the call's span with the attempts made and how it ended.
func (o *observer) CallEnd(ctx context.Context, e apierr.CallEndEvent) {
	if o.tracer == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		span.SetAttributes(keyAttempts.Int(e.Attempts))
		if e.Status > 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(e.Status))
		}
		if et := errorType(e.Code, e.Status, e.Err); et != "" && e.Err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(et))
			span.SetStatus(codes.Error, et)
		}
	}
	span.End()
}

// AttemptStart starts the attempt's CLIENT span and, with WithPropagator,
// injects its context into the request.
func (o *observer) AttemptStart(ctx context.Context, e apierr.AttemptStartEvent) context.Context {
	if o.tracer != nil {
		_, name, _ := method(e.Method)
		attrs := targetAttrs(e.Target)
		if e.Attempt > 1 {
			attrs = append(attrs, semconv.HTTPRequestResendCount(e.Attempt-1))
		}
		if e.Replay {
			attrs = append(attrs, keyReplay.Bool(true))
		}
		ctx, _ = o.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	}
	if o.propagator != nil {
		o.propagator.Inject(ctx, e.Header)
	}
	if e.Attempt > 1 && o.in.retries.Enabled(ctx) {
		m, _, _ := method(e.Method)
		o.in.retries.Add(ctx, 1, metric.WithAttributes(
			semconv.HTTPRequestMethodKey.String(m), semconv.ServerAddress(e.ServerAddress),
			semconv.ServerPort(e.ServerPort), keyReplay.Bool(e.Replay)))
	}
	return ctx
}

// AttemptEnd ends the attempt's span and records its duration.
func (o *observer) AttemptEnd(ctx context.Context, e apierr.AttemptEndEvent) {
	et := errorType(e.Code, e.Status, e.Err)
	if o.tracer != nil {
		span := trace.SpanFromContext(ctx)
		if span.IsRecording() {
			attrs := make([]attribute.KeyValue, 0, 3)
			if e.Status > 0 {
				attrs = append(attrs, semconv.HTTPResponseStatusCode(e.Status))
			}
			if et != "" {
				attrs = append(attrs, semconv.ErrorTypeKey.String(et))
				span.SetStatus(codes.Error, et)
			}
			if e.Retry {
				attrs = append(attrs, keyRetry.Bool(true))
			}
			span.SetAttributes(attrs...)
		}
		span.End()
	}

	if o.in.requestDuration.Enabled(ctx) {
		m, _, _ := method(e.Method)
		attrs := make([]attribute.KeyValue, 0, 2)
		if e.Status > 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(e.Status))
		}
		if et != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		}
		o.in.requestDuration.Record(ctx, e.Duration.Seconds(),
			httpconv.RequestMethodAttr(m), e.ServerAddress, e.ServerPort, attrs...)
	}
}

// Wait adds an "apierr.wait" event to the span in ctx, the call's.
func (o *observer) Wait(ctx context.Context, e apierr.WaitEvent) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(eventWait, trace.WithAttributes(
			keyWaitReason.String(string(e.Reason)),
			keyWaitDuration.Float64(e.Duration.Seconds()),
			keyAttempt.Int(e.Attempt)))
	}
	// A wait of unknown length (an in-flight slot's, Duration 0) is not
	// one of no length: the histogram leaves it out.
	if e.Duration > 0 && o.in.waitDuration.Enabled(ctx) {
		o.in.waitDuration.Record(ctx, e.Duration.Seconds(),
			metric.WithAttributes(keyWaitReason.String(string(e.Reason))))
	}
	switch e.Reason {
	case apierr.WaitGate:
		if o.in.gateHolds.Enabled(ctx) {
			o.in.gateHolds.Add(ctx, 1)
		}
	case apierr.WaitLearnedRate, apierr.WaitRate, apierr.WaitInFlight:
		if o.in.limitWaits.Enabled(ctx) {
			o.in.limitWaits.Add(ctx, 1, metric.WithAttributes(keyWaitReason.String(string(e.Reason))))
		}
	}
}

// authSpanNames are "apierr token", "apierr login", "apierr logout".
var authSpanNames = map[apierr.AuthOp]string{
	apierr.AuthToken:  spanCallPrefix + string(apierr.AuthToken),
	apierr.AuthLogin:  spanCallPrefix + string(apierr.AuthLogin),
	apierr.AuthLogout: spanCallPrefix + string(apierr.AuthLogout),
}

// AuthStart starts the span of a token request, a login or a logout. It is
// INTERNAL: it may hold several HTTP requests (the endpoint's own retries),
// or none (a TokenSource that needs no request).
func (o *observer) AuthStart(ctx context.Context, e apierr.AuthStartEvent) context.Context {
	if o.tracer == nil {
		return ctx
	}
	name, ok := authSpanNames[e.Op]
	if !ok {
		name = spanCallPrefix + "auth"
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, keyAuthOp.String(string(e.Op)), keyAuthReason.String(string(e.Reason)))
	if e.URL != "" {
		attrs = append(attrs, semconv.URLFull(e.URL))
	}
	attrs = append(attrs, serverAttrs(e.ServerAddress, e.ServerPort)...)
	ctx, _ = o.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx
}

// AuthEnd ends the span and counts the token request, login or logout by
// its outcome.
func (o *observer) AuthEnd(ctx context.Context, e apierr.AuthEndEvent) {
	et := ""
	if e.Outcome != apierr.OutcomeOK {
		if et = errorType(e.Code, e.Status, e.Err); et == "" {
			et = string(e.Outcome)
		}
	}
	if o.tracer != nil {
		span := trace.SpanFromContext(ctx)
		if span.IsRecording() {
			span.SetAttributes(keyAuthOutcome.String(string(e.Outcome)))
			if e.Status > 0 {
				span.SetAttributes(semconv.HTTPResponseStatusCode(e.Status))
			}
			if et != "" {
				span.SetAttributes(semconv.ErrorTypeKey.String(et))
				span.SetStatus(codes.Error, et)
			}
		}
		span.End()
	}

	var c metric.Int64Counter
	switch e.Op {
	case apierr.AuthToken:
		c = o.in.tokenRequests
	case apierr.AuthLogin:
		c = o.in.logins
	case apierr.AuthLogout:
		c = o.in.logouts
	}
	if c != nil && c.Enabled(ctx) {
		c.Add(ctx, 1, metric.WithAttributes(
			keyAuthOutcome.String(string(e.Outcome)), keyAuthReason.String(string(e.Reason))))
	}
	if o.in.authDuration.Enabled(ctx) {
		o.in.authDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(
			keyAuthOp.String(string(e.Op)), keyAuthOutcome.String(string(e.Outcome))))
	}
}

// Lockout adds an "apierr.lockout" event to the span in ctx and counts it.
func (o *observer) Lockout(ctx context.Context, e apierr.LockoutEvent) {
	code := errorType(e.Code, e.Status, nil)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{keyAuthOp.String(string(e.Op)), keyLockoutUntil.String(e.Until.UTC().Format(time.RFC3339))}
		if code != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(code))
		}
		span.AddEvent(eventLockout, trace.WithAttributes(attrs...))
	}
	if o.in.lockouts.Enabled(ctx) {
		o.in.lockouts.Add(ctx, 1, metric.WithAttributes(
			keyAuthOp.String(string(e.Op)), semconv.ErrorTypeKey.String(orOther(code))))
	}
}

// BudgetExhausted adds an event to the span in ctx, the call's, and counts
// it.
func (o *observer) BudgetExhausted(ctx context.Context, e apierr.BudgetExhaustedEvent) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(eventBudget, trace.WithAttributes(keyAttempt.Int(e.Attempt)))
	}
	if o.in.budgetExhausted.Enabled(ctx) {
		m, _, _ := method(e.Method)
		o.in.budgetExhausted.Add(ctx, 1, metric.WithAttributes(
			semconv.HTTPRequestMethodKey.String(m), semconv.ServerAddress(e.ServerAddress),
			semconv.ServerPort(e.ServerPort)))
	}
}

// FleetFallback adds an event to the span in ctx and counts it.
func (o *observer) FleetFallback(ctx context.Context, e apierr.FleetFallbackEvent) {
	et := errorTypeUnknown
	if e.Err != nil {
		et = goErrorType(e.Err)
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(eventFleet, trace.WithAttributes(
			keyFleetFeature.String(e.Feature), semconv.ErrorTypeKey.String(et)))
	}
	if o.in.fleetFallbacks.Enabled(ctx) {
		o.in.fleetFallbacks.Add(ctx, 1, metric.WithAttributes(
			keyFleetFeature.String(e.Feature), semconv.ErrorTypeKey.String(et)))
	}
}

func orOther(s string) string {
	if s == "" {
		return errorTypeUnknown
	}
	return s
}
