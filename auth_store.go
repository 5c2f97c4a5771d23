package apierr

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// tokenStore is where the current credential lives: the one thing the token
// cache shares with whoever else uses the same identity. The cache keeps its
// logic (when to refresh, who waits, how failures hold callers back) and asks
// the store only the four questions below, so that a fleet store (issue 13:
// Redis, one token or exos session for many processes) can replace the
// in-memory one without touching the cache.
//
// Generations. Every credential the store publishes gets a generation, a
// number that grows by one per publish and is never reused. A request
// remembers the generation it sent; a 401 to it invalidates that generation
// only, so a late 401 to an old token never throws away a newer one, and N
// callers (or N processes) rejected with the same token cause one refresh.
//
// Leases. Fetching the next generation (a token request, an exos login) is
// done by one holder at a time: the holder of the lease, whose generation is
// the fencing token. publish succeeds only while the lease is the newest one
// granted, so a holder that paused past its lease (GC, SIGSTOP) cannot
// overwrite what a newer holder published: its publish fails with
// errLeaseLost and the cache uses the store's current credential instead.
// Others who want a new generation meanwhile wait in acquire, bounded by
// their context, and get the new credential when it is published.
//
// Contract for implementations:
//   - load is on every request's path: no allocation, no I/O on the hot path
//     (a fleet store keeps a local copy and refreshes it from Redis when its
//     generation changes or when the cache asks through acquire).
//   - invalidate, acquire, publish and release may do I/O, are called rarely,
//     and must be safe for concurrent use.
//   - The store never sees a secret it must log: a credential's value is a
//     header value; a fleet store encrypts it at rest.
type tokenStore interface {
	// load returns the current credential, with its generation, or nil when
	// there is none (none yet, or invalidated).
	load() *credential

	// invalidate drops the credential of generation gen if it is still the
	// current one, and reports whether it did. A 401 (exos 300008) to gen
	// calls it; a newer generation is left alone.
	invalidate(gen uint64) bool

	// acquire asks for the right to fetch the generation after the one the
	// caller last saw (after; 0 when it saw none). When a credential newer
	// than after is already current it returns that credential and no lease:
	// someone else fetched it. Otherwise it returns a lease once no one else
	// holds one, waiting (bounded by ctx) while another holder fetches; when
	// that holder publishes, the waiters get its credential.
	acquire(ctx context.Context, after uint64) (lease, *credential, error)

	// publish makes cred current under l: cred gets the lease's generation.
	// It fails with errLeaseLost when l is no longer the newest lease (it
	// expired, or was released): the fence.
	publish(l lease, cred *credential) error

	// release gives l up without publishing (the fetch failed), letting the
	// next caller acquire.
	release(l lease)
}

// lease is the right to publish one generation; gen is the fencing token.
type lease struct{ gen uint64 }

// errLeaseLost is publish's error when the lease was superseded.
var errLeaseLost = errors.New("apierr: token lease lost to a newer holder")

// memoryStore is the tokenStore of one process: an atomic pointer for load
// and a mutex for the rest, which runs once per refresh.
type memoryStore struct {
	cur atomic.Pointer[credential]

	mu    sync.Mutex
	last  uint64        // the newest generation granted
	held  bool          // the lease of generation last is held
	freed chan struct{} // closed when the held lease ends
}

func newMemoryStore() *memoryStore { return &memoryStore{freed: make(chan struct{})} }

func (m *memoryStore) load() *credential { return m.cur.Load() }

func (m *memoryStore) invalidate(gen uint64) bool {
	c := m.cur.Load()
	return c != nil && c.gen == gen && m.cur.CompareAndSwap(c, nil)
}

func (m *memoryStore) acquire(ctx context.Context, after uint64) (lease, *credential, error) {
	for {
		m.mu.Lock()
		if c := m.cur.Load(); c != nil && c.gen > after {
			m.mu.Unlock()
			return lease{}, c, nil
		}
		if !m.held {
			m.last++
			m.held = true
			l := lease{gen: m.last}
			m.mu.Unlock()
			return l, nil, nil
		}
		freed := m.freed
		m.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return lease{}, nil, ctx.Err()
		}
	}
}

func (m *memoryStore) publish(l lease, cred *credential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.held || l.gen != m.last {
		return errLeaseLost
	}
	cred.gen = l.gen
	m.cur.Store(cred)
	m.end()
	return nil
}

func (m *memoryStore) release(l lease) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held && l.gen == m.last {
		m.end()
	}
}

// end ends the held lease and wakes its waiters. m.mu must be held.
func (m *memoryStore) end() {
	m.held = false
	close(m.freed)
	m.freed = make(chan struct{})
}
