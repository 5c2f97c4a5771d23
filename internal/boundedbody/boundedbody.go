// Package boundedbody reads response bodies with a cap, so that a hostile or
// broken server cannot make the client hold more than a fixed amount.
package boundedbody

import (
	"errors"
	"io"
	"net/http"
)

// DefaultLimit is the default cap on an error body: 1 MiB.
const DefaultLimit = 1 << 20

// drainLimit is how much past the cap is read and discarded so that the
// connection can go back to the pool; a longer body costs the connection.
const drainLimit = 64 << 10

// Read reads at most limit bytes of rc, drains up to a little more so the
// connection can be reused, and closes rc. truncated reports that the body
// was longer than limit. A read error after some bytes were read is
// returned together with those bytes.
func Read(rc io.ReadCloser, limit int64) (body []byte, truncated bool, err error) {
	if rc == nil || rc == http.NoBody {
		return nil, false, nil
	}
	defer rc.Close()
	if limit <= 0 {
		limit = DefaultLimit
	}
	body, err = readUpTo(rc, limit)
	if err != nil {
		return body, false, err
	}
	if int64(len(body)) < limit {
		return body, false, nil
	}
	// Is there more? Drain a bounded amount so the connection is reused.
	n, err := io.CopyN(io.Discard, rc, drainLimit)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return body, n > 0, err
}

// Drain reads and discards at most a small amount of rc, then closes it, so
// that the connection can be reused.
func Drain(rc io.ReadCloser) {
	if rc == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, rc, drainLimit)
	_ = rc.Close()
}

// readUpTo reads until EOF or limit, growing the buffer as the data arrives
// rather than allocating limit bytes up front.
func readUpTo(r io.Reader, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(limit, 512))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			next := min(int64(cap(buf))*2, limit)
			nb := make([]byte, len(buf), next)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
