package redisfleet

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/accessapi/apierr"
)

// Token returns scope's current token, opened, with its remaining lifetime
// on Redis's clock.
func (f *Fleet) Token(ctx context.Context, scope string) (apierr.FleetToken, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "token", scriptGet, []string{k.token, k.lease})
	if err != nil {
		return apierr.FleetToken{}, err
	}
	r := asReply("token", v)
	gen, sealed, ttl, held := r.int(0), r.str(1), r.int(2), r.int(3)
	if r.err != nil {
		return apierr.FleetToken{}, r.err
	}
	tok := apierr.FleetToken{Gen: gen, LeaseHeld: held == 1}
	if gen == 0 {
		return tok, nil
	}
	if tok.Secret, err = f.open(k, []byte(sealed)); err != nil {
		return apierr.FleetToken{}, err
	}
	if ttl > 0 {
		tok.TTL = time.Duration(ttl) * time.Millisecond
	}
	return tok, nil
}

// AcquireLease grants holder the lease of scope with a new fence, unless
// another holder's lease has not expired.
func (f *Fleet) AcquireLease(ctx context.Context, scope, holder string, ttl time.Duration) (int64, bool, error) {
	if err := checkHolder(holder); err != nil {
		return 0, false, err
	}
	k := f.keysFor(scope)
	v, err := f.run(ctx, "acquire lease", scriptAcquire, []string{k.lease, k.fence}, holder, millis(ttl))
	if err != nil {
		return 0, false, err
	}
	r := asReply("acquire lease", v)
	ok, fence := r.int(0), r.int(1)
	if r.err != nil || ok != 1 {
		return 0, false, r.err
	}
	return fence, true, nil
}

// RenewLease extends holder's lease to ttl from now if it still holds it
// under fence, for a token request that outlasts the lease. It reports
// whether the lease was still held.
func (f *Fleet) RenewLease(ctx context.Context, scope, holder string, fence int64, ttl time.Duration) (bool, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "renew lease", scriptRenew, []string{k.lease}, leaseValue(fence, holder), millis(ttl))
	if err != nil {
		return false, err
	}
	n, err := asInt("renew lease", v)
	return n == 1, err
}

// ReleaseLease ends holder's lease if fence is still its fence.
func (f *Fleet) ReleaseLease(ctx context.Context, scope, holder string, fence int64) error {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "release lease", scriptRelease, []string{k.lease}, leaseValue(fence, holder))
	if err != nil {
		return err
	}
	_, err = asInt("release lease", v)
	return err
}

// StoreToken seals tok.Secret and writes it as scope's new generation,
// unless a lease newer than fence was granted.
func (f *Fleet) StoreToken(ctx context.Context, scope string, fence int64, tok apierr.FleetToken) (int64, bool, error) {
	if len(tok.Secret) == 0 {
		return 0, false, errors.New("redisfleet: store token: empty secret")
	}
	if tok.TTL < 0 {
		return 0, false, errors.New("redisfleet: store token: negative TTL")
	}
	k := f.keysFor(scope)
	sealed, err := f.seal(k, tok.Secret)
	if err != nil {
		return 0, false, err
	}
	ttl := int64(0)
	if tok.TTL > 0 {
		ttl = millis(tok.TTL)
	}
	v, err := f.run(ctx, "store token", scriptStore, []string{k.token, k.fence, k.gen}, fence, sealed, ttl)
	if err != nil {
		return 0, false, err
	}
	gen, err := asInt("store token", v)
	if err != nil || gen == 0 {
		return 0, false, err
	}
	return gen, true, nil
}

// InvalidateToken drops scope's token if its generation is still gen.
func (f *Fleet) InvalidateToken(ctx context.Context, scope string, gen int64) (bool, error) {
	k := f.keysFor(scope)
	v, err := f.run(ctx, "invalidate token", scriptInvalidate, []string{k.token}, gen)
	if err != nil {
		return false, err
	}
	n, err := asInt("invalidate token", v)
	return n == 1, err
}

// WaitToken polls scope's token, backing off from 5 ms to 100 ms with
// jitter, until its generation differs from after (and is not 0), or no
// lease is held (then it returns a zero token: the holder gave up), or ctx
// ends. Any Redis failure ends the wait with that error.
func (f *Fleet) WaitToken(ctx context.Context, scope string, after int64) (apierr.FleetToken, error) {
	wait := pollMin
	for {
		tok, err := f.Token(ctx, scope)
		if err != nil {
			return apierr.FleetToken{}, err
		}
		if tok.Gen != 0 && tok.Gen != after {
			return tok, nil
		}
		if !tok.LeaseHeld {
			return apierr.FleetToken{}, nil
		}
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return apierr.FleetToken{}, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
	}
}

// leaseValue is what the lease key holds: the fence and the holder.
func leaseValue(fence int64, holder string) string {
	return strconv.FormatInt(fence, 10) + "|" + holder
}

// checkHolder refuses an empty holder name: every holder would match it.
func checkHolder(holder string) error {
	if holder == "" {
		return errors.New("redisfleet: empty holder")
	}
	return nil
}

// millis is d in whole milliseconds, at least 1 (Redis refuses PX 0).
func millis(d time.Duration) int64 {
	return max(int64(d/time.Millisecond), 1)
}
