package apierr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGoodputLoopback measures the client against loopback fakes of a
// server's limits (DESIGN.md's goodput budgets). It takes about 45 s of
// real time, so it runs only with APIERR_GOODPUT=1; the bench module makes
// the official runs.
func TestGoodputLoopback(t *testing.T) {
	if os.Getenv("APIERR_GOODPUT") == "" {
		t.Skip("set APIERR_GOODPUT=1 to run (about 45 s of real time)")
	}
	for _, ra := range []string{"1", ""} {
		t.Run("429 Retry-After="+ra, func(t *testing.T) {
			var mu sync.Mutex
			tokens, last := 20.0, time.Now()
			var throttled atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				mu.Lock()
				now := time.Now()
				tokens = min(20, tokens+now.Sub(last).Seconds()*200)
				last = now
				ok := tokens >= 1
				if ok {
					tokens--
				}
				mu.Unlock()
				if !ok {
					throttled.Add(1)
					if ra != "" {
						w.Header().Set("Retry-After", ra)
					}
					w.WriteHeader(http.StatusTooManyRequests)
				}
			}))
			defer srv.Close()
			c, err := New(WithBaseURL(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var ok, failed atomic.Int64
			jobs := make(chan struct{})
			start := time.Now()
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						if getWith(context.Background(), c) == nil {
							ok.Add(1)
						} else {
							failed.Add(1)
						}
					}
				}()
			}
			for range 3000 {
				jobs <- struct{}{}
			}
			close(jobs)
			wg.Wait()
			d := time.Since(start)
			t.Logf("ok %d, failed %d, 429s %d (%.1f %% of calls), %.2f s = %.3f× 15 s",
				ok.Load(), failed.Load(), throttled.Load(), float64(throttled.Load())/30, d.Seconds(), d.Seconds()/15)
		})
	}
	t.Run("503 outage of 2 s in 10 s at 400 GET/s", func(t *testing.T) {
		var outageFrom, outageTo atomic.Int64
		var during atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			now := time.Now().UnixNano()
			if now >= outageFrom.Load() && now < outageTo.Load() {
				during.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		defer srv.Close()
		c, err := New(WithBaseURL(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		outageFrom.Store(start.Add(4 * time.Second).UnixNano())
		outageTo.Store(start.Add(6 * time.Second).UnixNano())
		var ok, failed, arrived atomic.Int64
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / 400)
		defer tick.Stop()
		for time.Since(start) < 10*time.Second {
			<-tick.C
			if n := time.Now().UnixNano(); n >= outageFrom.Load() && n < outageTo.Load() {
				arrived.Add(1)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if getWith(ctx, c) == nil {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		t.Logf("ok %d, failed %d (%.2f %% ok); calls arriving in the outage %d, requests sent during it %d (%.1f %%)",
			ok.Load(), failed.Load(), 100*float64(ok.Load())/float64(ok.Load()+failed.Load()),
			arrived.Load(), during.Load(), 100*float64(during.Load())/float64(arrived.Load()))
	})
}
