package redisfleet

import (
	"context"
	"errors"
	"time"

	"github.com/accessapi/apierr"
)

// SetLockout records l for l.Wait from now on Redis's clock, unless a
// longer lockout is already in force.
func (f *Fleet) SetLockout(ctx context.Context, scope string, l apierr.FleetLockout) error {
	if l.Wait <= 0 {
		return errors.New("redisfleet: set lockout: the wait must be positive")
	}
	reauth := 0
	if l.Reauth {
		reauth = 1
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "set lockout", scriptLockSet, []string{k.lockout}, millis(l.Wait), l.Status, l.Code, reauth)
	if err != nil {
		return err
	}
	_, err = asInt("set lockout", v)
	return err
}

// Lockout returns the lockout in force for scope, with its remaining time on
// Redis's clock; a zero FleetLockout when there is none.
func (f *Fleet) Lockout(ctx context.Context, scope string) (apierr.FleetLockout, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "lockout", scriptLockGet, []string{k.lockout})
	if err != nil {
		return apierr.FleetLockout{}, err
	}
	r := asReply("lockout", v)
	ttl, status, code, reauth := r.int(0), r.int(1), r.str(2), r.int(3)
	if r.err != nil || ttl <= 0 {
		return apierr.FleetLockout{}, r.err
	}
	return apierr.FleetLockout{
		Wait: time.Duration(ttl) * time.Millisecond, Status: int(status), Code: code, Reauth: reauth == 1,
	}, nil
}
