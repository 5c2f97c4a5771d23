package apierr

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/redact"
	"github.com/accessapi/apierr/internal/throttle"
)

// The client's side of Observer: every method here runs only when the
// client has an observer (the callers check c.obs != nil first), so that a
// client without one spends nothing on it.

// callObservation is what a call keeps for its observer; a call without
// one has none, so that its state is no larger.
type callObservation struct {
	observer     Observer
	target       Target
	start        time.Time       // of the call
	attemptCtx   context.Context // what AttemptStart returned
	attemptStart time.Time
	attemptN     int  // the attempt in flight (1: the first)
	replay       bool // the attempt in flight is the 401 replay
	replaySeen   bool // the replay has started
}

// observeCallStart reports the call and makes the observer's context the
// call's, so that attempts, waits and token requests happen inside it.
func (c *Client) observeCallStart(s *callState) {
	s.obs = &callObservation{observer: c.obs, target: targetOf(s.method, s.url, s.redactedURL()), start: c.clock.current()}
	if ctx := c.obs.CallStart(s.Context, CallStartEvent{Target: s.obs.target}); ctx != nil {
		s.Context = ctx
	}
}

// observeCallEnd reports what Do returns.
func (c *Client) observeCallEnd(s *callState, resp *http.Response, err error) {
	e := CallEndEvent{Target: s.obs.target, Attempts: s.attempts, Err: err,
		Duration: c.clock.current().Sub(s.obs.start)}
	if resp != nil {
		e.Status = resp.StatusCode
		if e.Status < 200 || e.Status > 299 {
			e.Code = errorCode(s.lastProblem)
		}
	}
	var ae *AuthError
	if e.Code == "" && errors.As(err, &ae) {
		e.Code = ae.Code // a login or token request that ended the call
	}
	c.obs.CallEnd(s.Context, e)
}

// observeAttemptStart reports an attempt about to be sent, once it is
// authorised. The attempt's request runs in the observer's context, so that
// an instrumented transport's spans nest under the attempt's.
func (c *Client) observeAttemptStart(s *callState, req *http.Request) {
	o := s.obs
	o.attemptN = s.attempts + 1
	o.replay = s.replayed && !o.replaySeen
	o.replaySeen = o.replaySeen || o.replay
	o.attemptStart = c.clock.current()
	ctx := c.obs.AttemptStart(s, AttemptStartEvent{Target: o.target, Attempt: o.attemptN,
		Replay: o.replay, Header: HeaderCarrier{h: req.Header}})
	if ctx == nil || (ctx != context.Context(s) && callOf(ctx) != s) {
		ctx = s // not derived from the call's: the hooks would lose the call
	}
	o.attemptCtx = ctx
	if ctx != req.Context() {
		*req = *req.WithContext(ctx)
	}
}

// observeAttemptEnd reports how the attempt ended; again says whether
// another attempt is due (a retry, or the replay after a 401).
func (c *Client) observeAttemptEnd(s *callState, out outcome, again bool) {
	o := s.obs
	e := AttemptEndEvent{Target: o.target, Attempt: o.attemptN, Replay: o.replay, Status: out.status,
		Retry: again, Duration: c.clock.current().Sub(o.attemptStart)}
	switch {
	case out.status == 0:
		e.Err = redactError(out.err)
	case out.status < 200 || out.status > 299:
		e.Err, e.Code = s.last, errorCode(s.lastProblem)
	}
	ctx := o.attemptCtx
	o.attemptCtx = nil
	if ctx == nil {
		ctx = s
	}
	c.obs.AttemptEnd(ctx, e)
}

// targetOf describes a request for the observer; redacted is u redacted.
func targetOf(method string, u *url.URL, redacted string) Target {
	t := Target{Method: method, URL: redacted, ServerAddress: u.Hostname()}
	if p := u.Port(); p != "" {
		t.ServerPort, _ = strconv.Atoi(p)
	} else if u.Scheme == "https" {
		t.ServerPort = 443
	} else if u.Scheme == "http" {
		t.ServerPort = 80
	}
	return t
}

// errorCode is the code of the call's last typed error as sent; "" when
// it has none.
func errorCode(p problem) string {
	if ae, ok := p.(APIError); ok {
		return ae.ErrorCode()
	}
	return ""
}

// waitReasonOf says why the client waits before a retry.
func waitReasonOf(asked bool, class codes.RetryClass) WaitReason {
	switch {
	case asked:
		return WaitRetryAfter
	case class == codes.RetryConcurrency:
		return WaitConcurrency
	}
	return WaitBackoff
}

// authObserver reports a token cache's token requests, logins and logouts.
type authObserver struct {
	obs    Observer
	op     AuthOp // of a fetch: AuthToken or AuthLogin
	fetch  Target // the token endpoint or login URL; zero for a TokenSource
	logout Target // the logout URL; zero: no logout
	clock  *clock
}

// authTarget describes an auth endpoint; nil u gives the zero Target.
func authTarget(u *url.URL) Target {
	if u == nil {
		return Target{}
	}
	return targetOf(http.MethodPost, u, redact.URL(u))
}

// observe runs do, a token request, login or logout, between AuthStart
// and AuthEnd, and reports a lockout that its error announces.
func (a *authObserver) observe(ctx context.Context, op AuthOp, reason AuthReason, t Target, do func(context.Context) error) error {
	start := a.clock.current()
	ctx = a.obs.AuthStart(ctx, AuthStartEvent{Op: op, Reason: reason, URL: t.URL,
		ServerAddress: t.ServerAddress, ServerPort: t.ServerPort})
	err := do(ctx)
	e := AuthEndEvent{Op: op, Reason: reason, Outcome: authOutcome(err), Err: err,
		Duration: a.clock.current().Sub(start)}
	var ae *AuthError
	if errors.As(err, &ae) {
		e.Status, e.Code = ae.Status, ae.Code
	}
	var h failFast
	if errors.As(err, &h) && h.failFastFor() > 0 {
		a.obs.Lockout(ctx, LockoutEvent{Op: op, Status: e.Status, Code: e.Code, Until: a.clock.current().Add(h.failFastFor())})
	}
	a.obs.AuthEnd(ctx, e)
	return err
}

// authOutcome classifies how a token request, login or logout ended.
func authOutcome(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	case errors.Is(err, ErrLoginThrottled), errors.Is(err, ErrTooManyRequests):
		return OutcomeThrottled
	case errors.Is(err, ErrReauthRequired):
		return OutcomeRefused
	}
	return OutcomeError
}

// newAuthObserver returns the observer of src's fetches and logouts.
func newAuthObserver(obs Observer, src credentialSource, clk *clock) *authObserver {
	a := &authObserver{obs: obs, op: AuthOp(src.op()), clock: clk}
	switch s := src.(type) {
	case *oauthSource:
		if s.grant != nil {
			a.fetch = authTarget(parseURL(s.grant.TokenURL))
		} else if s.refresh != nil {
			a.fetch = authTarget(parseURL(s.refresh.Endpoint.TokenURL))
		}
	case *exosSource:
		a.fetch, a.logout = authTarget(s.login), authTarget(s.logoutURL)
	}
	return a
}

func parseURL(raw string) *url.URL {
	u, _ := url.Parse(raw)
	return u
}

// limitWaits are the reasons of the limiter's waits for a slot.
var limitWaits = [...]WaitReason{
	throttle.WaitLearned:    WaitLearnedRate,
	throttle.WaitConfigured: WaitRate,
	throttle.WaitInFlight:   WaitInFlight,
}

// Waiting reports a wait of the limiter for a send slot or a slot in
// flight (throttle.Waiter); beforeAttempt hands the call to the limiter as
// its Waiter only when there is an observer.
func (s *callState) Waiting(k throttle.WaitKind, d time.Duration) {
	if s.obs == nil || int(k) >= len(limitWaits) || limitWaits[k] == "" {
		return
	}
	s.obs.observer.Wait(s, WaitEvent{Reason: limitWaits[k], Duration: d, Attempt: s.attempts + 1})
}
