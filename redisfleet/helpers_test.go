package redisfleet

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/accessapi/apierr/redisfleet/internal/redisserver"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		runWorker() // a worker process of a fleet test; exits
	}
	goleak.VerifyTestMain(m)
}

// testKey is the fleet key of the tests; otherKey belongs to another fleet.
var (
	testKey  = bytes.Repeat([]byte{0x42}, KeySize)
	otherKey = bytes.Repeat([]byte{0x24}, KeySize)
)

const scope = "3f2a9c0e6d1b44a7b1c3d5e7f90a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a"

// realRedis starts a redis-server for t and returns a client of it.
func realRedis(t *testing.T) (*redisserver.Server, *redis.Client) {
	t.Helper()
	srv := redisserver.ForTest(t)
	rdb := redis.NewClient(ClientOptions("unix", srv.Socket))
	t.Cleanup(func() { _ = rdb.Close() })
	return srv, rdb
}

// newFleet returns a Fleet on a fresh redis-server.
func newFleet(t *testing.T, opts ...Option) (*Fleet, *redisserver.Server, *redis.Client) {
	t.Helper()
	srv, rdb := realRedis(t)
	// Generous deadlines, unless a test sets its own: these tests check the
	// scripts, on a machine shared with other builds.
	f, err := New(rdb, testKey, append([]Option{WithOpTimeout(2 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return f, srv, rdb
}

// miniFleet returns a Fleet on miniredis, whose clock the test controls.
func miniFleet(t *testing.T, opts ...Option) (*Fleet, *miniredis.Miniredis) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(ClientOptions("tcp", m.Addr()))
	t.Cleanup(func() { _ = rdb.Close() })
	f, err := New(rdb, testKey, append([]Option{WithOpTimeout(2 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return f, m
}

// deadClient is a client of nothing, for tests that never reach Redis.
func deadClient(t testing.TB) *redis.Client {
	rdb := redis.NewClient(ClientOptions("unix", "/nonexistent/redis.sock"))
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
