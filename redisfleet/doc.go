// Package redisfleet implements apierr.Fleet and apierr.FleetLimits on
// Redis: many worker processes that call one API with one identity share one
// OAuth2 token or exos session, one exos lockout, and log an exos session out
// only when the last of them closes; and they share the server's limits: one
// throttle gate, one learned send rate, the configured rate (WithRateLimit)
// and cap on requests in flight (WithMaxInFlight), and one retry budget.
//
//	rdb := redis.NewClient(redisfleet.ClientOptions("unix", "/run/redis/redis.sock"))
//	fleet, err := redisfleet.New(rdb, key) // key: 32 bytes every worker shares
//	client, err := apierr.New(apierr.WithBaseURL(u), apierr.WithExosSession(s), apierr.WithFleet(fleet))
//
// # What Redis holds
//
// Keys are "prefix:{tag}:name" (prefix "apierr" by default, WithPrefix), where
// tag is an HMAC-SHA-256 under the fleet key of the client's scope, itself a
// SHA-256 of the base URL, client id or API key and user: no secret and no
// guessable identity appears in a key name. The braces keep one scope's keys
// in one Redis Cluster slot, as its scripts need. Token secrets are sealed
// with AES-256-GCM (random nonce, the scope's key name as additional data);
// leases, fences, generations, session holders and lockouts hold no secret.
//
// Every comparison that decides who may write runs inside Redis, in a Lua
// script: the lease with its fencing counter, the fenced write of a new token
// generation, the invalidation of only the rejected generation, session
// holders with expiry, lockouts, and the shared limits below, all timed by
// Redis's clock. The limits' keys hold durations, counters and the learned
// rate's numbers: no secret.
//
// # Shared limits
//
// A throttle in any process closes the fleet's gate (a key with PX, read with
// PTTL): the others learn of it at their next reservation, which finds the
// gate closed and takes nothing, or within about 50 ms from the client's
// background read of the gate and the learned rate. The learned rate is one
// state for the fleet, written only if its version is still the one read
// (optimistic concurrency). Each send at the learned or the configured rate
// takes a slot of a GCRA bucket in a script that reads Redis's TIME, and a
// send at the learned rate is counted per 5 ms slot of Redis time, so that a
// throttle's estimate of the server's rate sees every process's sends, not
// one's. Requests in flight are members of a sorted set scored by their
// expiry: a process's heartbeat (every second) renews its own, so the slots
// of a crashed process free themselves within 3 s. A caller waiting for a
// slot polls, one waiter per process, at jittered intervals from 1 to 8 ms: a
// notification would need a connection per process held for pub/sub, and
// polling anyway after a missed one. The heartbeat also counts the live
// processes (N): a process that cannot reach Redis keeps 1/N of the
// configured rate and of the cap on requests in flight, and the last gate
// closure it knew.
//
// # Redis trouble never fails a call
//
// Each Redis operation gets its own deadline (100 ms, WithOpTimeout), and a
// breaker skips Redis for a while after repeated failures (WithBreaker),
// then lets one probe through. An error makes the apierr client act alone for
// that call. The deadline only binds a go-redis client built with
// ContextTimeoutEnabled: without it, a hung Redis blocks each command for
// ReadTimeout (3 s) times its retries, so New refuses such a client.
// ClientOptions returns options with ContextTimeoutEnabled, no command
// retries and short dial, read, write and pool timeouts.
package redisfleet
