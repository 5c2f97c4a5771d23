package apierr

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/boundedbody"
	"github.com/accessapi/apierr/internal/redact"
	"github.com/accessapi/apierr/internal/throttle"
)

// callState is the state of one Do. It is also the context of every
// attempt's request, which is how the retryablehttp hooks below, given a
// context or a request but never both, find it without allocating a
// context. retryablehttp calls the hooks from the goroutine running Do, one
// after another, so the state needs no lock.
type callState struct {
	context.Context // the caller's
	rreq            retryablehttp.Request

	method     string
	url        *url.URL
	redacted   string // url redacted, on first use
	idempotent bool
	credential *credential // what the auth scheme sent with the latest attempt; nil: none

	attempts int              // attempts sent, the replay included
	retries  int              // retries granted, the replay excluded
	cost     int64            // budget tokens taken by the latest retry
	wait     time.Duration    // the wait before the next attempt
	class    codes.RetryClass // of the latest outcome

	replayDue    bool // the latest attempt got a 401 that Do should answer with a replay
	replayed     bool // Do has replayed
	scopeRefused bool // a 401 or 403 said insufficient_scope: last is the AuthError
	asked        bool // the server asked for the wait (Retry-After)

	last        error   // the typed error of the latest response
	lastProblem problem // last as a problem, when it is one

	body   limitedBody      // the 2xx body being decoded into v
	obs    *callObservation // nil without an Observer (observe.go)
	permit throttle.Permit  // what the limiter let the latest attempt go with
	held   bool             // permit is not Done yet
}

// callKey finds a callState in a context derived from it.
type callKey struct{}

// Value returns the call itself for callKey.
func (s *callState) Value(key any) any {
	if key == (callKey{}) {
		return s
	}
	return s.Context.Value(key)
}

func callOf(ctx context.Context) *callState {
	if s, ok := ctx.(*callState); ok {
		return s
	}
	s, _ := ctx.Value(callKey{}).(*callState)
	return s
}

func (s *callState) redactedURL() string {
	if s.redacted == "" {
		s.redacted = redact.URL(s.url)
	}
	return s.redacted
}

// annotate puts the call's figures on the last typed error.
func (s *callState) annotate() {
	if s.lastProblem != nil {
		s.lastProblem.annotate(s.attempts, s.method, s.redactedURL())
	}
}

// failure is Do's error when the retry loop returned one: the last typed
// error, or the error that ended the retries joined with it.
func (s *callState) failure(err error) error {
	if err == s.last {
		return err
	}
	err = redactError(err)
	if s.last == nil {
		return err
	}
	return &retryError{err: err, last: s.last}
}

// retryError is returned when retrying ended without a response of its
// own: the context ended during a wait, a retry failed on the network, or
// the retry could not be authorised. It matches both that error and the
// last response's typed error.
type retryError struct {
	err  error // what ended the retries
	last error // the typed error of the last response
}

func (e *retryError) Error() string {
	msg := e.err.Error()
	if !strings.HasPrefix(msg, "apierr: ") { // ErrClosed and auth errors have it
		msg = "apierr: " + msg
	}
	return msg + " (last response: " + e.last.Error() + ")"
}

// Unwrap returns both errors, for errors.Is and errors.As.
func (e *retryError) Unwrap() []error { return []error{e.err, e.last} }

// outcome is what one attempt ended with.
type outcome struct {
	status int              // 0: no response
	err    error            // the network error, without a response
	class  codes.RetryClass // how the rules would retry it
	asked  time.Duration    // the wait the server asked for (Retry-After)
}

// send runs the retry loop once: the first attempt here, the retries
// through the hooks below.
func (c *Client) send(s *callState) (*http.Response, error) {
	if err := c.beforeAttempt(s, s.rreq.Request); err != nil {
		return nil, err
	}
	return c.rc.Do(&s.rreq)
}

// beforeAttempt runs before every attempt is sent, the first, each retry
// and the replay (hook point a). It authorises the attempt (the credential
// may have changed since the last one), then waits for the server's limits
// to let it go: the gate, the learned and the configured rate, a slot in
// flight. While nothing limits it that costs one atomic load.
func (c *Client) beforeAttempt(s *callState, req *http.Request) error {
	if c.closed.Load() {
		return ErrClosed // Close ran during the call: no more attempts
	}
	if c.auth != nil {
		cred, err := c.auth.authorize(s.Context, req) // it sends no token to another origin
		if err != nil {
			return err
		}
		s.credential = cred
	}
	d, cause := c.lim.Closure()
	if d > c.policy.MaxRetryAfter {
		// The server asked for a longer wait than the policy honours.
		c.logStop(s, stopAboveMax, d)
		return &gateError{wait: d, cause: cause}
	}
	if d > 0 && c.obs != nil { // a gate hold: the attempt waits for the reopening
		c.obs.Wait(s, WaitEvent{Reason: WaitGate, Duration: d, Attempt: s.attempts + 1})
	}
	var waits throttle.Waiter // the observer hears of the waits for a slot
	if c.obs != nil {
		waits = s
	}
	p, err := c.lim.AcquireFor(s.Context, waits)
	if err != nil {
		var we *throttle.WaitError
		if errors.As(err, &we) {
			c.logStop(s, "the server's limits would pass the deadline", we.Wait)
			return &gateError{wait: we.Wait, cause: we.Cause}
		}
		return err
	}
	s.permit, s.held = p, true
	if c.obs != nil {
		c.observeAttemptStart(s, req)
	}
	return nil
}

// release tells the limiter the latest attempt's result, once.
func (s *callState) release(r throttle.Result) {
	if s.held {
		s.held = false
		s.permit.Done(r)
	}
}

// afterAttempt runs once for every attempt whose outcome is known (hook
// point b: a gate learns here, an observer ends the attempt's span). The
// typed error, with its code, is s.last when there was a response.
func (c *Client) afterAttempt(s *callState, o outcome) {
	c.logAttempt(s, o.status, o.err)
	s.release(c.resultOf(s, o))
	if o.status >= 200 && o.status <= 299 {
		c.lim.Budget().Succeeded(s.retries > 0, s.cost)
	}
}

// outcomeOf reads and decodes an error body once, keeping the typed error
// on the call, and classifies what the attempt ended with.
func (c *Client) outcomeOf(s *callState, resp *http.Response, err error) outcome {
	if err != nil {
		o := outcome{err: err, class: codes.RetryNever}
		if s.Err() == nil && transientNetError(err) {
			o.class = codes.RetryTransient
		}
		return o
	}
	o := outcome{status: resp.StatusCode}
	if s.credential != nil && o.status != http.StatusUnauthorized {
		s.credential.accept() // the credential works (exos: the session is not just refused)
	}
	if o.status >= 200 && o.status <= 299 {
		return o
	}
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
	if serr := scopeRefusal(resp, perr, secrets); serr != nil {
		s.last, s.scopeRefused = serr, true // ends the call: a new token cannot add a scope
		return o
	}
	o.class = classify(p, resp.StatusCode)
	o.asked, _ = retryAfter(resp.Header, c.clock.current())
	return o
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

// The four retryablehttp hooks follow.

// checkRetry is retryablehttp's CheckRetry. It never returns an error: Do
// builds the error from the call state.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	s := callOf(ctx)
	if s == nil {
		return false, nil
	}
	s.attempts++
	o := c.outcomeOf(s, resp, err)
	c.afterAttempt(s, o)
	again := false
	switch {
	case o.status >= 200 && o.status <= 299:
	case s.scopeRefused: // ends the call: a new token cannot add the scope
	case o.status == http.StatusUnauthorized && c.auth != nil && !s.replayed:
		s.replayDue = true // Do answers it: the retry loop knows nothing of auth
	default:
		again = c.retry(s, o)
	}
	if c.obs != nil {
		c.observeAttemptEnd(s, o, again || s.replayDue)
	}
	return again, nil
}

// retry applies the retry rule to an attempt that failed, and takes the
// retry's cost from the budget.
func (c *Client) retry(s *callState, o outcome) bool {
	asked := o.asked
	if o.class == codes.RetryBackoff && asked <= 0 {
		// The throttle closed the gate for the policy's backoff: waiting
		// until it reopens, up to the next millisecond, is the retry's
		// wait. Rounded to the nearest, it could end before the reopening
		// and wait at the gate again for the rest.
		asked = ceilMillisecond(c.lim.GateClosedFor())
	}
	v := c.policy.decide(retryCase{
		class:      o.class,
		idempotent: s.idempotent || (o.status == 0 && nothingSent(o.err)),
		retries:    s.retries,
		asked:      asked,
		deadline:   c.clock.left(s),
		jitter:     c.clock.random(),
	})
	if !v.retry {
		if v.wait > 0 && o.status != 0 && s.lastProblem != nil {
			s.lastProblem.setRetryAfter(v.wait) // a wait too long for us: the caller may wait it
		}
		if v.stop != "" {
			c.logStop(s, v.stop, v.wait)
		}
		return false
	}
	cost, ok := c.lim.Budget().Spend(retryKind(o))
	if !ok {
		c.logStop(s, stopBudgetExhausts, 0)
		if c.obs != nil {
			c.obs.BudgetExhausted(s, BudgetExhaustedEvent{Target: s.obs.target, Attempt: s.attempts + 1})
		}
		return false
	}
	s.cost = cost
	s.retries, s.wait, s.class = s.retries+1, v.wait, o.class
	s.asked = o.asked > 0
	return true
}

// ceilMillisecond rounds d up to a whole millisecond.
func ceilMillisecond(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

// backoff is retryablehttp's Backoff. It gets no call after a network
// error, so it waits for nothing: prepareRetry waits what checkRetry chose,
// for responses and network errors alike.
func (c *Client) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return 0
}

// prepareRetry is retryablehttp's PrepareRetry: it waits before a retry
// and then runs beforeAttempt.
func (c *Client) prepareRetry(req *http.Request) error {
	s := callOf(req.Context())
	if s == nil {
		return nil
	}
	c.logWait(s, "retrying", s.wait, s.class)
	if c.obs != nil && s.wait > 0 {
		c.obs.Wait(s, WaitEvent{Reason: waitReasonOf(s.asked, s.class), Duration: s.wait, Attempt: s.attempts + 1})
	}
	if err := c.clock.wait(s.Context, "retrying", s.wait); err != nil {
		return &waitError{err}
	}
	if err := c.beforeAttempt(s, req); err != nil {
		var ge *gateError
		if !errors.As(err, &ge) && s.Err() != nil {
			return &waitError{err} // the context ended waiting at the gate
		}
		return err
	}
	return nil
}

// waitError marks a context that ended during a wait, for giveUp.
type waitError struct{ err error }

func (e *waitError) Error() string { return e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// giveUp is retryablehttp's ErrorHandler: it returns the last typed error
// rather than "giving up after N attempts", or the error that ended the
// retries (network, auth, context); Do adds the typed error to that.
func (c *Client) giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	var we *waitError
	if errors.As(err, &we) {
		return nil, we.err // the context ended during a wait: no response of its own
	}
	var ge *gateError
	if errors.As(err, &ge) {
		return nil, ge
	}
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

// The attribute names are those of apierrotel's spans (the OpenTelemetry
// HTTP client conventions, and apierr.* for the rest), so that a log line
// and a span about the same attempt read alike.

// logAttempt logs how an attempt ended, in the attempt's context when an
// observer gave it one.
func (c *Client) logAttempt(s *callState, status int, err error) {
	if !c.debug(s) {
		return
	}
	attrs := []slog.Attr{slog.String("http.request.method", s.method), slog.String("url.full", s.redactedURL()),
		slog.Int("apierr.attempt", s.attempts)}
	if err != nil {
		attrs = append(attrs, slog.String("error.message", redactError(err).Error()))
	} else {
		attrs = append(attrs, slog.Int("http.response.status_code", status))
		if code := errorCode(s.lastProblem); code != "" && (status < 200 || status > 299) {
			attrs = append(attrs, slog.String("error.type", code))
		}
	}
	ctx := context.Context(s)
	if s.obs != nil && s.obs.attemptCtx != nil {
		ctx = s.obs.attemptCtx
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "apierr: attempt", attrs...)
}

func (c *Client) logWait(s *callState, msg string, wait time.Duration, class codes.RetryClass) {
	if !c.debug(s) {
		return
	}
	attrs := []slog.Attr{slog.String("http.request.method", s.method), slog.String("url.full", s.redactedURL()),
		slog.Int("apierr.attempt", s.attempts+1), slog.Duration("apierr.wait.duration", wait),
		slog.String("apierr.retry.class", class.String())}
	if wait > 0 {
		attrs = append(attrs, slog.String("apierr.wait.reason", string(waitReasonOf(s.asked, s.class))))
	}
	c.log.LogAttrs(s, slog.LevelDebug, "apierr: "+msg, attrs...)
}

func (c *Client) logStop(s *callState, why string, wait time.Duration) {
	if !c.debug(s) {
		return
	}
	attrs := []slog.Attr{slog.String("http.request.method", s.method), slog.String("url.full", s.redactedURL()),
		slog.Int("apierr.attempts", s.attempts), slog.String("apierr.retry.stop", why)}
	if wait > 0 {
		attrs = append(attrs, slog.Duration("apierr.wait.duration", wait))
	}
	c.log.LogAttrs(s, slog.LevelDebug, "apierr: not retrying", attrs...)
}
