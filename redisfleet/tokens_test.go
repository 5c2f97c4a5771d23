package redisfleet

import (
	"context"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeaseGrantsOneHolderWithRisingFences(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()

	a, ok, err := f.AcquireLease(ctx, scope, "A", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, int64(1), a)

	_, ok, err = f.AcquireLease(ctx, scope, "B", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "B must wait while A holds the lease")

	tok, err := f.Token(ctx, scope)
	require.NoError(t, err)
	assert.True(t, tok.LeaseHeld)
	assert.Zero(t, tok.Gen)

	require.NoError(t, f.ReleaseLease(ctx, scope, "B", a), "releasing another's lease is a no-op")
	_, ok, err = f.AcquireLease(ctx, scope, "B", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "A still holds it")

	require.NoError(t, f.ReleaseLease(ctx, scope, "A", a))
	b, ok, err := f.AcquireLease(ctx, scope, "B", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Greater(t, b, a)

	renewed, err := f.RenewLease(ctx, scope, "B", b, time.Minute)
	require.NoError(t, err)
	assert.True(t, renewed)
	renewed, err = f.RenewLease(ctx, scope, "A", a, time.Minute)
	require.NoError(t, err)
	assert.False(t, renewed, "A's lease is gone")

	_, _, err = f.AcquireLease(ctx, scope, "", time.Minute)
	require.Error(t, err, "an empty holder name")
}

// TestLeaseExpiresOnRedisClock: a holder that stops (crash, pause) loses the
// lease when its TTL passes on Redis's clock; the next holder gets a larger
// fence. miniredis's clock makes the expiry exact.
func TestLeaseExpiresOnRedisClock(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	a, ok, err := f.AcquireLease(ctx, scope, "A", time.Second)
	require.NoError(t, err)
	require.True(t, ok)

	m.FastForward(999 * time.Millisecond)
	_, ok, err = f.AcquireLease(ctx, scope, "B", time.Second)
	require.NoError(t, err)
	assert.False(t, ok, "1 ms before expiry")

	m.FastForward(time.Millisecond)
	b, ok, err := f.AcquireLease(ctx, scope, "B", time.Second)
	require.NoError(t, err)
	require.True(t, ok, "expired")
	assert.Greater(t, b, a)

	renewed, err := f.RenewLease(ctx, scope, "B", b, 5*time.Second)
	require.NoError(t, err)
	require.True(t, renewed)
	m.FastForward(4 * time.Second)
	_, ok, err = f.AcquireLease(ctx, scope, "C", time.Second)
	require.NoError(t, err)
	assert.False(t, ok, "B renewed its lease for 5 s")
}

// TestFencedWriteRejectsAPausedHolder: A's lease expires while it is paused;
// B gets a newer lease and stores a token; A's late write is refused by
// Redis and B's token stays.
func TestFencedWriteRejectsAPausedHolder(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()
	a, ok, err := f.AcquireLease(ctx, scope, "A", 20*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)

	var b int64
	require.Eventually(t, func() bool {
		b, ok, err = f.AcquireLease(ctx, scope, "B", time.Minute)
		return err == nil && ok
	}, 5*time.Second, 5*time.Millisecond, "A's lease expires")
	genB, ok, err := f.StoreToken(ctx, scope, b, apierr.FleetToken{Secret: []byte("token-of-B"), TTL: time.Hour})
	require.NoError(t, err)
	require.True(t, ok)

	genA, ok, err := f.StoreToken(ctx, scope, a, apierr.FleetToken{Secret: []byte("token-of-A"), TTL: time.Hour})
	require.NoError(t, err)
	assert.False(t, ok, "a write under an older fence is refused")
	assert.Zero(t, genA)

	tok, err := f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, genB, tok.Gen)
	assert.Equal(t, "token-of-B", string(tok.Secret))
	assert.InDelta(t, time.Hour.Seconds(), tok.TTL.Seconds(), 5)
}

func TestStoreTokenRefusesBadInput(t *testing.T) {
	f, _, _ := newFleet(t)
	_, _, err := f.StoreToken(context.Background(), scope, 1, apierr.FleetToken{})
	require.ErrorContains(t, err, "empty secret")
	_, _, err = f.StoreToken(context.Background(), scope, 1, apierr.FleetToken{Secret: []byte("x"), TTL: -1})
	require.ErrorContains(t, err, "negative TTL")
}

func TestTokenExpiresWithItsTTL(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	fence, _, err := f.AcquireLease(ctx, scope, "A", time.Second)
	require.NoError(t, err)
	gen, ok, err := f.StoreToken(ctx, scope, fence, apierr.FleetToken{Secret: []byte("t"), TTL: 10 * time.Second})
	require.NoError(t, err)
	require.True(t, ok)

	m.FastForward(9 * time.Second)
	tok, err := f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, gen, tok.Gen)
	assert.Equal(t, time.Second, tok.TTL, "the remaining time on Redis's clock")

	m.FastForward(time.Second)
	tok, err = f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, tok.Gen, "expired")

	// A token without expiry stays, and says so with a zero TTL.
	fence, _, err = f.AcquireLease(ctx, scope, "A", time.Second)
	require.NoError(t, err)
	_, ok, err = f.StoreToken(ctx, scope, fence, apierr.FleetToken{Secret: []byte("forever")})
	require.NoError(t, err)
	require.True(t, ok)
	m.FastForward(1000 * time.Hour)
	tok, err = f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, "forever", string(tok.Secret))
	assert.Zero(t, tok.TTL)
}

// TestInvalidateOnlyTheRejectedGeneration: a 401 to generation 1 arriving
// after generation 2 was stored must not drop generation 2.
func TestInvalidateOnlyTheRejectedGeneration(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()
	g1 := storeAs(t, f, "A", "one")
	g2 := storeAs(t, f, "A", "two")
	require.Greater(t, g2, g1)

	dropped, err := f.InvalidateToken(ctx, scope, g1)
	require.NoError(t, err)
	assert.False(t, dropped)
	tok, err := f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, "two", string(tok.Secret))

	dropped, err = f.InvalidateToken(ctx, scope, g2)
	require.NoError(t, err)
	assert.True(t, dropped)
	tok, err = f.Token(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, tok.Gen)

	dropped, err = f.InvalidateToken(ctx, scope, g2)
	require.NoError(t, err)
	assert.False(t, dropped, "twice is a no-op")
}

func TestWaitToken(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()

	t.Run("a newer generation arrives", func(t *testing.T) {
		old := storeAs(t, f, "A", "old")
		fence, ok, err := f.AcquireLease(ctx, scope, "A", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		stored := make(chan int64, 1)
		time.AfterFunc(30*time.Millisecond, func() {
			gen, _, _ := f.StoreToken(ctx, scope, fence, apierr.FleetToken{Secret: []byte("new"), TTL: time.Hour})
			_ = f.ReleaseLease(ctx, scope, "A", fence)
			stored <- gen
		})
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		tok, err := f.WaitToken(wctx, scope, old)
		require.NoError(t, err)
		assert.Equal(t, "new", string(tok.Secret))
		assert.Equal(t, <-stored, tok.Gen)
	})
	t.Run("the holder gives up", func(t *testing.T) {
		cur, err := f.Token(ctx, scope)
		require.NoError(t, err)
		fence, ok, err := f.AcquireLease(ctx, scope, "A", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		time.AfterFunc(30*time.Millisecond, func() { _ = f.ReleaseLease(ctx, scope, "A", fence) })
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		tok, err := f.WaitToken(wctx, scope, cur.Gen)
		require.NoError(t, err)
		assert.Zero(t, tok.Gen, "no lease and no new token: take the lease yourself")
	})
	t.Run("the deadline ends the wait", func(t *testing.T) {
		cur, err := f.Token(ctx, scope)
		require.NoError(t, err)
		fence, ok, err := f.AcquireLease(ctx, scope, "A", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		defer func() { _ = f.ReleaseLease(ctx, scope, "A", fence) }()
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = f.WaitToken(wctx, scope, cur.Gen)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

// storeAs stores secret under a fresh lease of holder and returns its generation.
func storeAs(t *testing.T, f *Fleet, holder, secret string) int64 {
	t.Helper()
	ctx := context.Background()
	fence, ok, err := f.AcquireLease(ctx, scope, holder, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	gen, ok, err := f.StoreToken(ctx, scope, fence, apierr.FleetToken{Secret: []byte(secret), TTL: time.Hour})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, f.ReleaseLease(ctx, scope, holder, fence))
	return gen
}
