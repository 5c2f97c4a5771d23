package apierr

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func storeCred(v string) *credential { return &credential{value: v, header: []string{v}} }

// publishNew runs one fetch against m the way the cache does.
func publishNew(t *testing.T, m *memoryStore, after uint64, v string) *credential {
	t.Helper()
	l, newer, err := m.acquire(context.Background(), after)
	require.NoError(t, err)
	require.Nil(t, newer)
	c := storeCred(v)
	require.NoError(t, m.publish(l, c))
	return c
}

func TestMemoryStoreGenerations(t *testing.T) {
	m := newMemoryStore()
	assert.Nil(t, m.load())
	first := publishNew(t, m, 0, "Bearer a")
	assert.EqualValues(t, 1, first.gen)
	assert.Same(t, first, m.load())

	second := publishNew(t, m, first.gen, "Bearer b")
	assert.EqualValues(t, 2, second.gen)
	assert.False(t, m.invalidate(first.gen), "a 401 to an older generation keeps the newer one")
	assert.Same(t, second, m.load())
	assert.True(t, m.invalidate(second.gen))
	assert.Nil(t, m.load())
	assert.False(t, m.invalidate(second.gen), "invalidated once")

	third := publishNew(t, m, second.gen, "Bearer c")
	assert.EqualValues(t, 3, third.gen, "generations are never reused")
}

func TestMemoryStoreAcquireReturnsANewerCredential(t *testing.T) {
	m := newMemoryStore()
	c := publishNew(t, m, 0, "Bearer a")
	l, newer, err := m.acquire(context.Background(), 0)
	require.NoError(t, err)
	assert.Same(t, c, newer, "someone else already fetched a generation after 0")
	assert.Zero(t, l)
}

func TestMemoryStoreLeaseFences(t *testing.T) {
	m := newMemoryStore()
	l, _, err := m.acquire(context.Background(), 0)
	require.NoError(t, err)
	m.release(l) // the fetch failed
	l2, _, err := m.acquire(context.Background(), 0)
	require.NoError(t, err)
	assert.ErrorIs(t, m.publish(l, storeCred("Bearer stale")), errLeaseLost, "a released lease cannot publish")
	require.NoError(t, m.publish(l2, storeCred("Bearer fresh")))
	assert.Equal(t, "Bearer fresh", m.load().value)
	assert.ErrorIs(t, m.publish(l2, storeCred("Bearer twice")), errLeaseLost, "a lease publishes once")
}

func TestMemoryStoreWaitersGetTheHoldersCredential(t *testing.T) {
	m := newMemoryStore()
	l, _, err := m.acquire(context.Background(), 0)
	require.NoError(t, err)
	const n = 8
	got := make([]*credential, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, got[i], _ = m.acquire(context.Background(), 0)
		}()
	}
	c := storeCred("Bearer a")
	require.NoError(t, m.publish(l, c))
	wg.Wait()
	for i := range n {
		assert.Same(t, c, got[i])
	}
}

func TestMemoryStoreAcquireBoundedByContext(t *testing.T) {
	m := newMemoryStore()
	_, _, err := m.acquire(context.Background(), 0)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = m.acquire(ctx, 0)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
