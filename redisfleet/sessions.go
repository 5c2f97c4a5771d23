package redisfleet

import (
	"context"
	"time"

	"github.com/accessapi/apierr"
)

// JoinSession records holder as a user of scope's session until ttl from
// now on Redis's clock, and drops holders whose time has passed.
func (f *Fleet) JoinSession(ctx context.Context, scope, holder string, ttl time.Duration) error {
	if err := checkHolder(holder); err != nil {
		return err
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "join session", scriptJoin, []string{k.holders}, holder, millis(ttl))
	if err != nil {
		return err
	}
	_, err = asInt("join session", v)
	return err
}

// LeaveSession removes holder. When no live holder remains it takes the
// token out of the fleet in the same step and returns it, so that exactly
// one process, the last, logs the session out.
func (f *Fleet) LeaveSession(ctx context.Context, scope, holder string) (bool, apierr.FleetToken, error) {
	if err := checkHolder(holder); err != nil {
		return false, apierr.FleetToken{}, err
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "leave session", scriptLeave, []string{k.holders, k.token}, holder)
	if err != nil {
		return false, apierr.FleetToken{}, err
	}
	r := asReply("leave session", v)
	if r.int(0) != 1 {
		return false, apierr.FleetToken{}, r.err
	}
	gen, sealed := r.int(1), r.str(2)
	if r.err != nil {
		return false, apierr.FleetToken{}, r.err
	}
	tok := apierr.FleetToken{Gen: gen}
	if gen != 0 {
		if tok.Secret, err = f.open(k, []byte(sealed)); err != nil {
			return true, apierr.FleetToken{}, err
		}
	}
	return true, tok, nil
}
