package apierrtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// rawClient leaves gzip bodies as they arrive.
func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableCompression: true}}
}

func TestWireFaultsOnTheServer(t *testing.T) {
	clock := newFakeClock()
	srv := NewTapkey(WithClock(clock.now))
	defer srv.Close()
	tok := ccToken(t, srv)
	grants := srv.URL() + "/api/v1/Owners/o1/Grants"
	hc := rawClient()
	defer hc.CloseIdleConnections()

	t.Run("Gzip", func(t *testing.T) {
		srv.Fail(tapkey.Duplicate, 1, Gzip())
		a := send(t, hc, http.MethodGet, grants, "", bearer(tok)...)
		assert.Equal(t, 409, a.status)
		assert.Equal(t, "gzip", a.header.Get("Content-Encoding"))
		assert.Contains(t, string(gunzip(t, a.body)), `"ErrorCode":"Duplicate"`)
	})
	t.Run("Truncate", func(t *testing.T) {
		srv.Fail(tapkey.Duplicate, 1, Truncate(12))
		a, err := trySend(context.Background(), hc, http.MethodGet, grants, "", bearer(tok)...)
		require.Error(t, err, "the body ends early")
		assert.Equal(t, 409, a.status)
		assert.Equal(t, `{"ErrorCode"`, string(a.body))
	})
	t.Run("ClockSkew with RetryAfter", func(t *testing.T) {
		skew := -10 * 365 * 24 * time.Hour
		srv.Inject(1, TooManyRequests(3*time.Second), ClockSkew(skew))
		a := send(t, hc, http.MethodGet, grants, "", bearer(tok)...)
		assert.Equal(t, 429, a.status)
		date, err := http.ParseTime(a.header.Get("Date"))
		require.NoError(t, err)
		assert.Equal(t, clock.now().Add(skew).Truncate(time.Second), date)
		at, err := http.ParseTime(a.header.Get("Retry-After"))
		require.NoError(t, err)
		assert.Equal(t, 3*time.Second, at.Sub(date))
	})
	t.Run("the next answer is plain again", func(t *testing.T) {
		a := send(t, hc, http.MethodGet, grants, "", bearer(tok)...)
		assert.Equal(t, 200, a.status)
		assert.Empty(t, a.header.Get("Content-Encoding"))
	})
}

// TestWireFaultsThroughTheClient: what apierr.Client makes of the wire
// faults: a gzipped body decodes even when the caller asked for gzip
// itself, a truncated one keeps what arrived, and a skewed Date cancels out.
func TestWireFaultsThroughTheClient(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials()),
		apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: 2 * time.Second}))
	require.NoError(t, err)
	defer c.Close()
	do := func(header http.Header) error {
		req, err := c.NewRequest(context.Background(), http.MethodGet, "Owners/o1/Grants", nil)
		require.NoError(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		_, err = c.Do(req, nil)
		return err
	}
	var p *apierr.Problem[tapkey.Code]

	srv.Fail(tapkey.Duplicate, 1, Gzip())
	require.ErrorAs(t, do(http.Header{"Accept-Encoding": {"gzip"}}), &p)
	assert.Equal(t, tapkey.Duplicate, p.Code)
	assert.Equal(t, tapkey.Duplicate.Info().Description, p.Title, "the fake sends the catalogue text")

	srv.Fail(tapkey.Duplicate, 1, Truncate(30))
	require.ErrorAs(t, do(nil), &p)
	assert.Equal(t, 409, p.Status)
	assert.Len(t, p.Body, 30)
	assert.Equal(t, tapkey.Duplicate, p.Code)

	srv.Inject(1, TooManyRequests(time.Second), ClockSkew(24*time.Hour))
	start := time.Now()
	require.NoError(t, do(nil), "waited 1 s as asked, not a day")
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond)
}

func TestWireFaultsOnTheResponder(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://my.tapkey.com/api/v1/Owners", nil)
	require.NoError(t, err)
	resp, err := TapkeyResponder(tapkey.Duplicate, Gzip())(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, int64(len(body)), resp.ContentLength)
	assert.Contains(t, string(gunzip(t, body)), `"ErrorCode":"Duplicate"`)

	resp, err = TapkeyResponder(tapkey.Duplicate, Truncate(5))(req)
	require.NoError(t, err)
	body, err = io.ReadAll(resp.Body)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF))
	assert.Equal(t, `{"Err`, string(body))
	assert.Greater(t, resp.ContentLength, int64(5))

	resp, err = TapkeyResponder(tapkey.Duplicate, RetryAfter(2*time.Second), ClockSkew(time.Hour))(req)
	require.NoError(t, err)
	date, err := http.ParseTime(resp.Header.Get("Date"))
	require.NoError(t, err)
	at, err := http.ParseTime(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, at.Sub(date))
	assert.InDelta(t, time.Hour, time.Until(date), float64(time.Minute))
}
