package apierrtest

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes/tapkey"
)

func TestAttemptsAndBodies(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := append(bearer(ccToken(t, srv)), "Content-Type", "application/json")
	grants := "/api/v1/Owners/o1/Grants"
	body := `{"boundLockId":"bl-1","contactId":"c-7"}`

	srv.FailPath("PUT "+grants, tapkey.Generic, 1)
	assert.Equal(t, 400, send(t, srv.Client(), "PUT", srv.URL()+grants, body, auth...).status)
	assert.Equal(t, 200, send(t, srv.Client(), "PUT", srv.URL()+grants, body, auth...).status, "the replay")
	assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+grants, "", auth...).status)

	assert.Equal(t, 3, srv.Attempts(grants))
	assert.Equal(t, 2, srv.Attempts("PUT "+grants))
	assert.Equal(t, 0, srv.Attempts("/nowhere"))
	assert.Equal(t, [][]byte{[]byte(body), []byte(body)}, srv.Bodies("PUT "+grants), "the replay sent the same body")
	assert.Equal(t, 3, srv.Requests())
	assert.Equal(t, 1, srv.TokenRequests())
	assert.Equal(t, 1, srv.Attempts("/connect/token"))

	b := srv.Bodies("PUT " + grants)
	b[0][0] = 'X'
	assert.Equal(t, []byte(body), srv.Bodies("PUT " + grants)[0], "Bodies returns copies")

	srv.ResetCounters()
	assert.Zero(t, srv.Requests())
	assert.Zero(t, srv.TokenRequests())
	assert.Zero(t, srv.Attempts(grants))
	assert.Empty(t, srv.Bodies(grants))
	assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+grants, "", auth...).status, "tokens survive a reset")
}

func TestConcurrentCallsShareTheScript(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	const workers, each, failures = 8, 10, 25
	srv.Fail(tapkey.Generic, failures)

	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				a, err := trySend(context.Background(), srv.Client(), "GET", srv.URL()+boundLocks+"?i="+strconv.Itoa(i), "", auth...)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				statuses[a.status]++
				mu.Unlock()
				_ = srv.Attempts(boundLocks) // read counters while others write them
			}
		}()
	}
	wg.Wait()
	require.Equal(t, map[int]int{400: failures, 200: workers*each - failures}, statuses)
	assert.Equal(t, workers*each, srv.Requests())
	assert.Equal(t, workers*each, srv.Attempts(boundLocks))
}
