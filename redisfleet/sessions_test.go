package redisfleet

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLastHolderGetsTheSession: only the last of the holders to leave is
// told to log out, and it gets the fleet's current token to log out with.
func TestLastHolderGetsTheSession(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()
	for _, h := range []string{"A", "B", "C"} {
		require.NoError(t, f.JoinSession(ctx, scope, h, time.Minute))
	}
	gen := storeAs(t, f, "A", "session-id")

	for _, h := range []string{"B", "A"} {
		last, tok, err := f.LeaveSession(ctx, scope, h)
		require.NoError(t, err)
		assert.False(t, last, h)
		assert.Zero(t, tok.Gen, h)
	}
	last, tok, err := f.LeaveSession(ctx, scope, "C")
	require.NoError(t, err)
	assert.True(t, last)
	assert.Equal(t, gen, tok.Gen)
	assert.Equal(t, "session-id", string(tok.Secret))

	cur, err := f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, cur.Gen, "the last one took the session out of the fleet")

	last, tok, err = f.LeaveSession(ctx, scope, "C")
	require.NoError(t, err)
	assert.True(t, last, "no holder is left")
	assert.Zero(t, tok.Gen, "and nothing to log out twice")

	require.Error(t, f.JoinSession(ctx, scope, "", time.Minute))
	_, _, err = f.LeaveSession(ctx, scope, "")
	require.Error(t, err)
}

// TestCrashedHolderDropsOut: a holder that stops heartbeating no longer
// counts once its TTL has passed on Redis's clock (TIME), so the others'
// last Close still logs out.
func TestCrashedHolderDropsOut(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	m.SetTime(t0)
	require.NoError(t, f.JoinSession(ctx, scope, "crashed", 30*time.Second))
	require.NoError(t, f.JoinSession(ctx, scope, "alive", 30*time.Second))

	m.SetTime(t0.Add(20 * time.Second))
	require.NoError(t, f.JoinSession(ctx, scope, "alive", 30*time.Second), "heartbeat")
	last, _, err := f.LeaveSession(ctx, scope, "alive")
	require.NoError(t, err)
	assert.False(t, last, "the crashed holder's 30 s have not passed")

	require.NoError(t, f.JoinSession(ctx, scope, "alive", 30*time.Second))
	m.SetTime(t0.Add(31 * time.Second))
	last, _, err = f.LeaveSession(ctx, scope, "alive")
	require.NoError(t, err)
	assert.True(t, last, "the crashed holder expired")
}
