package apierr_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := io.WriteString(zw, s)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestFaultGzipErrorBody: a gzipped error body decodes whether the
// transport gunzipped it (it asked for gzip) or left it to the client (the
// caller set Accept-Encoding itself).
func TestFaultGzipErrorBody(t *testing.T) {
	leakCheck(t)
	body := `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`
	zipped := gzipped(t, body)
	for _, tt := range []struct {
		name     string
		header   http.Header
		encoding string
		send     []byte
	}{
		{"transport asks for gzip", nil, "gzip", zipped},
		{"caller asks for gzip", http.Header{"Accept-Encoding": {"gzip"}}, "gzip", zipped},
		{"caller asks, server labels plain JSON gzip", http.Header{"Accept-Encoding": {"gzip"}}, "gzip", []byte(body)},
		{"caller asks, server sends identity", http.Header{"Accept-Encoding": {"gzip"}}, "", []byte(body)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.WriteHeader(409)
				_, _ = w.Write(tt.send)
			})
			c := newFaultClient(t, srv.URL)
			err := call(t, context.Background(), c, http.MethodGet, tt.header, nil)
			var p *apierr.Problem[tapkey.Code]
			require.ErrorAs(t, err, &p)
			assert.Equal(t, tapkey.Duplicate, p.Code)
			assert.Equal(t, "only one grant allowed per lock and user/card", p.Title)
			assert.Equal(t, body, string(p.Body))
		})
	}
}

// TestFaultGzipBomb: 1 GiB of zeros gzipped (1,024 gzip members of 1 MiB
// each, about 1 MiB on the wire) is cut at the body limit after gunzipping.
func TestFaultGzipBomb(t *testing.T) {
	leakCheck(t)
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestSpeed)
	require.NoError(t, err)
	_, err = zw.Write(make([]byte, 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(400)
		for i := 0; i < gibBody>>20; i++ {
			if _, err := w.Write(member.Bytes()); err != nil {
				return
			}
		}
	})
	c := newFaultClient(t, srv.URL)
	peak, alloc, err := measureHeap(func() error {
		return call(t, context.Background(), c, http.MethodGet, http.Header{"Accept-Encoding": {"gzip"}}, nil)
	})
	var p *apierr.Problem[tapkey.Code]
	require.ErrorAs(t, err, &p)
	assert.Len(t, p.Body, 1<<20)
	t.Logf("gzip bomb (1 GiB gunzipped): TotalAlloc +%.1f MiB, HeapInuse peak +%.1f MiB", mib(alloc), mib(peak))
	assert.Less(t, peak, uint64(32<<20))
}
