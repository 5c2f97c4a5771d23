package main

import (
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/internal/boundedbody"
)

// endless yields n bytes of a pattern without storing them, and counts
// what was read from it.
type endless struct {
	prefix  string
	pattern byte
	left    int64
	read    int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && e.left > 0 {
		if e.prefix != "" {
			k := copy(p[n:], e.prefix)
			e.prefix = e.prefix[k:]
			n += k
			e.left -= int64(k)
			continue
		}
		p[n] = e.pattern
		n++
		e.left--
	}
	e.read += int64(n)
	return n, nil
}

const gib = 1 << 30

// readBound is the most the command may read of any input: the head's
// bound, the sniffing buffer, the body's bound and the drain after it.
const readBound = headLimit + sniffSize + boundedbody.DefaultLimit + 64<<10 + 64<<10

func TestHostileInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     *endless
		code   int
		stdout []string
		stderr string
	}{
		{name: "1 GiB body on stdin", in: &endless{prefix: `{"ErrorCode":"Duplicate","ErrorMessage":"`, pattern: 'a', left: gib},
			code: 0, stdout: []string{"tapkey (detected)", "1048576 bytes, cut at the client's 1024 KiB bound"}},
		{name: "1 GiB body after a raw head", in: &endless{prefix: "HTTP/1.1 500 Internal Server Error\r\n\r\n", pattern: '<', left: gib},
			code: 0, stdout: []string{"500 Internal Server Error", "cut at the client's 1024 KiB bound"}},
		{name: "1 GiB header line", in: &endless{prefix: "HTTP/1.1 409 Conflict\r\nX-Junk: ", pattern: 'x', left: gib},
			code: 1, stderr: "the HTTP head is longer than 64 KiB"},
		{name: "1 GiB status line", in: &endless{prefix: "HTTP/1.1 409 ", pattern: 'x', left: gib},
			code: 1, stderr: "the HTTP head is longer than 64 KiB"},
		{name: "1 GiB of blank lines before a head", in: &endless{prefix: "\n", pattern: '\n', left: gib},
			code: 0, stdout: []string{"generic"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runWith(tc.in, "decode")
			assert.Equal(t, tc.code, r.code, r.stderr)
			for _, s := range tc.stdout {
				assert.Contains(t, r.stdout, s)
			}
			if tc.stderr != "" {
				assert.Contains(t, r.stderr, tc.stderr)
			}
			assert.LessOrEqual(t, tc.in.read, int64(readBound), "read %d bytes of 1 GiB", tc.in.read)
		})
	}
}

// Binary garbage and cut-off heads get a clear error or a best-effort
// decode, never a panic.
func TestGarbageNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	heads := []string{"", "HTTP/1.1 ", "HTTP/1.1 409", "HTTP/1.1 409 Conflict\r\n", "HTTP/2 409\nContent-Length: 99999\n\n",
		"HTTP/1.1 409\nTransfer-Encoding: chunked\n\nffffffff\r\n", "HTTP/1.1 409\nContent-Encoding: gzip\n\n\x1f\x8b", "< HTTP/2 409\n< "}
	for i := 0; i < 300; i++ {
		garbage := make([]byte, rng.Intn(2048))
		rng.Read(garbage)
		in := heads[i%len(heads)] + string(garbage)
		for _, args := range [][]string{{"decode"}, {"decode", "--json", "--api", apiNames[i%len(apiNames)]}} {
			r := runWith(strings.NewReader(in), args...)
			require.Contains(t, []int{0, 1}, r.code, "input %q: %s", in, r.stderr)
			if r.code == 1 {
				assert.True(t, strings.HasPrefix(r.stderr, "apierr decode: "), r.stderr)
			}
		}
	}
}
