// Package redisfleet implements apierr.Fleet on Redis: many worker processes
// that call one API with one identity share one OAuth2 token or exos session,
// one exos lockout, and log an exos session out only when the last of them
// closes.
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
// holders with expiry, and lockouts, all timed by Redis's clock.
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
