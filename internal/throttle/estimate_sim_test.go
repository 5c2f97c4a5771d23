package throttle

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeSends simulates a probe against a server's token bucket (rate,
// burst, full when the probe starts): the learned rate starts from Cut
// times the burst a second and doubles every Doubling, each send reaching
// the server after a latency of 1–2 ms (so that sends may overtake each
// other), and its answer coming back as late again. It returns the sends
// per slot as the limiter's log holds them when the first throttle's
// answer comes: from the slot the probe started in to the one the
// throttled request was sent in, the last one counting the sends made
// until the answer came.
func probeSends(rate, burst float64, slot time.Duration, rng *rand.Rand) (sends []float64, at, before float64) {
	c := DefaultRateConfig()
	p0, doubling := c.Cut*burst, c.Doubling.Seconds()
	type send struct{ at, arrives float64 }
	var all []send
	for k := 0; k < 100000; k++ {
		// The k-th send goes when the probe's allowance reaches k.
		at := doubling * math.Log2(1+float64(k)*math.Ln2/(doubling*p0))
		all = append(all, send{at, at + 0.001 + 0.001*rng.Float64()})
		if p0*math.Exp2(at/doubling) > 20*rate {
			break
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return all[order[i]].arrives < all[order[j]].arrives })
	tokens, last := burst, 0.0
	for _, i := range order {
		s := all[i]
		tokens, last = min(burst, tokens+(s.arrives-last)*rate), s.arrives
		if tokens >= 1 {
			tokens--
			continue
		}
		answered := s.arrives + (s.arrives - s.at)
		phase := rng.Float64() * slot.Seconds() // where the slots' grid falls
		slotOf := func(t float64) int { return int((t + phase) / slot.Seconds()) }
		sends = make([]float64, slotOf(s.at)+1)
		for _, o := range all {
			if o.at <= answered && slotOf(o.at) < len(sends) {
				sends[slotOf(o.at)]++
			}
		}
		start := float64(len(sends)-1)*slot.Seconds() - phase // the last slot's
		at = (s.at - start) / slot.Seconds()
		return sends, at, at / min(1, (answered-start)/slot.Seconds())
	}
	return nil, 0, 0
}

// TestEstimateLimitFindsTheServersRate: the estimate from a doubling
// probe's sends lands on the server's rate: the middle of 200 probes within
// 2.5 % of it, the worst within 6 %. A probe drains the server's bucket in
// about 150 ms whatever the rate, and what the bucket held below a token
// when it throttled is not known: a token's worth of refill over that time
// (3.5 % at 200/s with a burst of 20, more with a smaller burst).
func TestEstimateLimitFindsTheServersRate(t *testing.T) {
	for _, tt := range []struct{ rate, burst float64 }{{200, 20}, {500, 50}, {1000, 100}, {100, 20}} {
		t.Run(fmt.Sprintf("%v/s burst %v", tt.rate, tt.burst), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tt.rate), uint64(tt.burst)))
			var errs []float64
			for range 200 {
				sends, at, before := probeSends(tt.rate, tt.burst, sendSlot, rng)
				require.NotEmpty(t, sends, "the probe met a throttle")
				got := estimateLimitAt(sends, sendSlot, tt.burst, tt.burst, at, before)
				errs = append(errs, got/tt.rate-1)
			}
			sort.Float64s(errs)
			median := errs[len(errs)/2]
			t.Logf("error: min %.2f %%, median %.2f %%, max %.2f %%", 100*errs[0], 100*median, 100*errs[len(errs)-1])
			assert.InDelta(t, 0, median, 0.025, "the middle")
			assert.InDelta(t, 0, errs[0], 0.06, "the lowest")
			assert.InDelta(t, 0, errs[len(errs)-1], 0.06, "the highest")
		})
	}
}
