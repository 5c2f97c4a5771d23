package apierr

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/accessapi/apierr/codes"
)

// RetryPolicy bounds the retries of one request. A zero field takes its
// default (DefaultRetryPolicy's value), as Go config structs usually do:
// RetryPolicy{MaxAttempts: 1} turns retries off and keeps the default
// waits. New rejects a negative field rather than guessing.
//
// Which responses are retried is decided by the error code's
// codes.RetryClass, or by the status when the code is not documented:
//
//	RetryBackoff      429 (exos 300016, entrecode 1451)   any method; exponential backoff, Retry-After honoured
//	RetryConcurrency  exos 400241, entrecode 373          any method; a short pause of 20–200 ms, growing
//	RetryTransient    408, 502, 503, 504, network errors  GET, HEAD, OPTIONS, PUT, DELETE or with an
//	                  (HTTP/2 GOAWAY or a reset stream    Idempotency-Key header; any method when the
//	                  included)                           server never processed it (no connection,
//	                                                      HTTP/2 REFUSED_STREAM or GOAWAY below it)
//	RetryNever        everything else                     not retried
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included; 1 turns
	// retries off. The one replay after a refreshed token is not counted.
	// 0: 4.
	MaxAttempts int
	// MinWait and MaxWait bound the waits the client computes: before
	// retry n it waits a uniformly random time in
	// [MinWait, min(MaxWait, MinWait·2ⁿ)] (exponential backoff with full
	// jitter). The concurrency pause is bounded by MaxWait too. 0: MinWait
	// 250 ms (or MaxWait when that is less), MaxWait 8 s (or MinWait when
	// that is more).
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest wait a server may ask for with
	// Retry-After (or retry-after-ms, x-ms-retry-after-ms); such a wait is
	// honoured as asked, even above MaxWait. When the server asks for more,
	// or a wait would end after the context's deadline, the client does not
	// wait: it returns the typed error at once with RetryAfter set to the
	// wait that was needed. 0: 30 s.
	MaxRetryAfter time.Duration
	// ConflictAttempts is the number of attempts for a write the server
	// refuses as racing another (RetryConcurrency: exos 400241, entrecode
	// 373). Such a refusal comes at once from a healthy server and costs
	// the retry budget nothing, and racing writers on a busy resource meet
	// several in a row, so they get more attempts than failures do.
	// 0: 8, or MaxAttempts when that is 1 (retries off) or more than 8.
	ConflictAttempts int
}

// DefaultRetryPolicy returns the policy a Client uses unless
// WithRetryPolicy says otherwise: 4 attempts (8 after concurrency
// conflicts), waits between 250 ms and 8 s, and server-requested waits
// honoured up to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:      4,
		ConflictAttempts: 8,
		MinWait:          250 * time.Millisecond,
		MaxWait:          8 * time.Second,
		MaxRetryAfter:    30 * time.Second,
	}
}

// withDefaults fills the zero fields of p with DefaultRetryPolicy's values;
// a default wait gives way to the other bound set explicitly.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.ConflictAttempts == 0 {
		p.ConflictAttempts = d.ConflictAttempts
		if p.MaxAttempts == 1 || p.MaxAttempts > p.ConflictAttempts {
			p.ConflictAttempts = p.MaxAttempts
		}
	}
	switch {
	case p.MinWait == 0 && p.MaxWait == 0:
		p.MinWait, p.MaxWait = d.MinWait, d.MaxWait
	case p.MinWait == 0:
		p.MinWait = min(d.MinWait, max(p.MaxWait, 0))
	case p.MaxWait == 0:
		p.MaxWait = max(d.MaxWait, p.MinWait)
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// validate checks a policy whose defaults are filled.
func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return errors.New("apierr: RetryPolicy.MaxAttempts must not be negative (0 takes the default)")
	case p.ConflictAttempts < 1:
		return errors.New("apierr: RetryPolicy.ConflictAttempts must not be negative (0 takes the default)")
	case p.MinWait < 0:
		return errors.New("apierr: RetryPolicy.MinWait must not be negative (0 takes the default)")
	case p.MaxWait < 0:
		return errors.New("apierr: RetryPolicy.MaxWait must not be negative (0 takes the default)")
	case p.MaxWait < p.MinWait:
		return errors.New("apierr: RetryPolicy.MaxWait must not be less than MinWait")
	case p.MaxRetryAfter < 0:
		return errors.New("apierr: RetryPolicy.MaxRetryAfter must not be negative (0 takes the default)")
	}
	return nil
}

// The concurrency pause: the server refused a write that raced another, so
// a short pause is enough; it grows per attempt within these bounds.
const (
	concurrencyMinWait = 20 * time.Millisecond
	concurrencyMaxWait = 200 * time.Millisecond
)

// backoff is the wait before retry n (1 for the first retry); r is the
// jitter, in [0, 1).
func (p RetryPolicy) backoff(n int, r float64) time.Duration {
	return jittered(p.MinWait, p.ceiling(p.MinWait, p.MaxWait, n), r)
}

// pause is the concurrency pause before retry n.
func (p RetryPolicy) pause(n int, r float64) time.Duration {
	lo, hi := min(concurrencyMinWait, p.MaxWait), min(concurrencyMaxWait, p.MaxWait)
	return jittered(lo, p.ceiling(lo, hi, n), r)
}

// ceiling is min(hi, lo·2ⁿ) without overflowing; hi when lo is 0.
func (RetryPolicy) ceiling(lo, hi time.Duration, n int) time.Duration {
	if lo <= 0 || n >= 62 || lo > hi>>n {
		return hi
	}
	return lo << n
}

// jittered is a uniformly random duration in [lo, hi]; r is in [0, 1).
func jittered(lo, hi time.Duration, r float64) time.Duration {
	if hi <= lo || r <= 0 {
		return lo
	}
	if r >= 1 {
		return hi
	}
	return lo + time.Duration(r*float64(hi-lo))
}

// classify returns how to retry a response: by its code when the code is
// documented, else by its status.
func classify(p problem, status int) codes.RetryClass {
	if p != nil {
		if info, ok := p.codeInfo(); ok && info.Known {
			return info.Retry
		}
	}
	switch status {
	case http.StatusTooManyRequests:
		return codes.RetryBackoff
	case http.StatusRequestTimeout, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return codes.RetryTransient
	}
	return codes.RetryNever
}

// idempotent reports whether sending req twice is safe by its method, or
// because the caller gave it an Idempotency-Key.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, "":
		return true
	}
	return len(req.Header["Idempotency-Key"]) > 0
}

// transientNetError reports whether a failed round trip may succeed when
// tried again: network failures and timeouts, but not certificate errors,
// redirect loops or malformed requests.
func transientNetError(err error) bool {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err // *url.Error is itself a net.Error: look inside
	}
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return false
	}
	// A TLS alert, from the server ("remote error") or ours, or a reply that
	// is not TLS: the same handshake would fail the same way again.
	var (
		op     *net.OpError
		alert  tls.AlertError
		record tls.RecordHeaderError
	)
	if (errors.As(err, &op) && op.Op == "remote error") || errors.As(err, &alert) || errors.As(err, &record) {
		return false
	}
	if lost, _ := http2Loss(err); lost {
		return true // GOAWAY and close, a reset stream: the HTTP/1.1 reset's equivalent
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// nothingSent reports a request the server never processed, so that even
// a POST may be sent again: the dial failed, or an HTTP/2 server refused
// the stream (REFUSED_STREAM, or GOAWAY below it).
func nothingSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	_, unprocessed := http2Loss(err)
	return unprocessed
}

// retryCase is everything one retry decision depends on, for an API call,
// a token request and an exos login alike.
type retryCase struct {
	class      codes.RetryClass // of the response or the network error
	idempotent bool             // sending it again is safe (by method or key, or nothing was sent)
	retries    int              // retries granted so far
	asked      time.Duration    // the wait the server asked for; 0: none (or a date in the past)
	deadline   time.Duration    // time left before the context's deadline; <0: no deadline
	jitter     float64          // in [0, 1)
}

// retryVerdict is decide's answer. When retry is false, stop says why (""
// when the class alone says no) and wait is the wait that was needed when
// the stop is about a wait: the caller reports it as RetryAfter.
type retryVerdict struct {
	retry bool
	wait  time.Duration
	stop  string
}

// The reasons decide gives for not retrying, as logged.
const (
	stopNotIdempotent  = "not idempotent"
	stopExhausted      = "attempts exhausted"
	stopAboveMax       = "Retry-After above MaxRetryAfter"
	stopPastDeadline   = "wait would pass the deadline"
	stopBudgetExhausts = "retry budget exhausted"
)

// decide is the one retry rule: whether to retry and how long to wait
// first. It is pure: the caller supplies the clock's and the jitter's
// values.
func (p RetryPolicy) decide(c retryCase) retryVerdict {
	switch {
	case c.class == codes.RetryNever:
		return retryVerdict{}
	case c.class == codes.RetryTransient && !c.idempotent:
		return retryVerdict{stop: stopNotIdempotent}
	case c.retries+1 >= p.attempts(c.class):
		return retryVerdict{stop: stopExhausted}
	}
	n := c.retries + 1
	wait := c.asked
	switch {
	case wait > p.MaxRetryAfter:
		return retryVerdict{wait: wait, stop: stopAboveMax}
	case wait <= 0 && c.class == codes.RetryConcurrency:
		wait = p.pause(n, c.jitter)
	case wait <= 0:
		wait = p.backoff(n, c.jitter)
	}
	if c.deadline >= 0 && wait > c.deadline {
		return retryVerdict{wait: wait, stop: stopPastDeadline}
	}
	return retryVerdict{retry: true, wait: wait}
}

// attempts is how many attempts the policy allows a call whose last
// response was of class.
func (p RetryPolicy) attempts(class codes.RetryClass) int {
	if class == codes.RetryConcurrency {
		return p.ConflictAttempts
	}
	return p.MaxAttempts
}
