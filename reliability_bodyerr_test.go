package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
)

// TestDoBodyErrorKeepsChain: when a 2xx body fails to arrive (the deadline
// passes or the connection breaks), Do's error still matches the cause.
func TestDoBodyErrorKeepsChain(t *testing.T) {
	leakCheck(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id":`)
		_ = http.NewResponseController(w).Flush()
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		panic(http.ErrAbortHandler) // the connection closes mid-body
	}))
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL))
	require.NoError(t, err)
	defer c.Close()

	for _, tt := range []struct {
		path    string
		timeout time.Duration // the cut body must not race a short deadline
		want    error
	}{{"slow", 100 * time.Millisecond, context.DeadlineExceeded}, {"cut", time.Minute, io.ErrUnexpectedEOF}} {
		var v map[string]any
		for _, dst := range []any{&v, io.Discard} {
			t.Run(fmt.Sprintf("%s/%T", tt.path, dst), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				defer cancel()
				req, err := c.NewRequest(ctx, http.MethodGet, tt.path, nil)
				require.NoError(t, err)
				_, err = c.Do(req, dst)
				require.Error(t, err)
				assert.True(t, errors.Is(err, tt.want), "%T %v", err, err)
			})
		}
	}
}
