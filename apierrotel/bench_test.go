package apierrotel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/oauth2"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrotel"
	"github.com/accessapi/apierr/internal/benchcpu"
)

// BenchmarkObserver is an in-memory GET with a cached token, one attempt,
// without an observer (the baseline) and with apierrotel on no-op
// providers, on the SDK with a sampler that records nothing, and on the SDK
// recording everything (spans dropped at the end, metrics kept by a manual
// reader that is never read). Compare with benchstat -col /impl:
//
//	go test -c -o /tmp/apierrotel.test . && for i in $(seq 10); do
//	  /tmp/apierrotel.test -test.run '^$' -test.bench Observer -test.benchmem -test.benchtime 200ms; done > /tmp/bench-otel.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl /tmp/bench-otel.txt
func BenchmarkObserver(b *testing.B) {
	impls := []struct {
		name string
		obs  func(b *testing.B) apierr.Observer
	}{
		{"none", nil},
		{"noop", func(*testing.B) apierr.Observer {
			return apierrotel.New(apierrotel.WithTracerProvider(tracenoop.NewTracerProvider()),
				apierrotel.WithMeterProvider(metricnoop.NewMeterProvider()))
		}},
		{"sdk-unsampled", func(b *testing.B) apierr.Observer {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			return apierrotel.New(apierrotel.WithTracerProvider(tp),
				apierrotel.WithMeterProvider(metricnoop.NewMeterProvider()))
		}},
		{"sdk", func(b *testing.B) apierr.Observer {
			tp := sdktrace.NewTracerProvider()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			b.Cleanup(func() {
				_ = tp.Shutdown(context.Background())
				_ = mp.Shutdown(context.Background())
			})
			return apierrotel.New(apierrotel.WithTracerProvider(tp), apierrotel.WithMeterProvider(mp))
		}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			opts := []apierr.Option{
				apierr.WithBaseURL("https://api.example.com/api/v1"),
				apierr.WithHTTPClient(&http.Client{Transport: okTransport{}}),
				apierr.WithTokenSource(freshTokens{}),
			}
			if impl.obs != nil {
				opts = append(opts, apierr.WithObserver(impl.obs(b)))
			}
			c, err := apierr.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Close() })
			get(b, c) // the token cached before the timer starts
			b.ReportAllocs()
			b.ResetTimer()
			defer benchcpu.Start(b)()
			for range b.N {
				get(b, c)
			}
		})
	}
}

func get(b *testing.B, c *apierr.Client) {
	req, err := c.NewRequest(context.Background(), "GET", "locks/lock-1", nil)
	if err != nil {
		b.Fatal(err)
	}
	var v struct{ ID, Name string }
	if _, err := c.Do(req, &v); err != nil {
		b.Fatal(err)
	}
}

// okTransport answers every request with a lock, from memory.
type okTransport struct{}

var lockBody = []byte(`{"id":"lock-1","name":"Front door"}`)

func (okTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(lockBody)), Body: io.NopCloser(bytes.NewReader(lockBody)), Request: req,
	}, nil
}

// freshTokens returns a new long-lived token on every call, as
// WithTokenSource requires.
type freshTokens struct{}

func (freshTokens) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: "at-0123456789", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}
