package throttle

import (
	"context"
	"errors"
	"sync"
	"time"
)

// What the Limiter does with a Shared store: it learns of another process's
// closure from each reservation, estimates the server's rate from every
// process's sends, and takes a fleet-wide in-flight slot; and when the store
// fails, it keeps its own share (1/N) of the configured limits.

// errSharedGateClosed: a reservation found the shared gate closed by
// another process; the Limiter has closed its own and the caller waits at it.
var errSharedGateClosed = errors.New("throttle: the shared gate is closed")

// Polling for a shared in-flight slot: one waiter per process asks, at
// jittered intervals doubling from slotPollMin to slotPollMax.
const (
	slotPollMin = time.Millisecond
	slotPollMax = 8 * time.Millisecond
)

// reserveIn takes a slot of bucket b from the Store, or from the fallback
// at this process's share of the rate when the Store fails.
func (l *Limiter) reserveIn(ctx context.Context, b Bucket, rate float64, burst int, maxWait time.Duration) (time.Duration, bool, error) {
	if l.shared == nil {
		wait, ok, err := l.store.Reserve(ctx, b, rate, burst, maxWait)
		if err != nil {
			wait, ok, _ = l.fallback.Reserve(ctx, b, rate, burst, maxWait)
		}
		return wait, ok, nil
	}
	wait, ok, closed, err := l.shared.ReserveOpen(ctx, b, rate, burst, maxWait)
	if err == nil {
		if closed > storeSlack {
			l.closedElsewhere(closed)
			return 0, false, errSharedGateClosed
		}
		return wait, ok, nil
	}
	if ctx.Err() != nil {
		return 0, false, ctx.Err()
	}
	n := l.shared.Processes()
	wait, ok, _ = l.fallback.Reserve(ctx, b, rate/float64(n), max(1, burst/n), maxWait)
	return wait, ok, nil
}

// closedElsewhere closes this process's gate for rem, a closure read from
// the Store (another process's throttle), unless rem is negligible.
func (l *Limiter) closedElsewhere(rem time.Duration) {
	if rem <= storeSlack {
		return
	}
	now := l.clock.Now()
	l.mu.Lock()
	if !l.closed {
		l.epoch++
		if !l.learned {
			// This closure may turn the fleet's learned rate on: what
			// this process saw accepted before it is part of the burst.
			l.firstBurst, l.shareSeen = true, 0
		}
	}
	l.close(now, rem)
	l.publish()
	l.mu.Unlock()
}

// sendsUpTo returns the sends per SendSlot over the window ending at end (a
// past instant: the throttled send) and whether they reach back that far:
// the fleet's when the Store counts them, else this process's own. now is
// our clock's present; the Store is asked for the slots up to now-end ago
// on its own clock. A fleet whose Store fails returns none: this process's
// sends are a part of the fleet's, and would pass for all of them.
func (l *Limiter) sendsUpTo(window time.Duration, end, now time.Time) ([]float64, bool) {
	if l.shared != nil {
		sends, whole, err := l.shared.Sends(context.Background(), window, max(0, now.Sub(end)))
		if err != nil {
			return nil, false
		}
		return sends, whole
	}
	return l.sends.since(end.Add(-window), end)
}

// fleetSlot takes a shared in-flight slot, polling while all are taken;
// one waiter per process polls, the others queue behind it (a free slot is
// taken at once). When the Store fails it takes a slot of this process's
// share of the cap instead.
func (l *Limiter) fleetSlot(ctx context.Context) (func(), error) {
	limit := cap(l.slots)
	polling := false
	defer func() {
		if polling {
			<-l.poller
		}
	}()
	for polls := 0; ; polls++ {
		release, ok, err := l.shared.AcquireSlot(ctx, limit)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			if polling {
				<-l.poller // the others need not wait for the fallback's slot
				polling = false
			}
			share := max(1, limit/l.shared.Processes())
			if err := l.alone.acquire(ctx, share); err != nil {
				return nil, err
			}
			return l.alone.release, nil
		case ok:
			return release, nil
		}
		if !polling {
			select {
			case l.poller <- struct{}{}:
				polling, polls = true, -1
				continue // ask once more: a slot may have come free meanwhile
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		pause := doubled(slotPollMin, slotPollMax, polls+1)
		if err := l.clock.Sleep(ctx, jittered(pause/2, pause, l.clock.Jitter())); err != nil {
			return nil, err
		}
	}
}

// shareSem counts the requests in flight taken from this process's share
// while the shared Store fails; the share may change between calls.
type shareSem struct {
	mu    sync.Mutex
	n     int
	freed chan struct{} // closed and replaced at each release
}

func (s *shareSem) acquire(ctx context.Context, limit int) error {
	for {
		s.mu.Lock()
		if s.n < limit {
			s.n++
			s.mu.Unlock()
			return nil
		}
		if s.freed == nil {
			s.freed = make(chan struct{})
		}
		ch := s.freed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *shareSem) release() {
	s.mu.Lock()
	s.n--
	if s.freed != nil {
		close(s.freed)
		s.freed = nil
	}
	s.mu.Unlock()
}
