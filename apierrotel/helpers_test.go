package apierrotel_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrotel"
)

// harness is an observer on the SDK's in-memory span recorder and manual
// metric reader.
type harness struct {
	obs    apierr.Observer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newHarness(t *testing.T, opts ...apierrotel.Option) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		require.NoError(t, tp.Shutdown(context.Background()))
		require.NoError(t, mp.Shutdown(context.Background()))
	})
	h.obs = apierrotel.New(append([]apierrotel.Option{
		apierrotel.WithTracerProvider(tp), apierrotel.WithMeterProvider(mp)}, opts...)...)
	return h
}

// target is the target of most tests.
var target = apierr.Target{
	Method:        "GET",
	URL:           "https://my.tapkey.com/api/v1/Owners?access_token=REDACTED",
	ServerAddress: "my.tapkey.com",
	ServerPort:    443,
}

// attempt drives one attempt through the observer as the client does.
type attempt struct {
	replay bool
	status int
	code   string
	err    error
	retry  bool
	wait   apierr.WaitReason // the wait after it, when retry
}

// call drives a call of the given attempts, with the waits between them,
// and returns the call's context as CallStart made it.
func (h *harness) call(target apierr.Target, attempts ...attempt) {
	ctx := h.obs.CallStart(context.Background(), apierr.CallStartEvent{Target: target})
	var last attempt
	for i, a := range attempts {
		n := i + 1
		actx := h.obs.AttemptStart(ctx, apierr.AttemptStartEvent{Target: target, Attempt: n, Replay: a.replay})
		h.obs.AttemptEnd(actx, apierr.AttemptEndEvent{Target: target, Attempt: n, Replay: a.replay,
			Status: a.status, Code: a.code, Err: a.err, Retry: a.retry, Duration: 20 * time.Millisecond})
		if a.retry && a.wait != "" {
			h.obs.Wait(ctx, apierr.WaitEvent{Reason: a.wait, Duration: 250 * time.Millisecond, Attempt: n + 1})
		}
		last = a
	}
	var err error
	if last.status >= 400 || last.err != nil {
		err = last.err
		if err == nil {
			err = apierr.ErrServer
		}
	}
	h.obs.CallEnd(ctx, apierr.CallEndEvent{Target: target, Attempts: len(attempts), Status: last.status,
		Code: last.code, Err: err, Duration: time.Second})
}

// ended returns the ended spans, in the order they ended.
func (h *harness) ended() []sdktrace.ReadOnlySpan { return h.spans.Ended() }

// attrs returns a span's or an event's attributes by key.
func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// collect returns the metrics by name.
func (h *harness) collect(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sums returns a counter's values by a description of their attributes.
func sums(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T, not an int64 sum", m.Name, m.Data)
	require.True(t, sum.IsMonotonic, "%s is not a counter", m.Name)
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		out[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Value
	}
	return out
}

// counts returns a histogram's counts by a description of their attributes.
func counts(t *testing.T, m metricdata.Metrics) map[string]uint64 {
	t.Helper()
	hist, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a %T, not a float64 histogram", m.Name, m.Data)
	out := map[string]uint64{}
	for _, dp := range hist.DataPoints {
		out[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Count
	}
	return out
}
