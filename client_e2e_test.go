package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
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

// quickPolicy keeps the real waits (and the concurrency pause, bounded by
// MaxWait) at a few milliseconds.
var quickPolicy = apierr.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}

// vendorClient answers the first attempt with status and body, every
// later one with 200, and counts the attempts.
func vendorClient(t *testing.T, d apierr.Decoder, status int, contentType, body string) (*apierr.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		if n.Add(1) > 1 {
			return httpmock.NewStringResponse(200, `{}`), nil
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", contentType)
		return resp, nil
	})
	c, err := apierr.New(apierr.WithBaseURL("https://api.example.test/"), apierr.WithDecoder(d),
		apierr.WithHTTPClient(&http.Client{Transport: mt}), apierr.WithRetryPolicy(quickPolicy))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, &n
}

func TestRetryByDocumentedCode(t *testing.T) {
	const jsonType, problemType = "application/json", "application/problem+json"
	tests := []struct {
		name        string
		decoder     apierr.Decoder
		method      string
		status      int
		contentType string
		body        string
		sentinel    error
		attempts    int32
	}{
		{"exos concurrency error, POST", decode.Exos, "POST", 400, jsonType,
			`{"ErrorCode":400241,"Message":"Concurrency-Error"}`, exos.ConcurrencyError, 2},
		{"exos configuration error on 500 is not transient", decode.Exos, "GET", 500, jsonType,
			`{"ErrorCode":400245,"Message":"Missing clientId"}`, exos.MissingClientID, 1},
		{"exos unknown error on 500 is transient, GET", decode.Exos, "GET", 500, jsonType,
			`{"ErrorCode":999999}`, exos.UnknownError, 2},
		{"exos unknown error, POST without key", decode.Exos, "POST", 500, jsonType,
			`{"ErrorCode":999999}`, exos.UnknownError, 1},
		{"entrecode 2373 parallel request, POST", decode.Entrecode, "POST", 409, problemType,
			`{"status":409,"code":2373,"title":"Other parallel request already added tag(s)"}`, entrecode.ParallelRequestAddedTags, 2},
		{"entrecode 1451 backs off, POST", decode.Entrecode, "POST", 429, problemType,
			`{"status":429,"code":1451,"title":"Too many wrong login attempts"}`, entrecode.TooManyWrongLoginAttempts, 2},
		{"entrecode x000 is transient, GET", decode.Entrecode, "GET", 500, problemType,
			`{"status":500,"code":2000,"title":"Internal Server Error"}`, apierr.ErrServer, 2},
		{"tapkey duplicate is final", decode.Tapkey, "PUT", 409, jsonType,
			`{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`, tapkey.Duplicate, 1},
		{"auto-detected tapkey body", decode.Auto, "PUT", 409, jsonType,
			`{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card","ErrorDetails":"","UserErrorMessage":""}`, tapkey.Duplicate, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, n := vendorClient(t, tt.decoder, tt.status, tt.contentType, tt.body)
			req, err := c.NewRequest(context.Background(), tt.method, "x", nil)
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			assert.Equal(t, tt.attempts, n.Load())
			if tt.attempts > 1 {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.sentinel)
		})
	}
}

func TestTapkeyCorpusBody(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "shared", "corpus", "tapkey-duplicate-grant.json"))
	if err != nil {
		t.Skip("corpus not available:", err)
	}
	c, n := vendorClient(t, decode.Tapkey, 409, "application/json", string(body))
	req, err := c.NewRequest(context.Background(), "PUT", "Owners/o1/Grants", map[string]string{"lockId": "l1"})
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	require.ErrorIs(t, err, tapkey.Duplicate)
	require.ErrorIs(t, err, apierr.ErrConflict)
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "only one grant allowed per lock and user/card", p.Title)
	assert.Equal(t, 1, p.Attempts)
	assert.Equal(t, "PUT", p.Method)
	assert.Equal(t, "https://api.example.test/Owners/o1/Grants", p.URL)
	assert.EqualValues(t, 1, n.Load())
}
