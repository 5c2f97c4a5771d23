package redisfleet

import (
	"sync"
	"time"
)

// breaker skips Redis after errs consecutive failures, for pause; then it
// lets one probe through, and closes again when the probe succeeds. A down
// or hung Redis then costs no time at all, instead of one deadline per call.
type breaker struct {
	errs  int
	pause time.Duration
	now   func() time.Time

	mu      sync.Mutex
	fails   int
	until   time.Time // open until then
	probing bool      // a probe is in flight
}

func newBreaker(errs int, pause time.Duration, now func() time.Time) *breaker {
	return &breaker{errs: errs, pause: pause, now: now}
}

// allow reports whether an operation may go to Redis now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails < b.errs {
		return true
	}
	if b.probing || b.now().Before(b.until) {
		return false
	}
	b.probing = true
	return true
}

// done records the outcome of an allowed operation.
func (b *breaker) done(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.fails = 0
		return
	}
	b.fails++
	if b.fails >= b.errs {
		b.until = b.now().Add(b.pause)
	}
}

// abandon ends an allowed operation that the caller cancelled: it says
// nothing about Redis.
func (b *breaker) abandon() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// open reports whether the breaker is skipping Redis.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fails >= b.errs
}
