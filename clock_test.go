package apierr

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClock(t *testing.T) {
	fc := newFakeClock()
	k := &clock{now: fc.now, jitter: func() float64 { return 0.25 }}
	assert.Equal(t, fc.now(), k.current())
	assert.True(t, k.before(fc.now().Add(time.Nanosecond)))
	assert.False(t, k.before(fc.now()))
	assert.Equal(t, 0.25, k.random())
	assert.EqualValues(t, -1, k.left(context.Background()), "no deadline")
	ctx, cancel := context.WithDeadline(context.Background(), fc.now().Add(3*time.Second))
	defer cancel()
	assert.Equal(t, 3*time.Second, k.left(ctx))
	fc.advance(time.Hour)
	assert.Zero(t, k.left(ctx), "a deadline that passed leaves nothing")

	sys := &clock{}
	assert.True(t, sys.before(time.Now().Add(time.Hour)))
	r := sys.random()
	assert.True(t, r >= 0 && r < 1)
}

func TestClockWait(t *testing.T) {
	var slept []time.Duration
	k := &clock{sleep: func(d time.Duration) time.Duration { slept = append(slept, d); return 0 }}
	assert.NoError(t, k.wait(context.Background(), "retrying", time.Hour))
	assert.Equal(t, []time.Duration{time.Hour}, slept, "the seam sees the computed wait")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, (&clock{}).wait(ctx, "retrying", time.Hour), context.Canceled)
	assert.ErrorIs(t, k.wait(ctx, "retrying", time.Hour), context.Canceled, "an ended context ends even a zero wait")
	assert.NoError(t, (&clock{}).wait(context.Background(), "retrying", time.Millisecond))
}
