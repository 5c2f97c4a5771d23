package throttle

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRateThrottle(t *testing.T) {
	c := DefaultRateConfig() // Cut 0.9, Min 0.5
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		s        RateState
		accepted float64
		want     RateState
	}{
		{"first throttle: probe from what was accepted", RateState{}, 200,
			RateState{Active: true, Probing: true, Rate: 180, Base: 180, Since: t0}},
		{"first throttle, nothing accepted: the floor", RateState{}, 0,
			RateState{Active: true, Probing: true, Rate: 0.5, Base: 0.5, Since: t0}},
		{"probing overshot: cut from the accepted rate", RateState{Active: true, Probing: true, Rate: 400}, 200,
			RateState{Active: true, Rate: 180, Max: 200, Since: t0}},
		{"accepted unknown: cut from the rate", RateState{Active: true, Rate: 100, Max: 120}, 0,
			RateState{Active: true, Rate: 90, Max: 100, Since: t0}},
		{"accepted above the rate: cut from the rate", RateState{Active: true, Rate: 100}, 150,
			RateState{Active: true, Rate: 90, Max: 100, Since: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, c.Throttle(tt.s, t0, tt.accepted))
		})
	}
}

func TestRateGrow(t *testing.T) {
	c := DefaultRateConfig() // Scale 0.4, Cut 0.9, Doubling 250 ms, Quiet 1 min
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cut := RateState{Active: true, Rate: 180, Max: 200, Since: t0}
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Grow(tt.s, tt.now, tt.demand)
			assert.InDelta(t, tt.want, got.Rate, 1e-6)
			assert.Equal(t, tt.active, got.Active)
		})
	}
}
