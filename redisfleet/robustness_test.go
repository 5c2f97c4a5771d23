package redisfleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHungRedisCostsOneDeadlineThenNothing: with Redis paused (SIGSTOP:
// connections open, nothing answers), each operation fails after its own
// deadline; after the breaker's threshold, operations fail at once without
// contacting Redis; once Redis answers again, a probe closes the breaker.
func TestHungRedisCostsOneDeadlineThenNothing(t *testing.T) {
	f, srv, _ := newFleet(t, WithOpTimeout(100*time.Millisecond), WithBreaker(3, 300*time.Millisecond))
	ctx := context.Background()
	_, err := f.Token(ctx, scope)
	require.NoError(t, err, "a warm connection")

	require.NoError(t, srv.Pause())
	resumed := false
	defer func() {
		if !resumed {
			_ = srv.Resume()
		}
	}()
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, err := f.Token(ctx, scope)
		took := time.Since(start)
		require.Error(t, err)
		assert.GreaterOrEqual(t, took, 90*time.Millisecond, "it waited for Redis")
		assert.Less(t, took, time.Second, "but only its own deadline")
		assert.True(t, strings.HasPrefix(err.Error(), "redisfleet: token: "), err.Error())
	}
	start := time.Now()
	_, err = f.Token(ctx, scope)
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Less(t, time.Since(start), 50*time.Millisecond, "the open breaker skips Redis")

	require.NoError(t, srv.Resume())
	resumed = true
	require.Eventually(t, func() bool {
		_, err := f.Token(ctx, scope)
		return err == nil
	}, 5*time.Second, 20*time.Millisecond, "a probe closes the breaker")
	assert.False(t, f.br.open())
}

// TestDeadRedisFailsFast: a killed Redis (connection refused) fails each
// operation well within its deadline, and then opens the breaker.
func TestDeadRedisFailsFast(t *testing.T) {
	f, srv, _ := newFleet(t, WithBreaker(3, time.Hour))
	ctx := context.Background()
	_, err := f.Token(ctx, scope)
	require.NoError(t, err)
	srv.Kill()
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, _, err := f.AcquireLease(ctx, scope, "A", time.Second)
		require.Error(t, err)
		assert.Less(t, time.Since(start), time.Second)
	}
	_, err = f.Lockout(ctx, scope)
	require.ErrorIs(t, err, ErrUnavailable)
}

// TestNoSecretInRedis scans every key the fleet wrote and reads every value:
// neither holds the token, the scope or anything of the identity.
func TestNoSecretInRedis(t *testing.T) {
	f, _, rdb := newFleet(t)
	ctx := context.Background()
	const token = "eyJhbGciOi.very-secret-access-token"
	secret := []byte(`{"access_token":"` + token + `","token_type":"Bearer","refresh_token":"rt-secret-123"}`)
	fence, _, err := f.AcquireLease(ctx, scope, "holder-1", time.Minute)
	require.NoError(t, err)
	_, ok, err := f.StoreToken(ctx, scope, fence, apierr.FleetToken{Secret: secret, TTL: time.Hour})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, f.JoinSession(ctx, scope, "holder-1", time.Minute))
	require.NoError(t, f.SetLockout(ctx, scope, apierr.FleetLockout{Wait: time.Minute, Status: 429, Code: "300016"}))
	useLimits(t, f)

	dump := dumpRedis(t, rdb)
	require.NotEmpty(t, dump)
	for _, s := range []string{token, "rt-secret-123", "access_token", scope, scope[:12]} {
		assert.NotContains(t, dump, s)
	}
}

// dumpRedis returns every key and value in rdb as text (SCAN, then GET,
// HGETALL or ZRANGE by type).
func dumpRedis(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		b.WriteString(k + "\n")
		typ, err := rdb.Type(ctx, k).Result()
		require.NoError(t, err)
		switch typ {
		case "string":
			v, err := rdb.Get(ctx, k).Result()
			require.NoError(t, err)
			b.WriteString(v + "\n")
		case "hash":
			v, err := rdb.HGetAll(ctx, k).Result()
			require.NoError(t, err)
			for hk, hv := range v {
				b.WriteString(hk + "=" + hv + "\n")
			}
		case "zset":
			v, err := rdb.ZRange(ctx, k, 0, -1).Result()
			require.NoError(t, err)
			b.WriteString(strings.Join(v, "\n") + "\n")
		default:
			t.Fatalf("unexpected type %s of %s", typ, k)
		}
	}
	require.NoError(t, iter.Err())
	return b.String()
}
