package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"

	"github.com/accessapi/apierr/internal/boundedbody"
)

// This file holds what Do does with a 2xx body: the check of v before
// anything is sent, and the bounded, strict decoding into it.

// defaultResponseBodyLimit bounds a 2xx body decoded into v: generous for
// any page of results, small enough that a broken server cannot take the
// process's memory (a 512 MiB body took 2.1 GiB when it was unbounded).
const defaultResponseBodyLimit = 32 << 20

// ErrResponseTooLarge is in the chain of Do's error when a 2xx body is
// longer than the limit of WithResponseBodyLimit: v is left partly filled
// or not at all, and the request is not retried.
var ErrResponseTooLarge = errors.New("apierr: response body too large")

// checkTarget refuses a v that a 2xx body could not be decoded into, before
// the request is sent: afterwards the request has taken effect.
func checkTarget(v any) error {
	switch v.(type) {
	case nil:
		return nil
	case io.Writer:
		if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || !rv.IsNil() {
			return nil
		}
		return fmt.Errorf("apierr: Do: v must be a non-nil pointer or an io.Writer, not a nil %T", v)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() != reflect.Pointer:
		return fmt.Errorf("apierr: Do: v must be a non-nil pointer or an io.Writer, not %T", v)
	case rv.IsNil():
		return fmt.Errorf("apierr: Do: v must be a non-nil pointer or an io.Writer, not a nil %T", v)
	}
	return nil
}

// decodeInto consumes a 2xx body as Do documents.
func (c *Client) decodeInto(s *callState, resp *http.Response, v any) error {
	switch w := v.(type) {
	case nil:
		boundedbody.Drain(resp.Body)
		return nil
	case io.Writer:
		_, err := io.Copy(w, resp.Body)
		resp.Body.Close()
		if err != nil {
			return s.bodyError(resp, "reading", err)
		}
		return nil
	}
	body := &s.body // part of the call's state: no allocation of its own
	*body = limitedBody{r: resp.Body, left: c.respLimit, limit: c.respLimit}
	dec := json.NewDecoder(body)
	err := dec.Decode(v)
	if err == nil {
		if err = nothingAfter(dec.Buffered(), body.scratch[:]); err == nil {
			err = nothingAfter(body, body.scratch[:])
		}
	}
	boundedbody.Drain(resp.Body)
	switch {
	case err == io.EOF: // no content: v untouched
		return nil
	case err != nil:
		return s.bodyError(resp, "decoding", err)
	}
	return nil
}

// nothingAfter reads what follows the JSON value (what the decoder has
// buffered, then the rest of the body): whitespace only, or the body holds
// more than one value (or garbage) and v got only the first.
func nothingAfter(r io.Reader, buf []byte) error {
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
				return errTrailingData
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

var errTrailingData = errors.New("data after the JSON value")

// limitedBody reads at most limit bytes of a 2xx body; a byte more makes it
// fail with tooLarge.
type limitedBody struct {
	r           io.Reader
	left, limit int64
	scratch     [64]byte // for nothingAfter
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, tooLarge(b.limit)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// tooLarge is the cause of a 2xx body longer than the limit; it matches
// ErrResponseTooLarge.
type tooLarge int64

func (e tooLarge) Error() string {
	return "longer than " + strconv.FormatInt(int64(e), 10) + " bytes (WithResponseBodyLimit)"
}

func (e tooLarge) Is(target error) bool { return target == ErrResponseTooLarge }

// bodyError is Do's error for a 2xx body it could not read or decode. It
// names the status, the URL (redacted) and the Content-Type, and keeps the
// cause in the chain: a context's error or a network error (the deadline
// may pass while the body arrives), a *json.SyntaxError, ErrResponseTooLarge.
func (s *callState) bodyError(resp *http.Response, what string, err error) error {
	ct := "no Content-Type"
	if v, ok := resp.Header["Content-Type"]; ok && len(v) > 0 {
		ct = "Content-Type " + strconv.Quote(v[0])
	}
	status := strconv.Itoa(resp.StatusCode)
	if text := http.StatusText(resp.StatusCode); text != "" {
		status += " " + text
	}
	return fmt.Errorf("apierr: %s from %s %s (%s): %s the body: %w",
		status, s.method, s.redactedURL(), ct, what, redactError(err))
}
