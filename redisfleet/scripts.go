package redisfleet

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

//go:embed scripts/*.lua
var scriptFiles embed.FS

// The Lua scripts: each decision about who may write is made inside Redis.
var (
	scriptAcquire    = loadScript("lease_acquire")
	scriptRenew      = loadScript("lease_renew")
	scriptRelease    = loadScript("lease_release")
	scriptStore      = loadScript("token_store")
	scriptGet        = loadScript("token_get")
	scriptInvalidate = loadScript("token_invalidate")
	scriptJoin       = loadScript("session_join")
	scriptLeave      = loadScript("session_leave")
	scriptLockSet    = loadScript("lockout_set")
	scriptLockGet    = loadScript("lockout_get")

	scriptGateClose   = loadScript("gate_close")
	scriptGateGet     = loadScript("gate_get")
	scriptGateOpen    = loadScript("gate_open")
	scriptRateLoad    = loadScript("rate_load")
	scriptRateSwap    = loadScript("rate_swap")
	scriptReserve     = loadScript("reserve")
	scriptSends       = loadScript("sends")
	scriptBudgetTake  = loadScript("budget_take")
	scriptBudgetGive  = loadScript("budget_give")
	scriptSlotAcquire = loadScript("slot_acquire")
	scriptSlotRelease = loadScript("slot_release")
	scriptHeartbeat   = loadScript("heartbeat")
)

func loadScript(name string) *redis.Script {
	src, err := scriptFiles.ReadFile("scripts/" + name + ".lua")
	if err != nil {
		panic("redisfleet: missing script " + name) // a build without the embedded files
	}
	return redis.NewScript(string(src))
}

// ErrUnavailable is returned without contacting Redis while the breaker is
// open, after repeated failures; the client then acts alone.
var ErrUnavailable = errors.New("redisfleet: redis skipped after repeated failures")

// run runs one script under the operation deadline and the breaker. A
// failure names the operation and Redis's error, never an argument (they may
// hold a sealed secret).
func (f *Fleet) run(ctx context.Context, op string, s *redis.Script, keys []string, args ...any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !f.br.allow() {
		return nil, ErrUnavailable
	}
	octx, cancel := context.WithTimeout(ctx, f.cfg.opTimeout)
	v, err := s.Run(octx, f.rdb, keys, args...).Result()
	cancel()
	if err != nil && ctx.Err() != nil {
		f.br.abandon() // the caller gave up: says nothing about Redis
		return nil, ctx.Err()
	}
	f.br.done(err == nil)
	if err != nil {
		return nil, fmt.Errorf("redisfleet: %s: %w", op, err)
	}
	return v, nil
}

// reply is a script's array reply, read leniently: a malformed one is an
// error, never a panic.
type reply struct {
	op  string
	v   []any
	err error
}

func asReply(op string, v any) *reply {
	a, ok := v.([]any)
	r := &reply{op: op, v: a}
	if !ok {
		r.err = fmt.Errorf("redisfleet: %s: unexpected reply %T", op, v)
	}
	return r
}

func (r *reply) int(i int) int64 {
	if r.err != nil {
		return 0
	}
	if i < len(r.v) {
		if n, ok := r.v[i].(int64); ok {
			return n
		}
	}
	r.err = fmt.Errorf("redisfleet: %s: reply element %d is not an integer", r.op, i)
	return 0
}

func (r *reply) str(i int) string {
	if r.err != nil {
		return ""
	}
	if i < len(r.v) {
		if s, ok := r.v[i].(string); ok {
			return s
		}
	}
	r.err = fmt.Errorf("redisfleet: %s: reply element %d is not a string", r.op, i)
	return ""
}

func asInt(op string, v any) (int64, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("redisfleet: %s: unexpected reply %T", op, v)
	}
	return n, nil
}
