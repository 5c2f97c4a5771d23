package apierr_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
)

// waitLog keeps the observer's wait events.
type waitLog struct {
	apierr.NopObserver
	mu    sync.Mutex
	waits []apierr.WaitEvent
}

func (l *waitLog) Wait(_ context.Context, e apierr.WaitEvent) {
	l.mu.Lock()
	l.waits = append(l.waits, e)
	l.mu.Unlock()
}

// of returns the waits for reason r.
func (l *waitLog) of(r apierr.WaitReason) []apierr.WaitEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []apierr.WaitEvent
	for _, e := range l.waits {
		if e.Reason == r {
			out = append(out, e)
		}
	}
	return out
}

// TestObserverSeesLimitWaits: a call that waits for a send slot of the
// configured or the learned rate, or for a request in flight to end, is
// reported to the observer with its own reason, before the wait.
func TestObserverSeesLimitWaits(t *testing.T) {
	getOn := func(t *testing.T, c *apierr.Client) error {
		t.Helper()
		req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		return err
	}

	t.Run("configured rate", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		defer srv.Close()
		log := &waitLog{}
		c, err := apierr.New(apierr.WithBaseURL(srv.URL), apierr.WithObserver(log), apierr.WithRateLimit(5, 1))
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, getOn(t, c), "the burst: no wait")
		assert.Empty(t, log.of(apierr.WaitRate))
		require.NoError(t, getOn(t, c))
		waits := log.of(apierr.WaitRate)
		require.Len(t, waits, 1, "the second call waits for its slot")
		assert.InDelta(t, 200*time.Millisecond, waits[0].Duration, float64(100*time.Millisecond), "a slot every 200 ms")
		assert.Equal(t, 1, waits[0].Attempt)
		assert.Empty(t, log.of(apierr.WaitLearnedRate), "no throttle: no learned rate")
	})

	t.Run("learned rate", func(t *testing.T) {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After-Ms", "50")
				w.WriteHeader(http.StatusTooManyRequests)
			}
		}))
		defer srv.Close()
		log := &waitLog{}
		c, err := apierr.New(apierr.WithBaseURL(srv.URL), apierr.WithObserver(log))
		require.NoError(t, err)
		defer c.Close()
		// The throttle turns the learned rate on: it starts low (10/s, in
		// bursts of 2) and probes upward, so back-to-back calls soon wait.
		for range 4 {
			require.NoError(t, getOn(t, c))
		}
		waits := log.of(apierr.WaitLearnedRate)
		require.NotEmpty(t, waits)
		assert.Positive(t, waits[0].Duration)
		assert.LessOrEqual(t, waits[0].Duration, 100*time.Millisecond, "a slot at 10/s or faster")
		assert.Empty(t, log.of(apierr.WaitRate), "no configured rate")
	})

	t.Run("in flight", func(t *testing.T) {
		release := make(chan struct{})
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			if n.Add(1) == 1 {
				<-release
			}
		}))
		defer srv.Close()
		log := &waitLog{}
		c, err := apierr.New(apierr.WithBaseURL(srv.URL), apierr.WithObserver(log), apierr.WithMaxInFlight(1))
		require.NoError(t, err)
		defer c.Close()
		first := make(chan error, 1)
		go func() { first <- getOn(t, c) }()
		require.Eventually(t, func() bool { return n.Load() == 1 }, 5*time.Second, time.Millisecond)
		second := make(chan error, 1)
		go func() { second <- getOn(t, c) }()
		require.Eventually(t, func() bool { return len(log.of(apierr.WaitInFlight)) == 1 }, 5*time.Second, time.Millisecond,
			"the second call is told to wait before it waits")
		assert.EqualValues(t, 1, n.Load(), "and it has not sent")
		close(release)
		require.NoError(t, <-first)
		require.NoError(t, <-second)
		w := log.of(apierr.WaitInFlight)[0]
		assert.Equal(t, apierr.WaitEvent{Reason: apierr.WaitInFlight, Attempt: 1}, w, "how long is not known")
	})
}
