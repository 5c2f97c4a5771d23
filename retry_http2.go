package apierr

import (
	"errors"
	"reflect"
	"strings"
)

// HTTP/2 connection and stream losses. net/http's HTTP/2 transport reports
// them with unexported types (and golang.org/x/net/http2 with its own), so
// they are recognised by shape: a stream error converts into any struct
// with its fields (its As method says so), a GOAWAY error is a struct named
// GoAwayError with a LastStreamID, and the rest have fixed texts.

// h2StreamError mirrors net/http's http2StreamError: errors.As fills it
// through that type's As method.
type h2StreamError struct {
	StreamID uint32
	Code     h2ErrCode
	Cause    error
}

func (e h2StreamError) Error() string { return "http2 stream error" }

type h2ErrCode uint32

// RST_STREAM error codes (RFC 9113 section 7) that lose a stream.
const (
	h2NoError       h2ErrCode = 0x0
	h2InternalError h2ErrCode = 0x2
	h2RefusedStream h2ErrCode = 0x7
	h2Cancel        h2ErrCode = 0x8
)

// Texts of net/http's HTTP/2 errors that have no type to match.
const (
	h2GotGoAway      = "http2: Transport received Server's graceful shutdown GOAWAY" // the stream was above the GOAWAY's last-stream-id
	h2ConnLost       = "http2: client connection lost"
	h2CannotRetry    = "http2: Transport: cannot retry err ["                   // an unprocessed stream whose body it could not rewind
	h2CannotRetryEnd = "after Request.Body was written; define Request.GetBody" //
)

// http2Loss reports whether err is an HTTP/2 stream lost with its
// connection or reset by the server (lost: the server may have processed
// it, so only an idempotent request may be sent again), and whether the
// server said it never processed the stream (unprocessed: REFUSED_STREAM,
// or a GOAWAY whose last-stream-id is below the stream), so that any
// method may be sent again.
func http2Loss(err error) (lost, unprocessed bool) {
	var se h2StreamError
	if errors.As(err, &se) {
		switch se.Code {
		case h2RefusedStream:
			return true, true
		case h2NoError, h2InternalError, h2Cancel:
			return true, false
		}
		return false, false
	}
	if goAwayError(err) {
		return true, false
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		switch {
		case msg == h2GotGoAway:
			return true, true
		case strings.HasPrefix(msg, h2CannotRetry) && strings.Contains(msg, h2CannotRetryEnd):
			return true, true
		case msg == h2ConnLost:
			return true, false
		}
	}
	return false, false
}

// goAwayError reports whether err's chain holds the error an HTTP/2
// transport returns when the server sent GOAWAY and closed the connection
// while the stream was open (at or below the last-stream-id: it may have
// been processed).
func goAwayError(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || !strings.HasSuffix(v.Type().Name(), "GoAwayError") {
			continue
		}
		if f := v.FieldByName("LastStreamID"); f.IsValid() && f.Kind() == reflect.Uint32 {
			return true
		}
	}
	return false
}
