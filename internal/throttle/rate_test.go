package throttle

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRateThrottle(t *testing.T) {
	c := RateConfig{Cut: 0.95, Scale: 0.02, Doubling: 100 * time.Millisecond, Min: 0.5, Start: 10, Burst: 2, Quiet: time.Minute, Idle: 5 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reopen := t0.Add(time.Second)
	tests := []struct {
		name string
		s    RateState
		o    Observed
		want RateState
	}{
		{"a throttle while the gate is closed by the last (a fleet member's answer from the same burst): the rate stands, reopening with the later closure",
			RateState{Active: true, Rate: 190, Base: 190, Max: 190, Burst: 20, Since: t0.Add(990 * time.Millisecond)},
			Observed{Limit: 150, Evidence: 80, Limiting: true, Accepted: 79, Window: 500 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Rate: 190, Base: 190, Max: 190, Burst: 20, Since: reopen}},
		{"first throttle after a burst: probe from four times it a second, and keep it",
			RateState{}, Observed{Accepted: 20, Window: 3 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 76, Base: 76, Burst: 20, Since: reopen}},
		{"first throttle after a long run: no burst known",
			RateState{}, Observed{Accepted: 400, Window: 4 * time.Second, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 95, Base: 95, Since: reopen}},
		{"first throttle, nothing accepted: from Start",
			RateState{}, Observed{Window: time.Second},
			RateState{Active: true, Probing: true, Rate: 10, Base: 10, Since: t0}},
		{"probing ran into the limit: run at the estimate",
			RateState{Active: true, Probing: true, Rate: 400, Base: 400, Burst: 20, Since: t0}, Observed{Limit: 200, Evidence: 80, Limiting: true, Closed: time.Second},
			RateState{Active: true, Rate: 200, Base: 200, Max: 200, Burst: 20, Since: reopen}},
		{"the callers' demand ran into it: cut from the estimate",
			RateState{Active: true, Probing: true, Rate: 400, Base: 400, Burst: 20, Since: t0}, Observed{Limit: 200, Evidence: 80, Closed: time.Second},
			RateState{Active: true, Rate: 190, Base: 190, Max: 200, Burst: 20, Since: reopen}},
		{"no estimate: probe again from the cut rate",
			RateState{Active: true, Rate: 95, Base: 95, Max: 100, Burst: 20, Since: t0}, Observed{},
			RateState{Active: true, Probing: true, Rate: 0.95 * 95, Base: 0.95 * 95, Burst: 20, Since: t0}},
		{"a few accepted: too few to tell a rate by",
			RateState{Active: true, Probing: true, Rate: 20, Base: 20, Burst: 20, Since: t0.Add(-500 * time.Millisecond)},
			Observed{Accepted: 5, Window: 500 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 0.95 * 640, Base: 0.95 * 640, Burst: 20, Since: reopen}},
		{"no estimate after a probe overshot: probe again from below what the server sustained beyond its burst",
			RateState{Active: true, Probing: true, Rate: 20, Base: 20, Burst: 20, Since: t0.Add(-500 * time.Millisecond)},
			Observed{Accepted: 60, Window: 500 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 0.95 * (60 - 20) / 0.5, Base: 0.95 * (60 - 20) / 0.5, Burst: 20, Since: reopen}},
		{"no estimate, the burst let through just after reopening: not a rate to climb from",
			RateState{Active: true, Probing: true, Rate: 300, Base: 300, Burst: 20, Since: t0.Add(-20 * time.Millisecond)},
			Observed{Accepted: 24, Window: 20 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 300, Base: 300, Burst: 20, Since: reopen}},
		{"no estimate, the burst unknown (a fleet): a tenth of a second's worth is not taken for a rate",
			RateState{Active: true, Probing: true, Rate: 300, Base: 300, Since: t0.Add(-20 * time.Millisecond)},
			Observed{Accepted: 24, Window: 20 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 300, Base: 300, Since: reopen}},
		{"an estimate far above what the server accepted: not installed, probe again from below what it sustained (a tenth of a second's worth, 24, above the burst)",
			RateState{Active: true, Probing: true, Rate: 100, Base: 100, Burst: 20, Since: t0.Add(-500 * time.Millisecond)},
			Observed{Limit: 400, Evidence: 121, Limiting: true, Accepted: 120, Window: 500 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 0.95 * (120 - 24) / 0.5, Base: 0.95 * (120 - 24) / 0.5, Burst: 20, Since: reopen}},
		{"an estimate up to 1.5× the accepted rate (a burst lets the average exceed the limit): installed",
			RateState{Active: true, Probing: true, Rate: 100, Base: 100, Burst: 20, Since: t0.Add(-500 * time.Millisecond)},
			Observed{Limit: 350, Evidence: 121, Limiting: true, Accepted: 120, Window: 500 * time.Millisecond, Closed: time.Second},
			RateState{Active: true, Rate: 350, Base: 350, Max: 350, Burst: 20, Since: reopen}},
		{"a probe's slow start holds its average down: an estimate within 1.5× of the rate its last stretch went at is installed",
			RateState{Active: true, Probing: true, Rate: 20, Base: 20, Burst: 20, Since: t0.Add(-580 * time.Millisecond)},
			Observed{Limit: 204, Evidence: 75, Limiting: true, Accepted: 74, Window: 578 * time.Millisecond, Recent: 340, Closed: time.Second},
			RateState{Active: true, Rate: 204, Base: 204, Max: 204, Burst: 20, Since: reopen}},
		{"an estimate far above both the average and the last stretch: not installed",
			RateState{Active: true, Probing: true, Rate: 100, Base: 100, Burst: 20, Since: t0.Add(-500 * time.Millisecond)},
			Observed{Limit: 400, Evidence: 121, Limiting: true, Accepted: 120, Window: 500 * time.Millisecond, Recent: 250, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 0.95 * (120 - 24) / 0.5, Base: 0.95 * (120 - 24) / 0.5, Burst: 20, Since: reopen}},
		{"an estimate above the rate: the rate",
			RateState{Active: true, Rate: 95, Base: 95, Max: 100, Since: t0}, Observed{Limit: 150, Evidence: 80, Limiting: true},
			RateState{Active: true, Rate: 95, Base: 95, Max: 95, Since: t0}},
		{"an estimate from few sends: probe again from halfway between it and the rate",
			RateState{Active: true, Rate: 400, Base: 400, Max: 400, Burst: 20, Since: t0.Add(-time.Second)}, Observed{Limit: 100, Evidence: 30, Limiting: true, Closed: time.Second},
			RateState{Active: true, Probing: true, Rate: 190, Base: 190, Burst: 20, Since: reopen}},
		{"the burst seen with late answers corrects a first count that missed them",
			RateState{Active: true, Probing: true, Rate: 20, Base: 20, Burst: 8, Since: t0.Add(-time.Second)}, Observed{Limit: 200, Evidence: 80, Limiting: true, Burst: 21},
			RateState{Active: true, Rate: 200, Base: 200, Max: 200, Burst: 21, Since: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Throttle(tt.s, t0, tt.o)
			assert.InDelta(t, tt.want.Rate, got.Rate, 1e-9)
			assert.InDelta(t, tt.want.Base, got.Base, 1e-9)
			got.Rate, got.Base, tt.want.Rate, tt.want.Base = 0, 0, 0, 0
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEstimateLimit(t *testing.T) {
	const slot = 10 * time.Millisecond
	// sendsFor simulates a server bucket (rate r, burst b, full at the
	// start) fed at the send rates given per slot, and returns the sends up
	// to and including the slot in which the bucket ran dry.
	sendsFor := func(r, b float64, rates []float64) []float64 {
		tokens := b
		var out []float64
		for _, x := range rates {
			n := x * slot.Seconds()
			tokens = min(b, tokens+r*slot.Seconds())
			out = append(out, n)
			if tokens -= n; tokens < 0 {
				return out
			}
		}
		return out
	}
	ramp := func(from float64, double time.Duration) []float64 {
		var out []float64
		for i := range 200 {
			out = append(out, from*math.Exp2(float64(time.Duration(i)*slot)/float64(double)))
		}
		return out
	}
	flat := func(x float64) []float64 {
		out := make([]float64, 500)
		for i := range out {
			out[i] = x
		}
		return out
	}
	tests := []struct {
		name  string
		sends []float64
		burst float64
		want  float64
	}{
		{"probing ramp past 200/s", sendsFor(200, 20, ramp(19, 100*time.Millisecond)), 20, 200},
		{"slow ramp past 50/s", sendsFor(50, 10, ramp(5, 400*time.Millisecond)), 10, 50},
		{"steady 10 % above 200/s", sendsFor(200, 20, flat(220)), 20, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EstimateLimit(tt.sends, slot, tt.burst, tt.burst)
			assert.InEpsilon(t, tt.want, got, 0.1, "estimate %.1f from %d slots", got, len(tt.sends))
			t.Logf("estimate %.1f", got)
		})
	}
	// The throttled send comes, on average, halfway through its slot,
	// after half of its slot's other sends: those count as accepted, and
	// the bucket refills for half of the slot. Here the bucket refills for
	// 3.5 slots and gives 9 sends beyond its 10 before the throttled one
	// (3+3, and 3 of the last slot's 6 others). It held no token for the
	// throttled send: at most 10 tokens' refill. The send before it found
	// one, and the bucket refilled for the time between sends since (a
	// third of a slot, at 3 sends a slot): at least 9 and that.
	withLast := EstimateLimit([]float64{10, 3, 3, 7}, slot, 10, 10)
	dt := slot.Seconds()
	lo, hi := 9/(3.5*dt-dt/3), 10/(3.5*dt)
	assert.InDelta(t, (lo+hi)/2, withLast, 1e-6, "the middle of the bounds")
	alone := EstimateLimit([]float64{10, 3, 3, 1}, slot, 10, 10)
	assert.InDelta(t, 6/(3*dt), alone, 1e-6, "the throttled send alone in its slot: the slots before tell (6 sends beyond the burst in 3 slots)")
	assert.Zero(t, EstimateLimit([]float64{5}, slot, 20, 20), "one slot")
	assert.Zero(t, EstimateLimit([]float64{1, 1, 1}, slot, 20, 20), "never ran dry: nothing to tell")
	assert.Zero(t, EstimateLimit(nil, slot, 20, 20))
}

func TestRateGrow(t *testing.T) {
	c := RateConfig{Cut: 0.9, Scale: 0.4, Doubling: 250 * time.Millisecond, Min: 0.5, Burst: 2, Quiet: time.Minute, Idle: 5 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cut := RateState{Active: true, Rate: 180, Base: 180, Max: 200, Since: t0}
	held := RateState{Active: true, Rate: 200, Base: 200, Max: 200, Since: t0}
	probe := RateState{Active: true, Probing: true, Rate: 10, Base: 10, Since: t0}
	k := math.Cbrt(200 * 0.1 / 0.4) // CUBIC's K: when the curve is back at Max
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name   string
		s      RateState
		now    time.Time
		demand float64
		want   float64
		active bool
	}{
		{"off stays off", RateState{}, at(5), 100, 0, false},
		{"probing doubles", RateState{Active: true, Probing: true, Rate: 10, Base: 10, Since: t0}, at(0.5), 0, 40, true},
		{"cubic starts at the cut", cut, t0, 0, 180, true},
		{"cubic back at Max after K", cut, at(k), 0, 200, true},
		{"cubic above Max later", cut, at(k + 2), 0, 200 + 0.4*8, true},
		{"at most twice the demand", cut, at(k + 20), 110, 220, true},
		{"never below Max for demand", cut, at(k + 20), 10, 200, true},
		{"clock behind the store: unchanged", cut, at(-1), 0, 180, true},
		{"quiet and not limiting: off", cut, at(61), 50, 0, false},
		{"a well-supported estimate holds", held, at(k / 2), 0, 200, true},
		{"a well-supported estimate holds until K", held, at(k), 0, 200, true},
		{"then the curve probes above it", held, at(k + 2), 0, 200 + 0.4*8, true},
		{"probing far above the demand, not yet for Idle", probe, at(4.9), 10, 10 * math.Exp2(4.9/0.25), true},
		{"probing far above the demand for Idle: off", probe, at(5), 10, 0, false},
		{"probing for Idle, the callers keeping up: on", probe, at(5), 10 * math.Exp2(5/0.25) / 2, 10 * math.Exp2(5/0.25), true},
		{"probing, demand unknown: on", probe, at(5), 0, 10 * math.Exp2(5/0.25), true},
	}
	hold := c
	hold.Hold = 10 * time.Second // longer than K
	for _, tt := range []struct {
		name string
		s    RateState
		now  time.Time
		want float64
	}{
		{"a well-supported estimate holds for Hold", held, at(9.9), 200},
		{"then the curve probes above it", held, at(12), 200 + 0.4*8},
		{"a cut one grows back over K still", cut, at(k + 2), 200 + 0.4*8},
	} {
		t.Run("Hold: "+tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, hold.Grow(tt.s, tt.now, 0).Rate, 1e-6)
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Grow(tt.s, tt.now, tt.demand)
			assert.InDelta(t, tt.want, got.Rate, 1e-6)
			assert.Equal(t, tt.active, got.Active)
		})
	}
}
