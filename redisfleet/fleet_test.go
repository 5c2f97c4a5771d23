package redisfleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRefusesBadInput(t *testing.T) {
	bound := redis.NewClient(ClientOptions("unix", "/nonexistent/redis.sock"))
	t.Cleanup(func() { _ = bound.Close() })
	unbound := redis.NewClient(&redis.Options{Network: "unix", Addr: "/nonexistent/redis.sock"})
	t.Cleanup(func() { _ = unbound.Close() })

	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
		key  []byte
		opts []Option
		want string
	}{
		{"nil client", nil, testKey, nil, "nil redis client"},
		{"no key", bound, nil, nil, "must be 32 bytes (AES-256), not 0"},
		{"AES-128 key", bound, testKey[:16], nil, "not 16"},
		{"31 bytes", bound, testKey[:31], nil, "not 31"},
		{"33 bytes", bound, append(append([]byte{}, testKey...), 1), nil, "not 33"},
		{"unbounded client", unbound, testKey, nil, "ContextTimeoutEnabled"},
		{"empty prefix", bound, testKey, []Option{WithPrefix("")}, "WithPrefix"},
		{"prefix with a brace", bound, testKey, []Option{WithPrefix("a{b")}, "WithPrefix"},
		{"zero op timeout", bound, testKey, []Option{WithOpTimeout(0)}, "WithOpTimeout"},
		{"breaker of 0 errors", bound, testKey, []Option{WithBreaker(0, time.Second)}, "WithBreaker"},
		{"breaker without pause", bound, testKey, []Option{WithBreaker(3, 0)}, "WithBreaker"},
		{"nil option", bound, testKey, []Option{nil}, "nil option"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := New(tc.rdb, tc.key, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "redisfleet: "), err.Error())
		})
	}
	t.Run("unbounded client allowed by option", func(t *testing.T) {
		f, err := New(unbound, testKey, WithUnboundedClient())
		require.NoError(t, err)
		assert.NotNil(t, f)
	})
}

func TestClientOptionsBindDeadlines(t *testing.T) {
	o := ClientOptions("tcp", "127.0.0.1:6379")
	assert.True(t, o.ContextTimeoutEnabled)
	assert.Equal(t, -1, o.MaxRetries, "no command retries")
	assert.Equal(t, 1, o.DialerRetries, "no dial retries")
	assert.LessOrEqual(t, o.DialerRetryTimeout, time.Millisecond, "no pause after a failed dial")
	for name, d := range map[string]time.Duration{
		"dial": o.DialTimeout, "read": o.ReadTimeout, "write": o.WriteTimeout, "pool": o.PoolTimeout,
	} {
		assert.Positive(t, d, name)
		assert.LessOrEqual(t, d, 500*time.Millisecond, name)
	}
}

func TestKeyNamesHideTheScope(t *testing.T) {
	f, err := New(deadClient(t), testKey, WithPrefix("acme"))
	require.NoError(t, err)
	k := f.keysFor(scope)
	for _, name := range []string{k.token, k.gen, k.fence, k.lease, k.holders, k.lockout} {
		assert.True(t, strings.HasPrefix(name, "acme:{"), name)
		assert.NotContains(t, name, scope[:16])
		assert.Equal(t, 1, strings.Count(name, "{"), name)
	}
	assert.NotEqual(t, k.base, f.keysFor(scope+"0").base, "another scope gets other keys")

	g, err := New(deadClient(t), otherKey, WithPrefix("acme"))
	require.NoError(t, err)
	assert.NotEqual(t, k.base, g.keysFor(scope).base, "another fleet key gets other key names")
}

func TestSealOpensOnlyWithTheKeyAndScope(t *testing.T) {
	f, err := New(deadClient(t), testKey)
	require.NoError(t, err)
	g, err := New(deadClient(t), otherKey)
	require.NoError(t, err)
	k := f.keysFor(scope)
	secret := []byte(`{"access_token":"s3cr3t-token"}`)

	a, err := f.seal(k, secret)
	require.NoError(t, err)
	b, err := f.seal(k, secret)
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "a random nonce per value")
	assert.NotContains(t, string(a), "s3cr3t")

	got, err := f.open(k, a)
	require.NoError(t, err)
	assert.Equal(t, secret, got)

	for name, open := range map[string]func() ([]byte, error){
		"another fleet key": func() ([]byte, error) { return g.open(g.keysFor(scope), a) },
		"another scope":     func() ([]byte, error) { return f.open(f.keysFor("other"), a) },
		"a flipped bit": func() ([]byte, error) {
			c := append([]byte{}, a...)
			c[len(c)-1] ^= 1
			return f.open(k, c)
		},
		"another version": func() ([]byte, error) {
			c := append([]byte{}, a...)
			c[0] = 2
			return f.open(k, c)
		},
		"truncated": func() ([]byte, error) { return f.open(k, a[:10]) },
	} {
		t.Run(name, func(t *testing.T) {
			p, err := open()
			require.ErrorIs(t, err, errSealed)
			assert.Nil(t, p)
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func FuzzOpen(f *testing.F) {
	fl, err := New(deadClient(f), testKey)
	require.NoError(f, err)
	k := fl.keysFor(scope)
	good, err := fl.seal(k, []byte("token"))
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, good[1]})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := fl.open(k, b)
		if err != nil {
			require.Nil(t, p)
			return
		}
		// Only a value sealed with the key opens, and it opens to what was sealed.
		require.Equal(t, "token", string(p))
	})
}

func TestReplyParsingIsLenient(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"not an array", "OK"},
		{"too short", []any{int64(1)}},
		{"wrong types", []any{"1", int64(2), "x", int64(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := asReply("token", tc.v)
			_, _, _, _ = r.int(0), r.str(1), r.int(2), r.int(3)
			require.Error(t, r.err)
			assert.Contains(t, r.err.Error(), "redisfleet: token:")
		})
	}
	_, err := asInt("x", "1")
	require.Error(t, err)
}

func TestBreakerOpensAndProbes(t *testing.T) {
	now := time.Unix(1000, 0)
	b := newBreaker(3, time.Second, func() time.Time { return now })
	for i := 0; i < 2; i++ {
		require.True(t, b.allow())
		b.done(false)
	}
	require.True(t, b.allow(), "below the threshold Redis is still asked")
	b.done(false)
	assert.True(t, b.open())
	assert.False(t, b.allow(), "open: skip Redis")

	now = now.Add(time.Second)
	require.True(t, b.allow(), "after the pause one probe goes through")
	assert.False(t, b.allow(), "only one probe at a time")
	b.done(false)
	assert.False(t, b.allow(), "a failed probe opens it again")

	now = now.Add(time.Second)
	require.True(t, b.allow())
	b.abandon()
	require.True(t, b.allow(), "an abandoned probe frees the slot")
	b.done(true)
	assert.False(t, b.open())
	assert.True(t, b.allow())
}

// TestCancelledCallerDoesNotCountAgainstRedis: an operation whose caller had
// already given up returns the caller's error and leaves the breaker closed.
func TestCancelledCallerDoesNotCountAgainstRedis(t *testing.T) {
	f, _ := miniFleet(t, WithBreaker(1, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Token(ctx, scope)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, f.br.open())
}
