package apierrtest

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Wire faults change how an error answer travels rather than what it says.
// They apply to scripted error answers (Fail, or Inject with a fault that
// sets a status) and to the responders; with Inject alone they leave the
// normal answer as it is.

// Gzip sends the error body gzip-encoded with Content-Encoding: gzip,
// whatever the request's Accept-Encoding, as some gateways do.
func Gzip() Fault {
	return func(r *reply) { r.gzip = true }
}

// Truncate cuts the error body after n bytes (of the body as sent, so after
// Gzip): Content-Length announces the whole body and the connection is then
// reset. A responder's body fails with io.ErrUnexpectedEOF after n bytes.
func Truncate(n int) Fault {
	return func(r *reply) { r.cut, r.hasCut = max(n, 0), true }
}

// ClockSkew sends a Date header d away from the fake's clock (WithClock),
// as a server whose clock is off does. With RetryAfter or TooManyRequests,
// Retry-After is then an HTTP date measured from that Date (whole seconds,
// without Retry-After-Ms), so a client that measures it against Date waits
// as asked and one that uses its own clock is off by d.
func ClockSkew(d time.Duration) Fault {
	return func(r *reply) { r.skew, r.hasSkew = d, true }
}

// wired reports whether r has a wire fault.
func (r *reply) wired() bool { return r.gzip || r.hasCut || r.hasSkew }

// shape applies the wire faults to an answer recorded from a dialect: it
// returns the headers and body to send and, when the body is to be cut,
// how many bytes of it.
func (r *reply) shape(rec *httptest.ResponseRecorder, now time.Time) (h http.Header, body []byte, cut int) {
	h = rec.Header().Clone()
	body = rec.Body.Bytes()
	if r.hasSkew {
		date := now.Add(r.skew).UTC().Truncate(time.Second)
		h.Set("Date", date.Format(http.TimeFormat))
		if r.hasRetry {
			wait := time.Duration(secondsUp(r.retryAfter)) * time.Second
			h.Set("Retry-After", date.Add(wait).Format(http.TimeFormat))
			h.Del("Retry-After-Ms") // the date is the point of the skew
		}
	}
	if r.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = b.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	cut = len(body)
	if r.hasCut && r.cut < len(body) {
		cut = r.cut
	}
	return h, body, cut
}

// secondsUp is d in whole seconds, rounded up, as Retry-After sends it.
func secondsUp(d time.Duration) int64 {
	s, _ := strconv.ParseInt(retryAfterValue(d), 10, 64)
	return s
}

// writeWired sends a recorded answer over a real connection, shaped by the
// wire faults; a cut body ends with a TCP reset.
func (r *reply) writeWired(w http.ResponseWriter, rec *httptest.ResponseRecorder, now time.Time) {
	h, body, cut := r.shape(rec, now)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body[:cut])
	if cut == len(body) {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable: net/http ends the stream
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, not an orderly close
	}
	_ = conn.Close()
}

// wiredResponse builds a responder's answer, shaped by the wire faults.
func (r *reply) wiredResponse(req *http.Request, rec *httptest.ResponseRecorder, now time.Time) *http.Response {
	h, body, cut := r.shape(rec, now)
	var rd io.Reader = bytes.NewReader(body)
	if cut < len(body) {
		rd = io.MultiReader(bytes.NewReader(body[:cut]), errReader{io.ErrUnexpectedEOF})
	}
	return &http.Response{
		Status:        strconv.Itoa(rec.Code) + " " + http.StatusText(rec.Code),
		StatusCode:    rec.Code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(rd),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
