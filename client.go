package apierr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/redact"
	"github.com/accessapi/apierr/internal/throttle"
)

// Version is this module's version, sent in the default User-Agent.
const Version = "0.1.0"

// closeTimeout bounds what Close waits for the auth scheme (exos logout).
const closeTimeout = 10 * time.Second

// Client sends requests to one API: it authorises them, retries them by
// error code and turns error responses into typed errors. It is safe for
// concurrent use; create one per API and reuse it.
type Client struct {
	base   *url.URL      // the base URL; tokens go only to its origin
	hc     *http.Client  // the HTTP client used for API calls and token requests
	log    *slog.Logger  // nil: no logging
	policy RetryPolicy   // also applied to token-endpoint 429/5xx
	auth   authenticator // nil: requests are sent as they are
	obs    Observer      // nil: nothing is observed, and nothing is spent on it

	baseURL    string                // base as text, ending in "/"
	rc         *retryablehttp.Client // sends with the hooks in retry.go
	pool       *poolShield           // hc's transport
	decoder    Decoder
	lim        *throttle.Limiter // the gate, the send rates and the retry budget
	fleetLim   *fleetLimiter     // the limiter's state in the fleet; nil: this process's own
	bodyLimit  int64
	userAgent  []string // header values, shared by every request
	acceptLang []string // nil: not sent
	closeOnce  sync.Once
	closeErr   error
	closed     atomic.Bool // set by Close: Do sends nothing more
	respLimit  int64       // bound on a 2xx body decoded into v

	*clock // the one time seam, shared with the auth scheme
}

// New returns a Client for the API at WithBaseURL, which is required.
// Without WithDecoder it decodes error bodies as decode.Auto does (the same
// code): the vendor is recognised by the body's shape, and errors carry its
// code. The defaults:
//
//	setting               default                         option
//	attempts              4 (the first included)          WithRetryPolicy: MaxAttempts
//	after conflicts       8 attempts                      WithRetryPolicy: ConflictAttempts
//	backoff               250 ms … 8 s, full jitter       WithRetryPolicy: MinWait, MaxWait
//	server-asked wait     honoured up to 30 s             WithRetryPolicy: MaxRetryAfter
//	concurrency pause     20 … 200 ms, growing            (bounded by MaxWait)
//	retry budget          500 tokens; retry after 5xx 5,  WithRetryBudget (RetryBudget{} turns it off)
//	                      after network error 10,
//	                      first-attempt success +1;
//	                      honoured throttles free
//	throttle gate         one per client: a throttle      (always on)
//	                      closes it until Retry-After
//	                      (else 50 ms … 5 s backoff); 3
//	                      transient failures in a row
//	                      close it, one probe at a time
//	learned send rate     on after the first throttle     WithAdaptiveRate
//	fixed send rate       none                            WithRateLimit
//	requests in flight    no cap                          WithMaxInFlight
//	error body kept       1 MiB                           WithErrorBodyLimit
//	2xx body into v       32 MiB                          WithResponseBodyLimit
//	idle connections      100 per host, TLS 1.2 minimum   WithMaxIdleConnsPerHost, or WithHTTPClient
//	decoder               as decode.Auto                  WithDecoder
//	User-Agent            apierr/<Version>                WithUserAgent
//	Accept-Language       not sent                        WithAcceptLanguage
//	logging               off                             WithLogger (Debug level)
//	timeout               none: use the context           context.WithTimeout
//
// Options that fail validation make New return an error that names them.
func New(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("apierr: New: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.base == nil {
		return nil, errors.New("apierr: New: WithBaseURL is required")
	}
	if cfg.httpClient != nil && cfg.maxIdleSet {
		return nil, errors.New("apierr: New: WithMaxIdleConnsPerHost cannot size the transport of WithHTTPClient's client")
	}

	var hc http.Client // a copy: the caller's client is never modified
	if cfg.httpClient != nil {
		hc = *cfg.httpClient
	}
	rt := hc.Transport
	switch {
	case rt == nil && cfg.httpClient == nil:
		rt = newTransport(cfg.maxIdlePerHost)
	case rt == nil:
		rt = http.DefaultTransport
	}
	pool := &poolShield{rt: rt}
	hc.Transport = pool
	hc.CheckRedirect = containRedirects(cfg.base, hc.CheckRedirect)

	c := &Client{
		base:      cfg.base,
		baseURL:   cfg.base.String(),
		hc:        &hc,
		log:       cfg.log,
		policy:    cfg.policy,
		pool:      pool,
		decoder:   cfg.decoder,
		bodyLimit: cfg.bodyLimit,
		respLimit: cfg.respLimit,
		userAgent: []string{cfg.userAgent},
		clock:     &clock{},
		obs:       cfg.observer,
	}
	if cfg.acceptLanguage != "" {
		c.acceptLang = []string{cfg.acceptLanguage}
	}
	var err error
	if c.lim, c.fleetLim, err = newLimiter(cfg, c.clock); err != nil {
		return nil, errors.New("apierr: New: " + strings.TrimPrefix(err.Error(), "throttle: "))
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:   c.hc,
		Logger:       nil, // its default logger formats a line per request
		RetryWaitMin: cfg.policy.MinWait,
		RetryWaitMax: cfg.policy.MaxWait,
		// The retries are counted in checkRetry; this only bounds its loop.
		RetryMax:     max(cfg.policy.MaxAttempts, cfg.policy.ConflictAttempts),
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: c.giveUp,
		PrepareRetry: c.prepareRetry,
	}
	if c.auth, err = cfg.auth.build(authEnv{base: c.base, hc: c.hc, log: c.log, policy: c.policy, clock: c.clock, obs: c.obs, fleet: cfg.fleet}); err != nil {
		return nil, err
	}
	if c.fleetLim != nil {
		c.fleetLim.run(c.lim, c.clock) // until Close
	}
	return c, nil
}

// Close ends the auth session (exos logs out, after waiting for a login in
// flight: exos opens that session even when the client gives up on it),
// bounded by a short timeout, and closes the idle connections of the
// client's transport. From then on Do returns ErrClosed and sends nothing;
// a call in flight stops before its next attempt. Close is safe to call
// more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.fleetLim.close()
		if c.auth != nil {
			ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
			c.closeErr = c.auth.close(ctx)
			cancel()
		}
		c.pool.closeIdleConnections()
	})
	return c.closeErr
}

// NewRequest returns a request for path, resolved against the base URL as
// WithBaseURL describes. The body is sent as follows: nil sends none; an
// io.Reader (read here, once, and closed when it is an io.Closer), []byte
// and json.RawMessage are sent as they are, never re-encoded; any other
// value is encoded with encoding/json. A request with a body has
// Content-Type application/json (set another on the request for bytes that
// are not JSON) and a GetBody, so that every attempt sends the same bytes.
// Accept is application/json.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	if ctx == nil {
		return nil, errors.New("apierr: NewRequest: nil context")
	}
	u, err := resolvePath(c.base, c.baseURL, path)
	if err != nil {
		return nil, errors.New("apierr: NewRequest: " + err.Error())
	}
	data, err := bodyBytes(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, errors.New("apierr: NewRequest: " + redactError(err).Error())
	}
	h := req.Header
	h["Accept"] = acceptJSON
	h["User-Agent"] = c.userAgent
	if c.acceptLang != nil {
		h["Accept-Language"] = c.acceptLang
	}
	if data != nil {
		req.Body = newByteBody(data)
		req.GetBody = func() (io.ReadCloser, error) { return newByteBody(data), nil }
		req.ContentLength = int64(len(data))
		h["Content-Type"] = contentJSON
	}
	return req, nil
}

// Header values shared by every request; net/http never modifies them.
var (
	acceptJSON  = []string{defaultAccept}
	contentJSON = []string{"application/json"}
)

// Do sends req, retrying as the policy allows, and always consumes and
// closes the response body. v is nil, a non-nil pointer or an io.Writer;
// anything else is refused before the request is sent.
//
//   - 2xx: the JSON body is decoded into v, read up to the limit of
//     WithResponseBodyLimit; a body that is longer, is not JSON, or has
//     data after its JSON value gives an error naming the status, the URL
//     (redacted) and the Content-Type, with the cause in its chain. An
//     io.Writer v gets the body as it is, whatever its size; a nil v drains
//     it (bounded) so the connection is reused. A 204 or an empty body
//     leaves v as it is. A 2xx is never retried.
//   - anything else: the error is the decoder's typed error for the last
//     response, normally a *Problem[C], with Attempts, Method, URL
//     (redacted) and RetryAfter set. The response is returned too, its body
//     already read (the bounded prefix is in Problem.Body).
//
// When the context ends during a wait, or a retry fails without a
// response, the error matches both the context's error (or the network
// error) and, with errors.As, the last response's typed error. After Close,
// Do returns ErrClosed and sends nothing.
//
// req may come from NewRequest or from http.NewRequest with an absolute
// http or https URL. Do takes it over: it sets Authorization (and
// User-Agent and Accept-Language when missing) on req.Header, and reads a
// body that NewRequest did not make into memory once so that every attempt
// sends the same bytes; when req has a GetBody (http.NewRequest sets one
// for in-memory bodies), the body is taken from it, so the same req may be
// passed to Do again. Do not use req while Do runs.
func (c *Client) Do(req *http.Request, v any) (*http.Response, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if err := checkTarget(v); err != nil {
		return nil, err
	}
	s, err := c.newCall(req)
	if err != nil {
		return nil, err
	}
	if c.obs == nil {
		return c.do(s, v)
	}
	c.observeCallStart(s)
	resp, err := c.do(s, v)
	c.observeCallEnd(s, resp, err)
	return resp, err
}

// do is Do once the call is prepared.
func (c *Client) do(s *callState, v any) (*http.Response, error) {
	resp, err := c.send(s)
	s.release(throttle.Result{Kind: throttle.Abandoned}) // an attempt that never reached checkRetry
	if s.replayDue {
		// A 401 to the credential this call sent: the auth scheme invalidates
		// exactly that credential and gets the next one, or says why not.
		if err := c.auth.rejected(s.Context, s.credential, resp, s.last); err != nil {
			s.annotate()
			return resp, err
		}
		s.replayDue, s.replayed = false, true
		c.logWait(s, "replaying with a new credential", 0, codes.RetryNever)
		resp, err = c.send(s)
		s.release(throttle.Result{Kind: throttle.Abandoned})
	}
	s.annotate()
	switch {
	case err != nil:
		if ge := asGateError(err); ge != nil {
			return resp, ge.typed(s)
		}
		return resp, s.failure(err)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return resp, s.last
	}
	return resp, c.decodeInto(s, resp, v)
}

// newCall prepares req for Do: the body every attempt sends, the default
// headers, and the call's state as the request's context.
func (c *Client) newCall(req *http.Request) (*callState, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("apierr: Do: nil request or URL")
	}
	if err := checkRequestURL(req.URL); err != nil {
		return nil, err
	}
	data, err := requestBytes(req)
	if err != nil {
		return nil, err
	}
	s := &callState{Context: req.Context(), method: req.Method, url: req.URL, idempotent: idempotent(req)}
	r := req.WithContext(s)
	s.rreq.Request = r
	if data != nil {
		if err := s.rreq.SetBody(data); err != nil {
			return nil, errors.New("apierr: Do: " + err.Error())
		}
	} else if r.Body != nil {
		r.Body, r.GetBody, r.ContentLength = nil, nil, 0 // an empty body, already read and closed
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		r.Header["User-Agent"] = c.userAgent
	}
	if _, ok := r.Header["Accept-Language"]; !ok && c.acceptLang != nil {
		r.Header["Accept-Language"] = c.acceptLang
	}
	return s, nil
}

// checkRequestURL refuses what net/http would refuse with a bare
// "unsupported protocol scheme": a request built with http.NewRequest and a
// path rather than a URL.
func checkRequestURL(u *url.URL) error {
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return fmt.Errorf("apierr: Do: the request URL must be absolute (http or https), not %q; NewRequest resolves a path against the base URL", redact.URL(u))
}

// redactError removes secrets from the URL that net/http puts in its
// errors' text.
func redactError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: redact.String(ue.URL), Err: ue.Err}
	}
	return err
}
