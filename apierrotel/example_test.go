package apierrotel_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrotel"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/decode"
)

// A call that the API answers twice with 503 before a 200, as the spans
// show it: the call's span, the token request it needed, and one CLIENT
// span per attempt with its resend count. In production the providers
// come from the SDK with an exporter (OTLP, stdout); here an in-memory
// recorder and a manual metric reader show what was recorded.
func Example() {
	srv := apierrtest.NewTapkey()
	defer srv.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())
	metrics := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(metrics))
	defer mp.Shutdown(context.Background())

	client, err := apierr.New(
		apierr.WithBaseURL(srv.URL()+"/api/v1"),
		apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()),
		apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond,
			MaxWait: 5 * time.Millisecond, MaxRetryAfter: time.Second}),
		apierr.WithObserver(apierrotel.New(
			apierrotel.WithTracerProvider(tp),
			apierrotel.WithMeterProvider(mp),
		)),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()

	srv.Inject(2, apierrtest.Status(503))
	req, err := client.NewRequest(context.Background(), "GET", "Owners/o1/BoundLocks", nil)
	if err != nil {
		panic(err)
	}
	if _, err := client.Do(req, nil); err != nil {
		panic(err)
	}

	// The spans in the order they started, children indented; the port and
	// the URL's host change with every run, so they are left out here.
	ended := spans.Ended()
	sort.SliceStable(ended, func(i, j int) bool { return ended[i].StartTime().Before(ended[j].StartTime()) })
	for _, s := range ended {
		indent := ""
		if s.Parent().IsValid() {
			indent = "  "
		}
		fmt.Printf("%s%s (%s)%s\n", indent, s.Name(), s.SpanKind(), show(s.Attributes()))
		for _, e := range s.Events() {
			fmt.Printf("%s  event %s%s\n", indent, e.Name, show(e.Attributes))
		}
	}

	var rm metricdata.ResourceMetrics
	if err := metrics.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	ms := rm.ScopeMetrics[0].Metrics
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	for _, m := range ms {
		switch d := m.Data.(type) {
		case metricdata.Histogram[float64]:
			var n uint64
			for _, dp := range d.DataPoints {
				n += dp.Count
			}
			fmt.Printf("%s: %d recorded (%s)\n", m.Name, n, m.Unit)
		case metricdata.Sum[int64]:
			var n int64
			for _, dp := range d.DataPoints {
				n += dp.Value
			}
			fmt.Printf("%s: %d\n", m.Name, n)
		}
	}
	// Output:
	// apierr GET (internal) apierr.attempts=3 http.request.method=GET http.response.status_code=200 server.address=127.0.0.1 url.full=/api/v1/Owners/o1/BoundLocks
	//   event apierr.wait apierr.attempt=2 apierr.wait.reason=backoff
	//   event apierr.wait apierr.attempt=3 apierr.wait.reason=backoff
	//   apierr token (internal) apierr.auth.op=token apierr.auth.outcome=ok apierr.auth.reason=first server.address=127.0.0.1 url.full=/connect/token
	//   GET (client) apierr.retry=true error.type=503 http.request.method=GET http.response.status_code=503 server.address=127.0.0.1 url.full=/api/v1/Owners/o1/BoundLocks
	//   GET (client) apierr.retry=true error.type=503 http.request.method=GET http.request.resend_count=1 http.response.status_code=503 server.address=127.0.0.1 url.full=/api/v1/Owners/o1/BoundLocks
	//   GET (client) http.request.method=GET http.request.resend_count=2 http.response.status_code=200 server.address=127.0.0.1 url.full=/api/v1/Owners/o1/BoundLocks
	// apierr.client.auth.duration: 1 recorded (s)
	// apierr.client.retries: 2
	// apierr.client.token_requests: 1
	// apierr.client.wait.duration: 2 recorded (s)
	// http.client.request.duration: 3 recorded (s)
}

// show prints attributes sorted by key, without what changes from run to
// run: the port, the wait's length, and the URL's scheme and host.
func show(kvs []attribute.KeyValue) string {
	var b strings.Builder
	sorted := append([]attribute.KeyValue(nil), kvs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key })
	for _, kv := range sorted {
		v := kv.Value.String()
		switch kv.Key {
		case "server.port", "apierr.wait.duration":
			continue
		case "url.full":
			if i := strings.Index(v, "://"); i >= 0 {
				if j := strings.IndexByte(v[i+3:], '/'); j >= 0 {
					v = v[i+3+j:]
				}
			}
		}
		b.WriteString(" " + string(kv.Key) + "=" + v)
	}
	return b.String()
}
