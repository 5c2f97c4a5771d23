package apierr

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/accessapi/apierr/internal/redact"
)

// Observer is told what the client does for a request: calls and their
// attempts (the 401 replay and every retry included), waits, token
// requests, exos logins and logouts, lockouts, an exhausted retry budget
// and fleet fallbacks. apierrotel implements it with OpenTelemetry traces
// and metrics; it is also the place for one's own metrics or audit lines.
//
// The client calls the methods synchronously, on the goroutine doing the
// work (the caller's, in Do), possibly from many goroutines at once: they
// must be safe for concurrent use and quick, since the request waits for
// them. They must not keep or modify an event's Header after returning.
//
// A Start method returns the context that the client passes on to what
// happens inside: to the matching End, and to the events in between (an
// attempt's events get the attempt's context, a wait the call's). It must
// be ctx or derived from it, since it carries the caller's deadline and
// values; the attempt's becomes its request's context. An observer can put
// a span in it; one that has nothing to add returns ctx.
//
// Embed NopObserver to implement only some of the methods: events added
// to the interface later then cost such a type nothing. Without
// WithObserver the client calls nothing and allocates nothing for it.
type Observer interface {
	// CallStart: Do starts a request (before it authorises it).
	CallStart(ctx context.Context, e CallStartEvent) context.Context
	// CallEnd: Do returns.
	CallEnd(ctx context.Context, e CallEndEvent)
	// AttemptStart: one attempt of a call is about to be sent.
	AttemptStart(ctx context.Context, e AttemptStartEvent) context.Context
	// AttemptEnd: the attempt's response arrived (its body read when it was
	// an error) or it failed without one.
	AttemptEnd(ctx context.Context, e AttemptEndEvent)
	// Wait: the client is about to wait before going on; reported once per
	// wait, before it starts.
	Wait(ctx context.Context, e WaitEvent)
	// AuthStart: a token request, an exos login or logout starts.
	AuthStart(ctx context.Context, e AuthStartEvent) context.Context
	// AuthEnd: the token request, login or logout is over.
	AuthEnd(ctx context.Context, e AuthEndEvent)
	// Lockout: the server refused service until a time (exos refusing
	// logins: 300007, 300016); calls fail fast until then.
	Lockout(ctx context.Context, e LockoutEvent)
	// BudgetExhausted: a retry was refused because the client's retry
	// budget ran out (see RetryBudget).
	BudgetExhausted(ctx context.Context, e BudgetExhaustedEvent)
	// FleetFallback: shared fleet state could not be used, and the client
	// went on with its own (see WithFleet).
	FleetFallback(ctx context.Context, e FleetFallbackEvent)
}

// WithObserver makes the client report what it does to o; see Observer.
func WithObserver(o Observer) Option {
	return func(c *config) error {
		if o == nil {
			return errors.New("apierr: WithObserver: nil observer")
		}
		c.observer = o
		return nil
	}
}

// NopObserver does nothing: embed it in a type that implements only the
// events it cares about.
type NopObserver struct{}

var _ Observer = NopObserver{}

// CallStart returns ctx.
func (NopObserver) CallStart(ctx context.Context, _ CallStartEvent) context.Context { return ctx }

// CallEnd does nothing.
func (NopObserver) CallEnd(context.Context, CallEndEvent) {}

// AttemptStart returns ctx.
func (NopObserver) AttemptStart(ctx context.Context, _ AttemptStartEvent) context.Context {
	return ctx
}

// AttemptEnd does nothing.
func (NopObserver) AttemptEnd(context.Context, AttemptEndEvent) {}

// Wait does nothing.
func (NopObserver) Wait(context.Context, WaitEvent) {}

// AuthStart returns ctx.
func (NopObserver) AuthStart(ctx context.Context, _ AuthStartEvent) context.Context { return ctx }

// AuthEnd does nothing.
func (NopObserver) AuthEnd(context.Context, AuthEndEvent) {}

// Lockout does nothing.
func (NopObserver) Lockout(context.Context, LockoutEvent) {}

// BudgetExhausted does nothing.
func (NopObserver) BudgetExhausted(context.Context, BudgetExhaustedEvent) {}

// FleetFallback does nothing.
func (NopObserver) FleetFallback(context.Context, FleetFallbackEvent) {}

// Target is the request an event is about.
type Target struct {
	Method        string // "GET", "POST", …
	URL           string // the full URL, its secrets redacted
	ServerAddress string // the URL's host name, without the port
	ServerPort    int    // the URL's port, or the scheme's default (443, 80)
}

// CallStartEvent: Do was given a request.
type CallStartEvent struct {
	Target
}

// CallEndEvent: Do returns.
type CallEndEvent struct {
	Target
	Attempts int           // attempts sent, the replay included; 0 when none was
	Status   int           // status of the last response; 0 when there was none
	Code     string        // the last response's error code as sent; "" when none
	Err      error         // what Do returns; nil on success
	Duration time.Duration // from CallStart to now
}

// AttemptStartEvent: an attempt is about to be sent.
type AttemptStartEvent struct {
	Target
	Attempt int  // 1 for the first attempt
	Replay  bool // this attempt replays the previous one with a new token after a 401
	// Header gives access to the attempt's request header, without its
	// credentials, so that an observer can inject trace context.
	Header HeaderCarrier
}

// AttemptEndEvent: an attempt is over.
type AttemptEndEvent struct {
	Target
	Attempt int  // as in AttemptStartEvent
	Replay  bool // as in AttemptStartEvent
	Status  int  // the response's status; 0 when none arrived
	// Code is the response's error code exactly as sent ("Duplicate",
	// "400241"); "" for a success or a body without one.
	Code string
	// Err is the network error when no response arrived, else the typed
	// error of a non-2xx response; nil for a 2xx.
	Err error
	// Retry says that another attempt is due: a retry, or the replay after
	// a 401 (which does not happen when no new token can be had).
	Retry    bool
	Duration time.Duration // from AttemptStart to now
}

// WaitReason says why the client waits.
type WaitReason string

// The reasons for a wait.
const (
	WaitRetryAfter  WaitReason = "retry-after"  // the server asked for it (Retry-After, a body's delay)
	WaitBackoff     WaitReason = "backoff"      // exponential backoff before a retry
	WaitConcurrency WaitReason = "concurrency"  // a short pause after a concurrency conflict
	WaitGate        WaitReason = "gate"         // a gate held by a lockout or a throttle answer
	WaitRate        WaitReason = "rate"         // a send slot of the configured rate (WithRateLimit)
	WaitLearnedRate WaitReason = "learned-rate" // a send slot of the rate learned from throttles (WithAdaptiveRate)
	WaitInFlight    WaitReason = "in-flight"    // a request in flight to end (WithMaxInFlight); Duration 0: not known
)

// WaitEvent: the client is about to wait.
type WaitEvent struct {
	Reason WaitReason
	// Duration is the wait decided: the client waits that long unless the
	// context ends first.
	Duration time.Duration
	Attempt  int // the attempt that follows the wait (1: the first)
}

// AuthOp says what an auth event is about.
type AuthOp string

// The auth operations.
const (
	AuthToken  AuthOp = "token"  // an OAuth2 token request (client credentials, refresh, TokenSource)
	AuthLogin  AuthOp = "login"  // an exos login
	AuthLogout AuthOp = "logout" // an exos logout
)

// AuthReason says why the client asks for a token or logs in.
type AuthReason string

// The reasons for a token request or login.
const (
	AuthFirst    AuthReason = "first"    // no token yet
	AuthExpiring AuthReason = "expiring" // the token is about to expire
	AuthRejected AuthReason = "rejected" // the API answered 401 to the current token
	AuthClose    AuthReason = "close"    // Close ends the session
)

// AuthStartEvent: a token request, a login or a logout starts.
type AuthStartEvent struct {
	Op     AuthOp
	Reason AuthReason
	// URL is the endpoint, its secrets redacted; "" when the client does
	// not know it (a TokenSource). ServerAddress and ServerPort are its host
	// and port.
	URL           string
	ServerAddress string
	ServerPort    int
}

// Outcome says how a token request, a login or a logout ended.
type Outcome string

// The outcomes.
const (
	OutcomeOK        Outcome = "ok"
	OutcomeRefused   Outcome = "refused"   // the credentials or the refresh token were refused (ErrReauthRequired)
	OutcomeThrottled Outcome = "throttled" // too many requests or logins (429, ErrLoginThrottled)
	OutcomeCanceled  Outcome = "canceled"  // the context ended first
	OutcomeError     Outcome = "error"     // anything else: network error, 5xx, a body that makes no sense
)

// AuthEndEvent: the token request, login or logout is over.
type AuthEndEvent struct {
	Op       AuthOp
	Reason   AuthReason // as in AuthStartEvent
	Outcome  Outcome
	Status   int           // the endpoint's last status; 0 when none answered or the client cannot know
	Code     string        // the error code as sent ("invalid_grant", "300007"); "" when none
	Err      error         // nil when Outcome is OutcomeOK; never holds a secret
	Duration time.Duration // from AuthStart to now
}

// LockoutEvent: the server refused service until a time.
type LockoutEvent struct {
	Op     AuthOp // the operation refused: AuthLogin for exos
	Status int    // the status of the answer that said so
	Code   string // its error code as sent ("300007")
	Until  time.Time
}

// BudgetExhaustedEvent: a retry was refused for want of budget.
type BudgetExhaustedEvent struct {
	Target
	Attempt int // the attempt that would have been sent
}

// FleetFallbackEvent: the fleet could not be used for a feature.
type FleetFallbackEvent struct {
	Feature string // what the fleet was asked for: "token", "session", "gate", "rate", …
	Err     error  // why it could not be used
}

// HeaderCarrier gives an observer the header of an attempt's request
// without its credentials: Get and Keys leave out Authorization, Cookie and
// the other secret headers, and Set refuses to write them. Its methods are
// those of OpenTelemetry's propagation.TextMapCarrier, so a propagator can
// inject trace context into it directly. The zero value has no header.
type HeaderCarrier struct {
	h http.Header
}

// NewHeaderCarrier returns a carrier over h, for an observer's own tests;
// the client makes one for every attempt.
func NewHeaderCarrier(h http.Header) HeaderCarrier { return HeaderCarrier{h: h} }

// Get returns the header's first value for key, or "" when it has none or
// key names a secret header.
func (c HeaderCarrier) Get(key string) string {
	if c.h == nil || redact.IsSecretHeader(key) {
		return ""
	}
	return c.h.Get(key)
}

// Set sets the header key to value, unless key names a secret header or
// there is no header.
func (c HeaderCarrier) Set(key, value string) {
	if c.h == nil || redact.IsSecretHeader(key) {
		return
	}
	c.h.Set(key, value)
}

// Keys returns the header's keys, the secret ones left out.
func (c HeaderCarrier) Keys() []string {
	keys := make([]string, 0, len(c.h))
	for k := range c.h {
		if !redact.IsSecretHeader(k) {
			keys = append(keys, k)
		}
	}
	return keys
}
