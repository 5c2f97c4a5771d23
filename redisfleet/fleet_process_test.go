package redisfleet

import (
	"context"
	"encoding/hex"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/redisfleet/internal/redisserver"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run real worker processes (this test binary, re-executed)
// against fakes and a redis-server in this process.

const workers = 4

func tapkeyJob(t *testing.T, tk *apierrtest.Server[tapkey.Code], socket string) workerJob {
	c := tk.Credentials()
	return workerJob{
		Kind: "tapkey", Base: tk.URL() + "/api/v1/", TokenURL: tk.TokenURL(),
		ClientID: c.ClientID, Secret: c.ClientSecret,
		Redis: socket, Key: hex.EncodeToString(testKey),
		Calls: 10, Phases: 1, Every: 5 * time.Millisecond, Deadline: 10 * time.Second, OpTimeout: time.Second,
	}
}

func startWorkers(t *testing.T, n int, job workerJob) []*worker {
	ws := make([]*worker, n)
	for i := range ws {
		ws[i] = startWorker(t, job)
	}
	return ws
}

// TestFleetOneTokenRequest: 4 worker processes share one token; after the
// API revokes it, they get one new token between them.
func TestFleetOneTokenRequest(t *testing.T) {
	srv, rdb := realRedis(t)
	tk := apierrtest.NewTapkey()
	t.Cleanup(tk.Close)
	job := tapkeyJob(t, tk, srv.Socket)
	job.Phases = 2

	reps := runPhases(t, startWorkers(t, workers, job), 2, func(phase int) {
		if phase != 1 {
			return
		}
		assert.Equal(t, 1, tk.TokenRequests(), "token requests for %d workers", workers)
		tk.RevokeAll()
		assertNoSecretIn(t, rdb, tk.Credentials().ClientSecret, tk.Credentials().ClientID, "at-")
	})
	ok, failed, errs, _ := totals(reps)
	assert.Zero(t, failed, errs)
	assert.Equal(t, workers*2*job.Calls, ok)
	alone := 0
	for _, r := range reps {
		alone += r.TokenFallbacks
	}
	// One token, then one refresh after the revocation; a worker that the
	// fleet failed (a Redis call past its deadline on a loaded machine)
	// fetches its own, and says so.
	assert.GreaterOrEqual(t, tk.TokenRequests(), 2, "one token, then one refresh after the revocation")
	assert.LessOrEqual(t, tk.TokenRequests(), 2+alone, "one token, then one refresh after the revocation (%d token steps taken alone)", alone)
	t.Logf("%d workers, %d calls: %d token requests, %d token steps taken alone", workers, ok, tk.TokenRequests(), alone)
}

// TestFleetOneExosSession: 4 workers share one exos session on a server
// that allows one session at a time; the last to close logs it out.
func TestFleetOneExosSession(t *testing.T) {
	srv, rdb := realRedis(t)
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	t.Cleanup(ex.Close)
	c := ex.Credentials()
	job := workerJob{
		Kind: "exos", Base: ex.URL() + "/", Login: ex.LoginURL(), Logout: ex.LogoutURL(),
		User: c.UserName, Password: c.Password, APIKey: c.APIKey,
		Redis: srv.Socket, Key: hex.EncodeToString(testKey),
		Calls: 10, Phases: 1, Every: 5 * time.Millisecond, Deadline: 10 * time.Second, OpTimeout: time.Second,
	}
	reps := runPhases(t, startWorkers(t, workers, job), 1, func(int) {
		assertNoSecretIn(t, rdb, c.Password, c.APIKey, c.UserName, "at-")
	})
	ok, failed, errs, _ := totals(reps)
	assert.Zero(t, failed, errs)
	assert.Equal(t, workers*job.Calls, ok)
	assert.Equal(t, 1, ex.Logins(), "logins")
	assert.Equal(t, 1, ex.Logouts(), "logouts: only the last worker")
	t.Logf("%d workers, %d calls: %d login, %d logout", workers, ok, ex.Logins(), ex.Logouts())
}

// TestFleetPausedHolderIsFenced: worker A takes the lease and asks for a
// token, and is paused (SIGSTOP) before it can store it. Its lease expires;
// worker B gets the next lease and stores its token. Resumed, A's write is
// refused by Redis (older fence): one generation only, and A uses B's token.
func TestFleetPausedHolderIsFenced(t *testing.T) {
	srv, rdb := realRedis(t)
	tk := apierrtest.NewTapkey()
	t.Cleanup(tk.Close)
	tk.InjectPath("/connect/token", 1, apierrtest.Slow(time.Second)) // A's answer comes while A is stopped
	job := tapkeyJob(t, tk, srv.Socket)
	job.Calls, job.Deadline = 1, 30*time.Second

	a := startWorker(t, job)
	require.Eventually(t, func() bool { return tk.TokenRequests() == 1 }, 10*time.Second, time.Millisecond)
	require.NoError(t, syscall.Kill(a.cmd.Process.Pid, syscall.SIGSTOP))
	stopped := true
	defer func() {
		if stopped {
			_ = syscall.Kill(a.cmd.Process.Pid, syscall.SIGCONT)
		}
	}()

	job.Calls = 3
	b := startWorker(t, job)
	b.awaitLine(t, "phase 1 done", 20*time.Second)
	assert.Equal(t, 2, tk.TokenRequests(), "B fetched after A's lease expired")

	require.NoError(t, syscall.Kill(a.cmd.Process.Pid, syscall.SIGCONT))
	stopped = false
	a.awaitLine(t, "phase 1 done", 20*time.Second)
	assert.Equal(t, "1", generations(t, rdb), "A's late write was refused: one generation")
	a.proceed(t)
	b.proceed(t)
	ra, rb := a.finish(t, 10*time.Second), b.finish(t, 10*time.Second)
	assert.Equal(t, 1, ra.OK, ra.Errors)
	assert.Equal(t, 3, rb.OK, rb.Errors)
	assert.Equal(t, 2, tk.TokenRequests(), "A used B's token, it did not fetch again")
}

// TestFleetRedisTrouble: Redis killed, or paused for 3 s, while 4 workers
// call with 3-second tokens (so that they refresh during the trouble): no
// call fails.
func TestFleetRedisTrouble(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trouble func(t *testing.T, s *redisserver.Server)
	}{
		{"killed", func(t *testing.T, s *redisserver.Server) { s.Kill() }},
		{"paused 3s", func(t *testing.T, s *redisserver.Server) {
			require.NoError(t, s.Pause())
			time.Sleep(3 * time.Second)
			require.NoError(t, s.Resume())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := realRedis(t)
			tk := apierrtest.NewTapkey(apierrtest.WithTokenLifetime(3 * time.Second))
			t.Cleanup(tk.Close)
			job := tapkeyJob(t, tk, srv.Socket)
			job.Calls, job.Every, job.Deadline = 200, 25*time.Millisecond, 5*time.Second
			job.OpTimeout = DefaultOpTimeout
			ws := startWorkers(t, workers, job)
			time.Sleep(time.Second)
			tc.trouble(t, srv)
			reps := runPhases(t, ws, 1, nil)
			ok, failed, errs, lat := totals(reps)
			assert.Zero(t, failed, errs)
			t.Logf("redis %s: %d ok, %d failed; latency p50 %v p99 %v max %v; %d token requests",
				tc.name, ok, failed, quantile(lat, 0.5), quantile(lat, 0.99), quantile(lat, 1), tk.TokenRequests())
		})
	}
}

// generations returns the value of the fleet's generation counter.
func generations(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), "*:gen").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	v, err := rdb.Get(context.Background(), keys[0]).Result()
	require.NoError(t, err)
	return v
}

// assertNoSecretIn reads every key and value in Redis and checks that none
// of the secrets occurs in them.
func assertNoSecretIn(t *testing.T, rdb *redis.Client, secrets ...string) {
	t.Helper()
	dump := dumpRedis(t, rdb)
	require.NotEmpty(t, dump)
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.False(t, strings.Contains(dump, s), "a secret (%.3s…) is in Redis", s)
	}
}

// TestFleetOneLockout: exos refuses the password; the first worker's failed
// login locks the fleet out (on Redis's clock), so the other workers fail at
// once without a login of their own: one failed login, not four.
func TestFleetOneLockout(t *testing.T) {
	srv, _ := realRedis(t)
	ex := apierrtest.NewExos()
	t.Cleanup(ex.Close)
	c := ex.Credentials()
	job := workerJob{
		Kind: "exos", Base: ex.URL() + "/", Login: ex.LoginURL(), Logout: ex.LogoutURL(),
		User: c.UserName, Password: "wrong-" + c.Password, APIKey: c.APIKey,
		Redis: srv.Socket, Key: hex.EncodeToString(testKey),
		Calls: 3, Phases: 1, Every: 5 * time.Millisecond, Deadline: 10 * time.Second, OpTimeout: time.Second,
	}
	reps := runPhases(t, startWorkers(t, workers, job), 1, nil)
	ok, failed, errs, _ := totals(reps)
	assert.Zero(t, ok)
	assert.Equal(t, workers*job.Calls, failed)
	for _, e := range errs {
		assert.Contains(t, e, "re-authentication needed", e)
	}
	assert.Equal(t, 1, ex.Logins(), "one refused login for the fleet")
}
