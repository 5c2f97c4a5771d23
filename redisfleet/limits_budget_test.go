package redisfleet

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryBudgetShared: two clients (each with its own limiter, as two
// processes have) share one retry budget through Redis: once the first has
// spent it against a failing server, the second gets no retry either.
func TestRetryBudgetShared(t *testing.T) {
	f, _, _ := newFleet(t)
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sent.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	newClient := func() *apierr.Client {
		c, err := apierr.New(apierr.WithBaseURL(srv.URL+"/"), apierr.WithFleet(f),
			apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}),
			apierr.WithRetryBudget(apierr.RetryBudget{Capacity: 10, RetryCost: 5}))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	attempts := func(c *apierr.Client) int {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "items", nil)
		require.NoError(t, err)
		_, err = c.Do(req, io.Discard)
		var e apierr.APIError
		require.True(t, errors.As(err, &e), "%v", err)
		require.Equal(t, http.StatusServiceUnavailable, e.StatusCode())
		return e.Generic().Attempts
	}
	a, b := newClient(), newClient()
	assert.Equal(t, 3, attempts(a), "two retries of 5 spend the budget of 10")
	assert.Equal(t, 1, attempts(b), "the other client finds the fleet's budget spent")
	assert.Equal(t, int64(4), sent.Load())
}
