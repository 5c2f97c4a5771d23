package throttle

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The goodput runs take 10–20 s of real time each, so they run only when
// THROTTLE_GOODPUT is set: they tune the limiter against a simulated
// server, without HTTP. The official runs are the bench module's.

// bucketServer is a server-side token bucket: rate per second, burst.
type bucketServer struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (s *bucketServer) admit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.last.IsZero() {
		s.tokens = s.burst
	} else {
		s.tokens = min(s.burst, s.tokens+now.Sub(s.last).Seconds()*s.rate)
	}
	s.last = now
	if s.tokens >= 1 {
		s.tokens--
		if os.Getenv("THROTTLE_TRACE") != "" {
			println("ADMIT", now.Format("05.000"))
		}
		return true
	}
	if os.Getenv("THROTTLE_TRACE") != "" {
		println("REFUSED", now.Format("05.000"), s.tokens)
	}
	return false
}

func TestGoodputThrottle(t *testing.T) {
	if os.Getenv("THROTTLE_GOODPUT") == "" {
		t.Skip("set THROTTLE_GOODPUT=1 to run (15 s of real time per case)")
	}
	for _, asked := range []bool{true, false} {
		t.Run(map[bool]string{true: "Retry-After 1", false: "no Retry-After"}[asked], func(t *testing.T) {
			l, err := New(DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			srv := &bucketServer{rate: 200, burst: 20}
			var ok, throttled, failed atomic.Int64
			jobs := make(chan int)
			start := time.Now()
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						done := false
						for attempt := 0; attempt < 4 && !done; attempt++ {
							p, err := l.Acquire(context.Background())
							if err != nil {
								t.Error(err)
								return
							}
							time.Sleep(100 * time.Microsecond) // the round trip
							if srv.admit() {
								p.Done(Result{Kind: Healthy})
								done = true
								continue
							}
							throttled.Add(1)
							p.Done(Result{Kind: Throttled, Wait: time.Second, Asked: asked})
						}
						if done {
							ok.Add(1)
						} else {
							failed.Add(1)
						}
					}
				}()
			}
			stop := make(chan struct{})
			var trace []string
			go func() {
				tk := time.NewTicker(250 * time.Millisecond)
				defer tk.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tk.C:
						r, _ := l.LearnedRate()
						trace = append(trace, fmt.Sprintf("%.1fs ok=%d 429=%d rate=%.0f closed=%v", time.Since(start).Seconds(), ok.Load(), throttled.Load(), r, l.GateClosedFor() > 0))
					}
				}
			}()
			for i := range 3000 {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			d := time.Since(start)
			close(stop)
			if os.Getenv("THROTTLE_TRACE") != "" {
				for _, line := range trace {
					t.Log(line)
				}
			}
			t.Logf("ok %d, failed %d, 429s %d (%.1f %%), %.2f s = %.3f× 15 s; %s",
				ok.Load(), failed.Load(), throttled.Load(), float64(throttled.Load())/30, d.Seconds(), d.Seconds()/15, l)
		})
	}
}
