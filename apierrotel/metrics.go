package apierrotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
)

// instruments are the observer's metrics.
type instruments struct {
	requestDuration httpconv.ClientRequestDuration // per attempt
	retries         metric.Int64Counter
	tokenRequests   metric.Int64Counter
	logins          metric.Int64Counter
	logouts         metric.Int64Counter
	lockouts        metric.Int64Counter
	gateHolds       metric.Int64Counter
	limitWaits      metric.Int64Counter
	budgetExhausted metric.Int64Counter
	fleetFallbacks  metric.Int64Counter
	waitDuration    metric.Float64Histogram
	authDuration    metric.Float64Histogram
}

// Bucket boundaries in seconds: waits run from a few milliseconds (a
// concurrency pause) to the 30 s a server may ask for; token requests and
// logins take about as long as requests.
var (
	waitBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
	authBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
)

func newInstruments(m metric.Meter) *instruments {
	var in instruments
	var err error
	if in.requestDuration, err = httpconv.NewClientRequestDuration(m); err != nil {
		otel.Handle(err)
	}
	in.retries = counter(m, "apierr.client.retries", "{retry}",
		"Attempts sent again after a failed attempt: retries, and the replay after a 401 (apierr.replay=true).")
	in.tokenRequests = counter(m, "apierr.client.token_requests", "{request}",
		"Token requests made by the client, by outcome.")
	in.logins = counter(m, "apierr.client.logins", "{login}",
		"exos logins made by the client, by outcome.")
	in.logouts = counter(m, "apierr.client.logouts", "{logout}",
		"exos logouts made by the client, by outcome.")
	in.lockouts = counter(m, "apierr.client.lockouts", "{lockout}",
		"Times a server refused service until a given time (exos refusing logins).")
	in.gateHolds = counter(m, "apierr.client.gate_holds", "{hold}",
		"Waits at a gate held shut by a lockout or a throttle answer.")
	in.limitWaits = counter(m, "apierr.client.limit_waits", "{wait}",
		"Waits for a send slot of the learned or the configured rate, or for a request in flight to end, by reason (learned-rate, rate, in-flight).")
	in.budgetExhausted = counter(m, "apierr.client.retry_budget.exhausted", "{retry}",
		"Retries refused because the client's retry budget ran out.")
	in.fleetFallbacks = counter(m, "apierr.client.fleet.fallbacks", "{fallback}",
		"Times the shared fleet state could not be used and the client went on with its own.")
	in.waitDuration = histogram(m, "apierr.client.wait.duration",
		"Waits before an attempt, by reason (backoff, retry-after, concurrency, gate, learned-rate, rate, in-flight).", waitBuckets)
	in.authDuration = histogram(m, "apierr.client.auth.duration",
		"Duration of token requests, exos logins and logouts.", authBuckets)
	return &in
}

// counter returns the counter, or a no-op one when the meter refuses it
// (the error goes to the global error handler, as OpenTelemetry's own
// instrumentation does).
func counter(m metric.Meter, name, unit, desc string) metric.Int64Counter {
	c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		otel.Handle(err)
	}
	if c == nil {
		return noop.Int64Counter{}
	}
	return c
}

func histogram(m metric.Meter, name, desc string, buckets []float64) metric.Float64Histogram {
	h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil {
		otel.Handle(err)
	}
	if h == nil {
		return noop.Float64Histogram{}
	}
	return h
}
