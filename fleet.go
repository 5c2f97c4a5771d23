package apierr

import (
	"context"
	"errors"
	"time"
)

// Fleet is state shared by every process that calls one API with one
// identity: a connector run on several workers behaves as one client (one
// token or exos session, one exos lockout). redisfleet.New returns one on
// Redis; WithFleet gives it to a client.
//
// The client calls these operations and decides what to do with their
// answers; an implementation stores and compares, atomically. Every
// operation must answer fast (Redis: about 100 ms) and may fail: on any error
// the client does, for that call, what a lone process does (its own token
// request or login, its own lockout), so a slow or absent store never fails
// a call. Implementations must be safe for concurrent use.
//
// scope names the API and the identity (a hex SHA-256 that the client
// computes from the base URL, the client id or API key and the user); it
// holds no secret, but an implementation should not use it in key names
// as it is. holder names one client in one process (random).
type Fleet interface {
	FleetTokens
	FleetSessions
	FleetLockouts
}

// FleetTokens keeps the fleet's current token, and the lease under which one
// process at a time fetches a new one.
type FleetTokens interface {
	// Token returns the current token of scope; its Gen is 0 when there is
	// none. LeaseHeld reports whether some process holds the lease.
	Token(ctx context.Context, scope string) (FleetToken, error)
	// AcquireLease grants holder the lease of scope for ttl, with a fence
	// larger than every fence granted before. ok is false while another
	// holder has an unexpired lease.
	AcquireLease(ctx context.Context, scope, holder string, ttl time.Duration) (fence int64, ok bool, err error)
	// RenewLease extends holder's lease to ttl from now if fence is still
	// its fence, and reports whether it was; a holder renews while it
	// fetches, so that a holder that stops (crash, pause) loses it soon.
	RenewLease(ctx context.Context, scope, holder string, fence int64, ttl time.Duration) (bool, error)
	// ReleaseLease ends holder's lease if fence is still the lease's fence.
	ReleaseLease(ctx context.Context, scope, holder string, fence int64) error
	// StoreToken makes tok (Secret and TTL) the new generation of scope's
	// token, if no lease newer than fence has been granted: a holder that
	// was paused past its lease cannot overwrite a newer token. ok is false,
	// and nothing is written, when it was fenced off.
	StoreToken(ctx context.Context, scope string, fence int64, tok FleetToken) (gen int64, ok bool, err error)
	// InvalidateToken drops scope's token if its generation is still gen: a
	// 401 to an old token must not discard a newer one.
	InvalidateToken(ctx context.Context, scope string, gen int64) (bool, error)
	// WaitToken waits until scope has a token whose generation is not after
	// and returns it, or returns a zero FleetToken once no process holds the
	// lease (the holder gave up: try to take it). ctx bounds the wait.
	WaitToken(ctx context.Context, scope string, after int64) (FleetToken, error)
}

// FleetSessions tracks the processes that use an exos session, so that only
// the last one to close logs it out.
type FleetSessions interface {
	// JoinSession records holder as a user of scope's session until ttl from
	// now (the store's clock: a crashed process drops out). Call it again
	// before then as a heartbeat.
	JoinSession(ctx context.Context, scope, holder string, ttl time.Duration) error
	// LeaveSession removes holder. last reports that no live holder
	// remains; the fleet's token is then removed and returned in tok (Gen 0
	// when there was none), for the caller to log out.
	LeaveSession(ctx context.Context, scope, holder string) (last bool, tok FleetToken, err error)
}

// FleetLockouts shares a refusal of logins (exos 300007, 300016, refused
// credentials), so that no process of the fleet tries again before it ends.
type FleetLockouts interface {
	// SetLockout records l for l.Wait from now (the store's clock). A
	// longer lockout already in force is kept.
	SetLockout(ctx context.Context, scope string, l FleetLockout) error
	// Lockout returns the lockout in force; its Wait is 0 when there is none.
	Lockout(ctx context.Context, scope string) (FleetLockout, error)
}

// FleetToken is one generation of the fleet's token.
type FleetToken struct {
	Gen       int64         // generation: a new one for every stored token; 0 when none
	Secret    []byte        // the token as the client encoded it; stored encrypted
	TTL       time.Duration // how long it stays valid from now; 0: no expiry
	LeaseHeld bool          // Token only: some process holds the lease now
}

// FleetLockout is a refusal of logins that the whole fleet honours. It holds
// no secret.
type FleetLockout struct {
	Wait   time.Duration // how long logins stay refused from now; 0 when none
	Status int           // the HTTP status of the refused login
	Code   string        // the vendor's code, such as "300016"; may be empty
	Reauth bool          // the credentials were refused (ErrReauthRequired), not throttled
}

// WithFleet shares the token or exos session and the exos lockout with every
// other process that uses the same Fleet with the same base URL and
// identity. See Fleet; redisfleet.New returns one on Redis.
//
// When the Fleet also implements FleetLimits (redisfleet's does), the
// server's limits are shared too, per base URL (and identity, when the
// client has one the fleet shares): one gate that a throttle in any process
// closes for all, one learned send rate estimated from every process's
// sends, WithRateLimit and WithMaxInFlight as limits of the whole fleet
// rather than of each process, and one retry budget. A process that cannot
// reach the fleet keeps 1/N of the configured rate and cap (N: the processes
// last seen) and the last closure it knew; a call never fails for it. Close
// stops the client's background reads of the fleet.
func WithFleet(f Fleet) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("apierr: WithFleet: nil fleet")
		}
		c.fleet = f
		return nil
	}
}
