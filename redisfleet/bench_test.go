package redisfleet

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/redisfleet/internal/redisserver"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
)

// BenchmarkFleetCall measures what the fleet adds to a call, against a local
// redis-server on a unix socket, side by side with the same client without
// a fleet: a call with the cached token (the hot path), and a call whose
// token was revoked (401, a new token, the replay: the refresh path, where
// the fleet talks to Redis).
func BenchmarkFleetCall(b *testing.B) {
	srv := startBenchRedis(b)
	for _, withFleet := range []bool{false, true} {
		name := "fleet=none"
		if withFleet {
			name = "fleet=redis"
		}
		b.Run(name+"/cached", func(b *testing.B) {
			tk, client := benchClient(b, srv, withFleet)
			call(b, client)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				call(b, client)
			}
			b.StopTimer()
			if n := tk.TokenRequests(); n != 1 {
				b.Fatalf("%d token requests for cached calls", n)
			}
		})
		b.Run(name+"/refresh", func(b *testing.B) {
			tk, client := benchClient(b, srv, withFleet)
			call(b, client)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tk.RevokeAll()
				call(b, client)
			}
		})
	}
}

func startBenchRedis(b *testing.B) string {
	b.Helper()
	return redisserver.ForTest(b).Socket
}

func benchClient(b *testing.B, socket string, withFleet bool) (*apierrtest.Server[tapkey.Code], *apierr.Client) {
	b.Helper()
	tk := apierrtest.NewTapkey()
	b.Cleanup(tk.Close)
	cc := tk.ClientCredentials()
	cc.AuthStyle = oauth2.AuthStyleInHeader
	opts := []apierr.Option{apierr.WithBaseURL(tk.URL() + "/api/v1/"), apierr.WithClientCredentials(cc)}
	if withFleet {
		rdb := redis.NewClient(ClientOptions("unix", socket))
		b.Cleanup(func() { _ = rdb.Close() })
		f, err := New(rdb, testKey)
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, apierr.WithFleet(f))
	}
	client, err := apierr.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Close() })
	return tk, client
}

// call GETs "Owners/o-1/BoundLocks", the Tapkey call the token benchmarks make.
func call(b *testing.B, client *apierr.Client) { get(b, client, "Owners/o-1/BoundLocks") }

// BenchmarkFleetLimits measures what the fleet's shared limits add to a
// call (a plain loopback server, no auth), side by side with the same
// limits kept in the process: open (no configured limit: the fleet is only
// read in the background), a configured rate that never binds (one Reserve
// script per call), and a cap on requests in flight that never binds (one
// slot taken and given back per call).
func BenchmarkFleetLimits(b *testing.B) {
	socket := startBenchRedis(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}))
	b.Cleanup(srv.Close)
	for _, lim := range []struct {
		name string
		opts []apierr.Option
	}{
		{"open", nil},
		{"rate", []apierr.Option{apierr.WithRateLimit(1e6, 1000)}},
		{"inflight", []apierr.Option{apierr.WithMaxInFlight(64)}},
	} {
		for _, withFleet := range []bool{false, true} {
			name := lim.name + "/fleet=none"
			opts := append([]apierr.Option{apierr.WithBaseURL(srv.URL + "/")}, lim.opts...)
			if withFleet {
				name = lim.name + "/fleet=redis"
				rdb := redis.NewClient(ClientOptions("unix", socket))
				b.Cleanup(func() { _ = rdb.Close() })
				f, err := New(rdb, testKey)
				if err != nil {
					b.Fatal(err)
				}
				opts = append(opts, apierr.WithFleet(f))
			}
			b.Run(name, func(b *testing.B) {
				client, err := apierr.New(opts...)
				if err != nil {
					b.Fatal(err)
				}
				defer client.Close()
				get(b, client, "items")
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					get(b, client, "items")
				}
			})
		}
	}
}

// get GETs path and fails b on an error.
func get(b *testing.B, client *apierr.Client, path string) {
	req, err := client.NewRequest(context.Background(), http.MethodGet, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := client.Do(req, io.Discard); err != nil {
		b.Fatal(err)
	}
}
