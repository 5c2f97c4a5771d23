package boundedbody

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type trackingBody struct {
	io.Reader
	read   int64
	closed bool
}

func (b *trackingBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	b.read += int64(n)
	return n, err
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

func TestRead(t *testing.T) {
	tests := []struct {
		name          string
		size          int
		limit         int64
		wantLen       int
		wantTruncated bool
	}{
		{"empty", 0, 10, 0, false},
		{"shorter than limit", 5, 10, 5, false},
		{"exactly limit", 10, 10, 10, false},
		{"longer than limit", 11, 10, 10, true},
		{"default limit", 100, 0, 100, false},
		// The default is 1 MiB (DESIGN.md), written out rather than taken
		// from DefaultLimit so that a wrong default fails here.
		{"default limit is 1 MiB", 1<<20 + 1, 0, 1 << 20, true},
		{"negative limit is the default", 1<<20 + 1, -1, 1 << 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bytes.Repeat([]byte("x"), tt.size)
			b := &trackingBody{Reader: bytes.NewReader(src)}
			got, truncated, err := Read(b, tt.limit)
			require.NoError(t, err)
			assert.Equal(t, src[:tt.wantLen], got)
			assert.Equal(t, tt.wantTruncated, truncated)
			assert.True(t, b.closed)
		})
	}
}

func TestReadHugeBodyIsBounded(t *testing.T) {
	// 1 GiB that is never materialised: only limit + drainLimit bytes are read.
	b := &trackingBody{Reader: io.LimitReader(zeros{}, 1<<30)}
	got, truncated, err := Read(b, 1<<20)
	require.NoError(t, err)
	assert.Len(t, got, 1<<20)
	assert.True(t, truncated)
	assert.LessOrEqual(t, b.read, int64(1<<20+drainLimit))
	assert.True(t, b.closed)
}

func TestReadKeepsBytesBeforeError(t *testing.T) {
	boom := errors.New("connection reset")
	b := &trackingBody{Reader: io.MultiReader(strings.NewReader("partial"), errReader{boom})}
	got, _, err := Read(b, 100)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, "partial", string(got))
	assert.True(t, b.closed)
}

func TestReadNilAndNoBody(t *testing.T) {
	for name, rc := range map[string]io.ReadCloser{"nil": nil, "http.NoBody": http.NoBody} {
		t.Run(name, func(t *testing.T) {
			got, truncated, err := Read(rc, 10)
			assert.NoError(t, err)
			assert.Empty(t, got)
			assert.False(t, truncated)
		})
	}
}

func TestDrain(t *testing.T) {
	b := &trackingBody{Reader: io.LimitReader(zeros{}, 1<<30)}
	Drain(b)
	assert.True(t, b.closed)
	assert.Equal(t, int64(drainLimit), b.read)
	// Independently of drainLimit: draining is "a little more" (DESIGN.md),
	// well under the 1 MiB a body itself may keep.
	assert.Less(t, b.read, int64(1<<20))
	Drain(nil) // must not panic
}

func BenchmarkRead(b *testing.B) {
	body := bytes.Repeat([]byte(`{"ErrorCode":"Duplicate"}`), 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _, _ = Read(io.NopCloser(bytes.NewReader(body)), DefaultLimit)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
