package apierr

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/boundedbody"
)

// RetryPolicy bounds the retries of one request. Start from
// DefaultRetryPolicy and change what you need: New rejects a policy with a
// field out of range rather than guessing.
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
	MaxAttempts int
	// MinWait and MaxWait bound the waits the client computes: before
	// retry n it waits a uniformly random time in
	// [MinWait, min(MaxWait, MinWait·2ⁿ)] (exponential backoff with full
	// jitter). With MinWait 0 every wait is in [0, MaxWait]. The
	// concurrency pause is bounded by MaxWait too.
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest wait a server may ask for with
	// Retry-After (or retry-after-ms, x-ms-retry-after-ms); such a wait is
	// honoured as asked, even above MaxWait. When the server asks for more,
	// or a wait would end after the context's deadline, the client does not
	// wait: it returns the typed error at once with RetryAfter set to the
	// wait that was needed.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a Client uses unless
// WithRetryPolicy says otherwise: 4 attempts, waits between 250 ms and
// 8 s, and server-requested waits honoured up to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   4,
		MinWait:       250 * time.Millisecond,
		MaxWait:       8 * time.Second,
		MaxRetryAfter: 30 * time.Second,
	}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return errors.New("apierr: RetryPolicy.MaxAttempts must be at least 1 (start from DefaultRetryPolicy)")
	case p.MinWait < 0:
		return errors.New("apierr: RetryPolicy.MinWait must not be negative")
	case p.MaxWait <= 0:
		return errors.New("apierr: RetryPolicy.MaxWait must be positive (start from DefaultRetryPolicy)")
	case p.MaxWait < p.MinWait:
		return errors.New("apierr: RetryPolicy.MaxWait must not be less than MinWait")
	case p.MaxRetryAfter <= 0:
		return errors.New("apierr: RetryPolicy.MaxRetryAfter must be positive (start from DefaultRetryPolicy)")
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

// The four retryablehttp hooks follow. retryablehttp calls them from the
// goroutine running Do, one after another, so the call state they share
// needs no lock.

// checkRetry is retryablehttp's CheckRetry. It reads and decodes an error
// body once, keeps the typed error on the call, and decides whether to retry
// and how long to wait first. It never returns an error: Do builds the error
// from the call state.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	s := callOf(ctx)
	if s == nil {
		return false, nil
	}
	s.attempts++
	if err != nil {
		return c.retryNetwork(s, err), nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		c.logAttempt(s, resp.StatusCode, nil)
		if s.authorized {
			c.auth.accepted(s.credential)
		}
		if c.budget != nil {
			if s.retries == 0 {
				c.budget.give(c.budget.refund)
			} else {
				c.budget.give(s.cost)
			}
		}
		return false, nil
	}
	return c.retryResponse(s, resp), nil
}

// retryResponse handles a non-2xx response.
func (c *Client) retryResponse(s *callState, resp *http.Response) bool {
	body, _, _ := boundedbody.Read(errorBody(resp), c.bodyLimit)
	resp.Body = http.NoBody // read once: retryablehttp's drain finds nothing
	perr := c.decoder.Decode(resp, body)
	if perr == nil {
		perr = NewProblem[codes.Generic](resp, body)
	}
	p, ok := perr.(problem)
	if !ok && !errors.As(perr, &p) {
		p = nil
	}
	secrets := c.secretsSent(s, resp)
	if p != nil && len(secrets) > 0 {
		p.scrub(secrets) // an API that echoes a credential must not put it in Error()
	}
	s.last, s.lastProblem = perr, p
	c.logAttempt(s, resp.StatusCode, nil)

	if err := scopeRefusal(resp, perr, secrets); err != nil {
		s.final = err
		return false
	}
	if s.authorized && resp.StatusCode != http.StatusUnauthorized {
		c.auth.accepted(s.credential)
	}
	if resp.StatusCode == http.StatusUnauthorized && s.authorized && !s.replayed {
		if err := c.auth.rejected(s.Context, s.credential, resp, perr); err != nil {
			s.final = err
			return false
		}
		s.replayed, s.wait, s.class = true, 0, codes.RetryNever
		c.logWait(s, "replaying with a new credential")
		return true
	}

	class := classify(p, resp.StatusCode)
	switch {
	case class == codes.RetryNever:
		return false
	case class == codes.RetryTransient && !s.idempotent:
		c.logStop(s, "not idempotent")
		return false
	case s.retries+1 >= c.policy.MaxAttempts:
		c.logStop(s, "attempts exhausted")
		return false
	}
	n := s.retries + 1
	wait, asked := retryAfter(resp.Header, c.now())
	switch {
	case asked && wait > c.policy.MaxRetryAfter:
		return c.stopWaiting(s, wait, "Retry-After above MaxRetryAfter")
	case !asked || wait <= 0:
		if class == codes.RetryConcurrency {
			wait = c.policy.pause(n, c.jitter())
		} else {
			wait = c.policy.backoff(n, c.jitter())
		}
	}
	if c.pastDeadline(s, wait) {
		return c.stopWaiting(s, wait, "wait would pass the deadline")
	}
	if !c.spend(s, c.budgetCost(false)) {
		return false
	}
	s.retries, s.wait, s.class = n, wait, class
	return true
}

// errorBody returns resp's body, gunzipped when the server sent gzip that
// the transport left as it was (it does when the caller set
// Accept-Encoding, or a custom RoundTripper is used). The limit on the body
// applies to the gunzipped bytes, so a gzip bomb stays bounded.
func errorBody(resp *http.Response) io.ReadCloser {
	if resp.Uncompressed || resp.Body == nil || resp.Body == http.NoBody ||
		!strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		return resp.Body
	}
	br := bufio.NewReaderSize(resp.Body, 512)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return readCloser{br, resp.Body} // not gzip after all: keep the bytes as sent
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return readCloser{br, resp.Body}
	}
	return readCloser{zr, resp.Body}
}

// readCloser reads from one reader and closes the body underneath it.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// retryNetwork handles a round trip that failed without a response.
// retryablehttp's Backoff gets no response then, so it cannot find the
// call: it computes the wait itself, and the deadline check here uses the
// longest wait it may choose.
func (c *Client) retryNetwork(s *callState, err error) bool {
	c.logAttempt(s, 0, err)
	switch {
	case s.Err() != nil || !transientNetError(err):
		return false
	case !s.idempotent && !nothingSent(err):
		c.logStop(s, "not idempotent")
		return false
	case s.retries+1 >= c.policy.MaxAttempts:
		c.logStop(s, "attempts exhausted")
		return false
	}
	n := s.retries + 1
	if c.pastDeadline(s, c.policy.ceiling(c.policy.MinWait, c.policy.MaxWait, n)) {
		c.logStop(s, "wait would pass the deadline")
		return false
	}
	if !c.spend(s, c.budgetCost(true)) {
		return false
	}
	s.retries, s.class = n, codes.RetryTransient
	return true
}

// stopWaiting ends the retries because the wait is too long, recording it
// as RetryAfter on the typed error.
func (c *Client) stopWaiting(s *callState, wait time.Duration, why string) bool {
	if s.lastProblem != nil {
		s.lastProblem.setRetryAfter(wait)
	}
	c.logStop(s, why, slog.Duration("wait", wait))
	return false
}

func (c *Client) pastDeadline(ctx context.Context, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && c.now().Add(wait).After(dl)
}

func (c *Client) budgetCost(network bool) int64 {
	switch {
	case c.budget == nil:
		return 0
	case network:
		return c.budget.timeoutCost
	}
	return c.budget.retryCost
}

// spend takes the cost of a retry from the budget.
func (c *Client) spend(s *callState, cost int64) bool {
	if c.budget == nil {
		return true
	}
	if !c.budget.take(cost) {
		c.logStop(s, "retry budget exhausted")
		return false
	}
	s.cost = cost
	return true
}

// backoff is retryablehttp's Backoff: the wait checkRetry chose, or after a
// network error (no response, so no call to read it from) the exponential
// backoff for the attempt.
func (c *Client) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	var s *callState
	if resp != nil && resp.Request != nil {
		s = callOf(resp.Request.Context())
	}
	var wait time.Duration
	if s != nil {
		wait = s.wait
		c.logWait(s, "retrying")
	} else {
		wait = c.policy.backoff(attempt+1, c.jitter())
		if c.log != nil {
			c.log.LogAttrs(context.Background(), slog.LevelDebug, "apierr: retrying after a network error",
				slog.Int("attempt", attempt+2), slog.Duration("wait", wait))
		}
	}
	if c.sleep != nil {
		return c.sleep(wait)
	}
	return wait
}

// prepareRetry is retryablehttp's PrepareRetry: it authorises the next
// attempt again, as the credential may have changed during the wait.
func (c *Client) prepareRetry(req *http.Request) error {
	s := callOf(req.Context())
	if s == nil || !s.authorized {
		return nil
	}
	cred, err := c.auth.authorize(s.Context, req)
	if err != nil {
		return err
	}
	s.credential = cred
	return nil
}

// giveUp is retryablehttp's ErrorHandler: it returns the last typed error
// rather than "giving up after N attempts", or the error that ended the
// retries (network, auth, context); Do adds the typed error to that.
func (c *Client) giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err == nil && resp != nil && resp.Request != nil {
		if s := callOf(resp.Request.Context()); s != nil && s.last != nil {
			return resp, s.last
		}
	}
	if err == nil {
		err = errors.New("apierr: retries ended without an error")
	}
	return resp, err
}

// Debug logging. Every method returns at once without a logger, and URLs
// are redacted; headers are never logged.

func (c *Client) debug(s *callState) bool {
	return c.log != nil && c.log.Enabled(s.Context, slog.LevelDebug)
}

func (c *Client) logAttempt(s *callState, status int, err error) {
	if !c.debug(s) {
		return
	}
	attrs := []slog.Attr{slog.String("method", s.method), slog.String("url", s.redactedURL()), slog.Int("attempt", s.attempts)}
	if err != nil {
		attrs = append(attrs, slog.String("error", redactError(err).Error()))
	} else {
		attrs = append(attrs, slog.Int("status", status))
	}
	c.log.LogAttrs(s.Context, slog.LevelDebug, "apierr: attempt", attrs...)
}

func (c *Client) logWait(s *callState, msg string) {
	if !c.debug(s) {
		return
	}
	c.log.LogAttrs(s.Context, slog.LevelDebug, "apierr: "+msg,
		slog.String("method", s.method), slog.String("url", s.redactedURL()),
		slog.Int("attempt", s.attempts+1), slog.Duration("wait", s.wait), slog.String("class", s.class.String()))
}

func (c *Client) logStop(s *callState, why string, extra ...slog.Attr) {
	if !c.debug(s) {
		return
	}
	attrs := append([]slog.Attr{slog.String("method", s.method), slog.String("url", s.redactedURL()),
		slog.Int("attempts", s.attempts), slog.String("reason", why)}, extra...)
	c.log.LogAttrs(s.Context, slog.LevelDebug, "apierr: not retrying", attrs...)
}
