package apierrtest

import (
	"math"
	"strconv"
	"time"
)

// A Fault shapes a scripted answer. Faults combine: Fail(code, 1, Slow(d))
// answers with code after d; Inject(1, Slow(d), BadGateway()) answers with
// an HTML 502 after d. The same faults shape the httpmock responders.
type Fault func(*reply)

// reply is what a scripted answer is made of, before a dialect writes it.
type reply struct {
	status     int           // 0: no error answer; the fake answers normally
	detail     string        // ErrorDetails / detail / subject
	retryAfter time.Duration // sent as Retry-After when hasRetryAfter
	hasRetry   bool
	challenge  string   // WWW-Authenticate
	auth       authKind // which of the API's auth-failure bodies to send
	html       bool     // an HTML page from a proxy instead of the API's body
	delay      time.Duration
	drop       bool
	// Wire faults (faults_wire.go): gzip the body; send cut bytes of it,
	// then reset the connection; offset Date by skew.
	gzip    bool
	cut     int
	hasCut  bool
	skew    time.Duration
	hasSkew bool
}

// authKind names the auth failures that each API words in its own way.
type authKind int

const (
	authNone    authKind = iota
	authMissing          // no credentials sent
	authInvalid          // unknown or revoked token or session
	authExpired          // the token's lifetime is over
	authScope            // the token lacks a scope
)

// TooManyRequests answers 429 asking the client to wait d (see RetryAfter),
// in the API's body shape without a code. In a test of your own retry
// handling, a wait of a few milliseconds keeps it fast:
// TooManyRequests(time.Millisecond) with FastRetryPolicy.
func TooManyRequests(d time.Duration) Fault {
	return func(r *reply) {
		r.status = 429
		RetryAfter(d)(r)
	}
}

// ExpiredToken answers 401 with the challenge
// `Bearer error="invalid_token", error_description="The access token expired"`
// and the API's own expired-token body (entrecode 2402, USTA 4003, exos
// 300008), whatever token the request carried.
func ExpiredToken() Fault {
	return func(r *reply) {
		r.status = 401
		r.auth = authExpired
		r.challenge = `Bearer error="invalid_token", error_description="The access token expired"`
	}
}

// InsufficientScope answers 401 (as Tapkey does) with the challenge
// `Bearer error="insufficient_scope", scope="<scope>"`.
func InsufficientScope(scope string) Fault {
	return func(r *reply) {
		r.status = 401
		r.auth = authScope
		r.detail = "required scope: " + scope
		r.challenge = `Bearer error="insufficient_scope", error_description="The access token does not have the required scope", scope="` + scope + `"`
	}
}

// BadGateway answers 502 with the HTML page a reverse proxy sends.
func BadGateway() Fault {
	return func(r *reply) {
		r.status = 502
		r.html = true
	}
}

// Slow waits d before answering (the wait ends early when the client gives
// up or the server closes). On its own it delays the normal answer.
func Slow(d time.Duration) Fault {
	return func(r *reply) { r.delay = d }
}

// Drop closes the connection without an answer: the server hijacks it and
// closes it after the status line, before the headers end, so the client
// sees an unexpected EOF. (Were no byte sent, net/http would silently retry
// a replayable request on a reused connection.) An httpmock responder
// returns ErrDropped instead.
func Drop() Fault {
	return func(r *reply) { r.drop = true }
}

// Status sets the answer's HTTP status, overriding the code's.
func Status(code int) Fault {
	return func(r *reply) { r.status = code }
}

// RetryAfter asks the client to wait d (negative means 0): Retry-After in
// whole seconds, rounded up, and, when d is not a whole number of seconds,
// Retry-After-Ms in milliseconds, rounded up, as Azure services send it.
// apierr honours Retry-After-Ms first, so TooManyRequests(5*time.Millisecond)
// costs a retrying client 5 ms; a client that reads only Retry-After waits
// the whole second.
func RetryAfter(d time.Duration) Fault {
	return func(r *reply) {
		r.retryAfter, r.hasRetry = max(d, 0), true
	}
}

// Detail sets the error's subject: Tapkey ErrorDetails, entrecode detail,
// USTA subject.
func Detail(s string) Fault {
	return func(r *reply) { r.detail = s }
}

// newReply builds the answer for faults on top of status (0: none).
func newReply(status int, faults []Fault) *reply {
	r := &reply{status: status}
	for _, f := range faults {
		if f != nil {
			f(r)
		}
	}
	return r
}

// retryAfterValue formats d as delta-seconds, rounded up.
func retryAfterValue(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// retryAfterMsValue formats d in milliseconds, rounded up.
func retryAfterMsValue(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Millisecond-1)/time.Millisecond), 10)
}
