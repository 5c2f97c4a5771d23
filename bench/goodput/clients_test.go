package goodput

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted starts a server that answers the first n requests with refuse
// and the rest with 200 {"id":1}, counting them.
func scripted(t *testing.T, n int64, refuse func(http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var count atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		if count.Add(1) <= n {
			refuse(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func writeExosConflict(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(apierrtest.StatusFor(exos.ConcurrencyError))
	_, _ = w.Write(exosConflict)
}

func newCaller(t *testing.T, c Client, s Setup) Caller {
	t.Helper()
	caller, err := c.New(s)
	require.NoError(t, err)
	t.Cleanup(caller.Close)
	return caller
}

// Each client is configured as the harness claims: it honours Retry-After
// on a 429, and retries exos 400241 when told the API is exos.
func TestClientsRetry(t *testing.T) {
	post := Request{Method: http.MethodPost, Path: "persons/1/accessrights", Body: []byte(`{"AccessRightId":"1"}`)}
	for _, c := range Clients() {
		t.Run(c.Name, func(t *testing.T) {
			t.Run("429 with Retry-After", func(t *testing.T) {
				t.Parallel()
				srv, count := scripted(t, 1, func(w http.ResponseWriter) { problem(w, http.StatusTooManyRequests, time.Second) })
				caller := newCaller(t, c, Setup{BaseURL: srv.URL + "/"})
				start := time.Now()
				require.NoError(t, caller.Call(context.Background(), Request{Method: http.MethodGet, Path: "items/1"}))
				assert.Equal(t, int64(2), count.Load())
				assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the retry waited the second asked for")
			})
			t.Run("exos 400241", func(t *testing.T) {
				t.Parallel()
				srv, count := scripted(t, 1, writeExosConflict)
				caller := newCaller(t, c, Setup{BaseURL: srv.URL + "/", Exos: true})
				require.NoError(t, caller.Call(context.Background(), post))
				assert.Equal(t, int64(2), count.Load())
			})
			t.Run("a refusal that is not retried", func(t *testing.T) {
				t.Parallel()
				srv, count := scripted(t, 1, func(w http.ResponseWriter) { problem(w, http.StatusNotFound, 0) })
				caller := newCaller(t, c, Setup{BaseURL: srv.URL + "/", Exos: true})
				require.Error(t, caller.Call(context.Background(), post))
				assert.Equal(t, int64(1), count.Load())
			})
		})
	}
}

// apierr decodes the conflict server's body with the exos decoder: the
// caller sees the code, not only the status.
func TestApierrSeesExosCode(t *testing.T) {
	srv := NewConflictServer(10*time.Second, 0, 0) // every write conflicts
	defer srv.Close()
	caller := newCaller(t, Clients()[0], Setup{BaseURL: srv.URL, Exos: true})
	err := caller.Call(context.Background(), Request{Method: http.MethodPost, Path: "persons/1/accessrights", Body: []byte(`{}`)})
	var p *apierr.Problem[exos.Code]
	require.True(t, errors.As(err, &p), "want *apierr.Problem[exos.Code], got %T: %v", err, err)
	assert.Equal(t, exos.ConcurrencyError, p.Code)
	assert.Equal(t, apierrtest.StatusFor(exos.ConcurrencyError), p.Status)
	assert.Greater(t, p.Attempts, 1, "a concurrency error is retried")
	assert.Equal(t, int64(p.Attempts), Total(srv.Timeline().Buckets()).Conflict)
}

func TestStatusError(t *testing.T) {
	assert.Equal(t, "goodput: status 429 Too Many Requests", statusError(429).Error())
}
