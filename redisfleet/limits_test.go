package redisfleet

import (
	"context"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shared limits' scripts, on miniredis whose clock (TIME, and the keys'
// expiry with FastForward) the test sets, and on a real redis-server.

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func TestGateOnRedisClock(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	d, err := f.GateClosedFor(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, d, "open at first")

	d, err = f.CloseGate(ctx, scope, time.Second)
	require.NoError(t, err)
	assert.Equal(t, time.Second, d)
	d, err = f.CloseGate(ctx, scope, 300*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, time.Second, d, "a longer closure in force is kept")

	m.FastForward(600 * time.Millisecond)
	d, err = f.GateClosedFor(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, 400*time.Millisecond, d, "Redis's clock, not ours")
	d, err = f.CloseGate(ctx, scope, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, d, "a longer closure replaces a shorter")

	require.NoError(t, f.OpenGate(ctx, scope))
	d, err = f.GateClosedFor(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, d)

	_, err = f.CloseGate(ctx, scope, time.Second)
	require.NoError(t, err)
	m.FastForward(time.Second)
	d, err = f.GateClosedFor(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, d, "it opens when the closure ends")
	other, err := f.GateClosedFor(ctx, scope[1:])
	require.NoError(t, err)
	assert.Zero(t, other, "another scope has its own gate")
}

// TestReserveGCRA: 10 req/s with a burst of 2 on Redis's clock: two go at
// once, the third waits 100 ms, a fourth that would wait 200 ms > maxWait
// takes nothing; time passing frees the slots; a faster rate respaces the
// slots taken ahead; a closed gate takes nothing and says for how long.
func TestReserveGCRA(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	m.SetTime(t0)
	r := apierr.FleetReserve{Bucket: "configured", Rate: 10, Burst: 2, MaxWait: 150 * time.Millisecond}
	want := []apierr.FleetReservation{
		{Wait: 0, OK: true}, {Wait: 0, OK: true}, {Wait: 100 * time.Millisecond, OK: true},
		{Wait: 200 * time.Millisecond, OK: false}, {Wait: 200 * time.Millisecond, OK: false},
	}
	for i, w := range want {
		got, err := f.Reserve(ctx, scope, r)
		require.NoError(t, err)
		assert.Equal(t, w, got, "reservation %d", i)
	}
	m.SetTime(t0.Add(200 * time.Millisecond))
	got, err := f.Reserve(ctx, scope, r)
	require.NoError(t, err)
	assert.Equal(t, apierr.FleetReservation{Wait: 0, OK: true}, got, "the slots were freed by time")

	// Taken ahead up to 400 ms at 10/s; at 20/s those 200 ms become 100 ms.
	r.Rate = 20
	got, err = f.Reserve(ctx, scope, r)
	require.NoError(t, err)
	assert.Equal(t, apierr.FleetReservation{Wait: 50 * time.Millisecond, OK: true}, got)

	other, err := f.Reserve(ctx, scope, apierr.FleetReserve{Bucket: "learned", Rate: 10, Burst: 1})
	require.NoError(t, err)
	assert.Equal(t, apierr.FleetReservation{OK: true}, other, "another bucket is its own")

	_, err = f.CloseGate(ctx, scope, time.Second)
	require.NoError(t, err)
	got, err = f.Reserve(ctx, scope, r)
	require.NoError(t, err)
	assert.Equal(t, apierr.FleetReservation{GateClosed: time.Second}, got, "the gate is closed: nothing taken")
}

// TestSendsCountedPerSlot: learned reservations are counted in the slot
// of Redis time they send in; Sends reads them oldest first.
func TestSendsCountedPerSlot(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	const slot = 5 * time.Millisecond
	r := apierr.FleetReserve{Bucket: "learned", Rate: 1000, Burst: 3, MaxWait: time.Second, CountSlot: slot}
	m.SetTime(t0)
	for range 3 { // in the burst: now's slot
		_, err := f.Reserve(ctx, scope, r)
		require.NoError(t, err)
	}
	m.SetTime(t0.Add(10 * time.Millisecond))
	for range 2 {
		_, err := f.Reserve(ctx, scope, r)
		require.NoError(t, err)
	}
	r.CountSlot = 0
	_, err := f.Reserve(ctx, scope, r) // not counted
	require.NoError(t, err)
	m.SetTime(t0.Add(12 * time.Millisecond))
	got, err := f.Sends(ctx, scope, slot, 15*time.Millisecond, 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{0, 3, 0, 2}, got, "slots -15, -10, -5, 0 ms of 5 ms; oldest first")
	got, err = f.Sends(ctx, scope, slot, 10*time.Millisecond, 7*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, []int64{0, 3, 0}, got, "ending at the slot of 7 ms ago (t0+5 ms): the sends at t0+10 ms come after it")
	got, err = f.Sends(ctx, scope, slot, 5*time.Millisecond, 12*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, []int64{0, 3}, got, "ending at t0's slot")

	// A send that waits for its slot counts in the slot it goes in: at
	// 100/s with a burst of 1, the second one goes 10 ms after t0.
	other := scope[1:]
	r = apierr.FleetReserve{Bucket: "learned", Rate: 100, Burst: 1, MaxWait: time.Second, CountSlot: slot}
	m.SetTime(t0)
	for _, want := range []time.Duration{0, 10 * time.Millisecond} {
		res, err := f.Reserve(ctx, other, r)
		require.NoError(t, err)
		require.True(t, res.OK)
		require.Equal(t, want, res.Wait)
	}
	m.SetTime(t0.Add(12 * time.Millisecond))
	got, err = f.Sends(ctx, other, slot, 15*time.Millisecond, 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{0, 1, 0, 1}, got, "t0's slot, then t0+10 ms's")

	m.SetTime(t0.Add(time.Hour))
	got, err = f.Sends(ctx, scope, slot, time.Hour, 0)
	require.NoError(t, err)
	assert.Len(t, got, apierr.FleetSendSlots, "at most what the ring keeps")
	assert.Equal(t, make([]int64, apierr.FleetSendSlots), got, "old counts are not read as new ones")
}

func TestRateSwapByVersion(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	m.SetTime(t0)
	r, err := f.LoadRate(ctx, scope)
	require.NoError(t, err)
	assert.Nil(t, r.State, "none yet")
	assert.Zero(t, r.Version)
	assert.True(t, r.Now.Equal(t0), "Redis's clock: %v", r.Now)

	ok, err := f.SwapRate(ctx, scope, 0, []byte("one\x00\xff"))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = f.SwapRate(ctx, scope, 0, []byte("stale"))
	require.NoError(t, err)
	assert.False(t, ok, "a writer that read version 0 comes second")
	r, err = f.LoadRate(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, int64(1), r.Version)
	assert.Equal(t, []byte("one\x00\xff"), r.State, "binary state kept as written")
	ok, err = f.SwapRate(ctx, scope, 1, []byte("two"))
	require.NoError(t, err)
	assert.True(t, ok)

	_, err = f.SwapRate(ctx, scope, -1, nil)
	require.Error(t, err)
}

func TestBudgetTakeGive(t *testing.T) {
	f, _ := miniFleet(t)
	ctx := context.Background()
	for i, step := range []struct {
		take bool
		n    int64
		want bool // taken, or full after giving
	}{
		{true, 5, true}, {true, 4, true}, {true, 2, false}, // 1 left of 10
		{false, 3, false}, {true, 4, true}, // 4 left, then 0
		{false, 100, true}, // capped at full
		{true, 10, true}, {true, 1, false},
	} {
		var got bool
		var err error
		if step.take {
			got, err = f.TakeBudget(ctx, scope, step.n, 10)
		} else {
			got, err = f.GiveBudget(ctx, scope, step.n, 10)
		}
		require.NoError(t, err)
		assert.Equal(t, step.want, got, "step %d", i)
	}
	_, err := f.TakeBudget(ctx, scope, -1, 10)
	require.Error(t, err)
}

// TestSlotsExpireUnlessRenewed: at most limit slots; a released slot is
// free again; a slot whose holder stops heartbeating expires on Redis's
// clock, while a live holder's heartbeat renews its own.
func TestSlotsExpireUnlessRenewed(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()
	m.SetTime(t0)
	take := func(name string) bool {
		ok, err := f.AcquireSlot(ctx, scope, name, 2, time.Second)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, take("a|1"))
	assert.True(t, take("b|1"))
	assert.False(t, take("a|2"), "both taken")
	require.NoError(t, f.ReleaseSlot(ctx, scope, "a|1"))
	assert.True(t, take("a|2"), "released")

	m.SetTime(t0.Add(800 * time.Millisecond))
	n, err := f.Heartbeat(ctx, scope, "a", 3*time.Second, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	m.SetTime(t0.Add(1500 * time.Millisecond)) // b|1 expired, a|2 renewed to 1.8 s
	assert.True(t, take("c|1"), "b crashed: its slot expired")
	assert.False(t, take("c|2"), "a's renewed slot still counts")

	n, err = f.Heartbeat(ctx, scope, "b", 3*time.Second, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "two live processes")
	m.SetTime(t0.Add(4 * time.Second))
	n, err = f.Heartbeat(ctx, scope, "c", 3*time.Second, time.Second)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "a's heartbeat ended at 3.8 s; b and c are live")

	_, err = f.AcquireSlot(ctx, scope, "x|1", 0, time.Second)
	require.Error(t, err)
	_, err = f.Heartbeat(ctx, scope, "", time.Second, time.Second)
	require.Error(t, err)
}

func TestReserveRefusesBadInput(t *testing.T) {
	f, err := New(deadClient(t), testKey)
	require.NoError(t, err)
	for name, r := range map[string]apierr.FleetReserve{
		"no bucket":      {Rate: 1, Burst: 1},
		"bucket brace":   {Bucket: "a}b", Rate: 1, Burst: 1},
		"bucket upper":   {Bucket: "Learned", Rate: 1, Burst: 1},
		"zero rate":      {Bucket: "b", Burst: 1},
		"negative burst": {Bucket: "b", Rate: 1, Burst: -1},
		"tiny slot":      {Bucket: "b", Rate: 1, Burst: 1, CountSlot: time.Nanosecond},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.Reserve(context.Background(), scope, r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "redisfleet: reserve: ")
		})
	}
	_, err = f.Sends(context.Background(), scope, 0, time.Second, 0)
	require.Error(t, err)
	_, err = f.Sends(context.Background(), scope, time.Millisecond, time.Second, -time.Millisecond)
	require.Error(t, err, "an end in the future")
}

// TestLimitsOnRealRedis runs the scripts on redis-server, whose clock is
// the real one: reservations at 100/s are spaced 10 ms apart, and counted.
func TestLimitsOnRealRedis(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()
	r := apierr.FleetReserve{Bucket: "learned", Rate: 100, Burst: 1, MaxWait: time.Second, CountSlot: 5 * time.Millisecond}
	// When each reservation lets its caller send, on our clock (the same
	// machine's): 10 ms apart, whatever the calls themselves took.
	start := time.Now()
	var at []time.Duration
	for range 5 {
		got, err := f.Reserve(ctx, scope, r)
		require.NoError(t, err)
		require.True(t, got.OK)
		at = append(at, time.Since(start)+got.Wait)
	}
	span := at[4] - at[0]
	assert.True(t, span >= 30*time.Millisecond && span <= 60*time.Millisecond, "4 intervals of 10 ms: %v", at)
	time.Sleep(60 * time.Millisecond) // until the last slot's time has come
	sends, err := f.Sends(ctx, scope, 5*time.Millisecond, time.Second, 0)
	require.NoError(t, err)
	total := int64(0)
	for _, n := range sends {
		total += n
	}
	assert.Equal(t, int64(5), total, "each counted in the slot it sends in (%v)", sends)
	d, err := f.CloseGate(ctx, scope, 200*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, 200*time.Millisecond, d)
	got, err := f.Reserve(ctx, scope, r)
	require.NoError(t, err)
	assert.False(t, got.OK)
	assert.InDelta(t, 200*time.Millisecond, got.GateClosed, float64(50*time.Millisecond))
}

// useLimits calls every operation of the shared limits once on scope, so
// that each of their keys exists.
func useLimits(t *testing.T, f *Fleet) {
	t.Helper()
	ctx := context.Background()
	_, err := f.CloseGate(ctx, scope, time.Minute)
	require.NoError(t, err)
	ok, err := f.SwapRate(ctx, scope, 0, []byte("state"))
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, f.OpenGate(ctx, scope))
	_, err = f.Reserve(ctx, scope, apierr.FleetReserve{Bucket: "learned", Rate: 100, Burst: 1, MaxWait: time.Second, CountSlot: 5 * time.Millisecond})
	require.NoError(t, err)
	_, err = f.TakeBudget(ctx, scope, 5, 100)
	require.NoError(t, err)
	_, err = f.GiveBudget(ctx, scope, 1, 100)
	require.NoError(t, err)
	_, err = f.AcquireSlot(ctx, scope, "holder-1/1", 5, time.Minute)
	require.NoError(t, err)
	_, err = f.Heartbeat(ctx, scope, "holder-1", time.Minute, time.Minute)
	require.NoError(t, err)
}

// TestLimitKeysExpire: every key the shared limits write expires, so that
// a scope no process uses any more leaves nothing behind in Redis.
func TestLimitKeysExpire(t *testing.T) {
	f, _, rdb := newFleet(t)
	ctx := context.Background()
	useLimits(t, f)
	_, err := f.CloseGate(ctx, scope, time.Minute) // the gate's key too
	require.NoError(t, err)
	var keys []string
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	require.NoError(t, iter.Err())
	require.GreaterOrEqual(t, len(keys), 7, "the gate, rate, bucket, sends, budget, slots and members keys: %v", keys)
	for _, k := range keys {
		ttl, err := rdb.PTTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Greater(t, ttl, time.Duration(0), "%s expires", k)
	}
}
