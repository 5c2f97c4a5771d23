package goodput

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// sample is what the caller saw of one call.
type sample struct {
	started bool
	ok      bool
	latency time.Duration
	arrival time.Duration // Open: when the call was due, from the server's start
}

// runClosed has s.Workers goroutines share s.Calls calls until s.Cut. It
// reports whether the cut ended it.
func runClosed(ctx context.Context, s Scenario, c Caller) ([]sample, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.Cut)
	defer cancel()
	out := make([]sample, s.Calls)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 0x9e3779b9)) // the same persons for every client
			for {
				i := int(next.Add(1) - 1)
				if i >= s.Calls || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				err := c.Call(ctx, s.request(i, rnd))
				out[i] = sample{started: true, ok: err == nil, latency: time.Since(t0)}
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err() != nil
}

// runOpen starts a call every 1/s.Rate from start for s.Duration, however
// many are still waiting, each under s.CallTimeout. Calls not started when
// ctx ends are reported as not started.
func runOpen(ctx context.Context, s Scenario, c Caller, start time.Time) []sample {
	n := int(s.Rate * s.Duration.Seconds())
	interval := time.Duration(float64(time.Second) / s.Rate)
	out := make([]sample, n)
	var wg sync.WaitGroup
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := range n {
		due := time.Duration(i) * interval
		if d := time.Until(start.Add(due)); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				wg.Wait()
				return out
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, s.CallTimeout)
			defer cancel()
			t0 := time.Now()
			err := c.Call(cctx, s.request(i, nil))
			out[i] = sample{started: true, ok: err == nil, latency: time.Since(t0), arrival: due}
		}()
	}
	wg.Wait()
	return out
}

// runTimed has s.Workers goroutines call back to back for s.Duration, each
// call under s.CallTimeout.
func runTimed(ctx context.Context, s Scenario, c Caller) []sample {
	ctx, cancel := context.WithTimeout(ctx, s.Duration)
	defer cancel()
	per := make([][]sample, s.Workers)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				// A call under way when the run ends finishes under its own
				// deadline, not the run's, and counts.
				cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), s.CallTimeout)
				t0 := time.Now()
				err := c.Call(cctx, s.request(i, nil))
				ccancel()
				per[w] = append(per[w], sample{started: true, ok: err == nil, latency: time.Since(t0)})
			}
		}()
	}
	wg.Wait()
	var out []sample
	for _, p := range per {
		out = append(out, p...)
	}
	return out
}
