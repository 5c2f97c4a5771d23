package redisfleet

import (
	"context"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockoutIsSharedAndNeverShortened(t *testing.T) {
	f, m := miniFleet(t)
	ctx := context.Background()

	l, err := f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, l, "none yet")

	want := apierr.FleetLockout{Wait: time.Minute, Status: 429, Code: "300016"}
	require.NoError(t, f.SetLockout(ctx, scope, want))
	require.NoError(t, f.SetLockout(ctx, scope, apierr.FleetLockout{Wait: time.Second, Status: 400, Code: "300007"}),
		"a shorter lockout")
	l, err = f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, want, l, "the longer lockout is kept")

	m.FastForward(45 * time.Second)
	l, err = f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, 15*time.Second, l.Wait, "remaining on Redis's clock")

	longer := apierr.FleetLockout{Wait: 2 * time.Minute, Status: 401, Code: "300003", Reauth: true}
	require.NoError(t, f.SetLockout(ctx, scope, longer))
	l, err = f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, longer, l)

	m.FastForward(2 * time.Minute)
	l, err = f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Zero(t, l, "over")

	require.Error(t, f.SetLockout(ctx, scope, apierr.FleetLockout{}), "no wait")
}

func TestLockoutOnRealRedis(t *testing.T) {
	f, _, _ := newFleet(t)
	ctx := context.Background()
	require.NoError(t, f.SetLockout(ctx, scope, apierr.FleetLockout{Wait: time.Minute, Status: 429, Code: "300016"}))
	l, err := f.Lockout(ctx, scope)
	require.NoError(t, err)
	assert.Equal(t, 429, l.Status)
	assert.Equal(t, "300016", l.Code)
	assert.False(t, l.Reauth)
	assert.InDelta(t, time.Minute.Seconds(), l.Wait.Seconds(), 5)
}
