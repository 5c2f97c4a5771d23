package redisfleet

import (
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Defaults of a Fleet.
const (
	DefaultPrefix        = "apierr"
	DefaultOpTimeout     = 100 * time.Millisecond
	DefaultBreakerErrors = 3               // consecutive failures that open the breaker
	DefaultBreakerPause  = 2 * time.Second // how long an open breaker skips Redis
)

// Waits between two reads of WaitToken: short at first, since a token
// request usually takes tens of milliseconds, and then backing off.
const (
	pollMin = 5 * time.Millisecond
	pollMax = 100 * time.Millisecond
)

// Option configures New.
type Option func(*config) error

type config struct {
	prefix       string
	opTimeout    time.Duration
	breakErrors  int
	breakPause   time.Duration
	now          func() time.Time // the breaker's clock; tests replace it
	allowUnbound bool
}

func defaultConfig() config {
	return config{
		prefix:      DefaultPrefix,
		opTimeout:   DefaultOpTimeout,
		breakErrors: DefaultBreakerErrors,
		breakPause:  DefaultBreakerPause,
		now:         time.Now,
	}
}

// WithPrefix sets the first part of every key name (default "apierr"), to
// keep fleets apart in a shared Redis. It must not contain '{' or '}'.
func WithPrefix(p string) Option {
	return func(c *config) error {
		if p == "" || strings.ContainsAny(p, "{}") {
			return errors.New("redisfleet: WithPrefix: need a non-empty prefix without '{' or '}'")
		}
		c.prefix = p
		return nil
	}
}

// WithOpTimeout sets the deadline of each Redis operation (default 100 ms).
// A call waits at most this long for Redis before acting alone.
func WithOpTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("redisfleet: WithOpTimeout: must be positive")
		}
		c.opTimeout = d
		return nil
	}
}

// WithBreaker sets how many consecutive failed operations make the fleet
// skip Redis (default 3), and for how long before one probe is let through
// (default 2 s).
func WithBreaker(errs int, pause time.Duration) Option {
	return func(c *config) error {
		if errs < 1 || pause <= 0 {
			return errors.New("redisfleet: WithBreaker: need errs >= 1 and a positive pause")
		}
		c.breakErrors, c.breakPause = errs, pause
		return nil
	}
}

// WithUnboundedClient accepts a go-redis client built without
// ContextTimeoutEnabled. Its commands then ignore the per-operation
// deadline: a hung Redis blocks a call for the client's ReadTimeout times
// its retries. Only for clients whose timeouts are already short.
func WithUnboundedClient() Option {
	return func(c *config) error {
		c.allowUnbound = true
		return nil
	}
}

// ClientOptions returns go-redis options fit for a fleet: the context's
// deadline binds every command (ContextTimeoutEnabled), commands are not
// retried (the fleet's breaker and the caller's fallback replace retries),
// and dial, read, write and pool waits are short. network is "tcp" or "unix".
func ClientOptions(network, addr string) *redis.Options {
	return &redis.Options{
		Network:               network,
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,                // one dial per command (the default is 5, 100 ms apart)
		DialerRetryTimeout:    time.Millisecond, // go-redis sleeps this long even after its last dial
		DialTimeout:           250 * time.Millisecond,
		ReadTimeout:           250 * time.Millisecond,
		WriteTimeout:          250 * time.Millisecond,
		PoolTimeout:           250 * time.Millisecond,
		DisableIdentity:       true, // no CLIENT SETINFO round trip on each new connection
		// Nor CLIENT MAINT_NOTIFICATIONS: a self-hosted Redis sends none, and
		// each client would keep a background goroutine for them.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
}

// checkClient refuses a client whose commands would ignore the fleet's
// deadlines; see WithUnboundedClient.
func checkClient(rdb redis.UniversalClient, allow bool) error {
	if allow {
		return nil
	}
	bound := true
	switch c := rdb.(type) {
	case *redis.Client:
		bound = c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		bound = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		bound = c.Options().ContextTimeoutEnabled
	}
	if !bound {
		return errors.New("redisfleet: the redis client ignores context deadlines (set ContextTimeoutEnabled, " +
			"see ClientOptions): a hung Redis would block every call for seconds")
	}
	return nil
}
