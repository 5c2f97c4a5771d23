package apierrotel

import (
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Option configures the observer that New returns.
type Option func(*config)

type config struct {
	tp         trace.TracerProvider          // nil: the global one
	mp         metric.MeterProvider          // nil: the global one
	propagator propagation.TextMapPropagator // nil: nothing is injected
}

// WithTracerProvider sets where the spans go; by default, to the global
// TracerProvider (otel.GetTracerProvider) as it is when New is called. A
// nil tp keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets where the metrics go; by default, to the global
// MeterProvider (otel.GetMeterProvider) as it is when New is called. A nil
// mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithPropagator injects each attempt's trace context into its request
// headers with p, such as propagation.TraceContext{}. Without it nothing is
// injected: the vendors' APIs do not read trace headers, and a traceparent
// tells a third party the IDs of one's traces. Credential headers are
// never touched.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagator = p }
}
