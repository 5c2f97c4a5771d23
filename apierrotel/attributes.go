package apierrotel

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/accessapi/apierr"
)

// Attributes of our own, beside the semantic conventions' HTTP client
// attributes. The client's slog lines use the same names.
const (
	keyAttempts     = attribute.Key("apierr.attempts")      // attempts a call made
	keyAttempt      = attribute.Key("apierr.attempt")       // the attempt a wait precedes
	keyReplay       = attribute.Key("apierr.replay")        // the attempt is the 401 replay
	keyRetry        = attribute.Key("apierr.retry")         // another attempt follows
	keyWaitReason   = attribute.Key("apierr.wait.reason")   // apierr.WaitReason
	keyWaitDuration = attribute.Key("apierr.wait.duration") // seconds
	keyAuthOp       = attribute.Key("apierr.auth.op")       // apierr.AuthOp
	keyAuthReason   = attribute.Key("apierr.auth.reason")   // apierr.AuthReason
	keyAuthOutcome  = attribute.Key("apierr.auth.outcome")  // apierr.Outcome
	keyLockoutUntil = attribute.Key("apierr.lockout.until") // RFC 3339
	keyFleetFeature = attribute.Key("apierr.fleet.feature") // what the fleet was asked for
)

// Span and event names.
const (
	spanCallPrefix   = "apierr "
	eventWait        = "apierr.wait"
	eventLockout     = "apierr.lockout"
	eventBudget      = "apierr.retry_budget_exhausted"
	eventFleet       = "apierr.fleet_fallback"
	otherMethodName  = "HTTP" // the span name for a method the conventions do not know
	errorTypeUnknown = "_OTHER"
)

// knownMethods are the methods the semantic conventions name; any other is
// reported as _OTHER with http.request.method_original.
var knownMethods = map[string]bool{
	"CONNECT": true, "DELETE": true, "GET": true, "HEAD": true, "OPTIONS": true,
	"PATCH": true, "POST": true, "PUT": true, "QUERY": true, "TRACE": true,
}

// method returns the method for http.request.method and for a span name.
func method(m string) (attr, name string, known bool) {
	if knownMethods[m] {
		return m, m, true
	}
	return "_OTHER", otherMethodName, false
}

// targetAttrs are the attributes of a request that a sampler may use, so
// they are given when the span starts.
func targetAttrs(t apierr.Target) []attribute.KeyValue {
	m, _, known := method(t.Method)
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, semconv.HTTPRequestMethodKey.String(m))
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(t.Method))
	}
	attrs = append(attrs, serverAttrs(t.ServerAddress, t.ServerPort)...)
	if t.URL != "" {
		attrs = append(attrs, semconv.URLFull(t.URL))
	}
	return attrs
}

func serverAttrs(address string, port int) []attribute.KeyValue {
	if address == "" {
		return nil
	}
	attrs := []attribute.KeyValue{semconv.ServerAddress(address)}
	if port > 0 {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	return attrs
}

// errorType is error.type: the vendor's code when the response had one,
// else the status when it is an error, else the Go error's type; "" when
// nothing went wrong.
func errorType(code string, status int, err error) string {
	switch {
	case code != "":
		return code
	case status >= 400:
		return strconv.Itoa(status)
	case err != nil:
		return goErrorType(err)
	}
	return ""
}

// goErrorType names an error by its type, never by its text (which may
// hold a URL). The wrappers net/http puts around a network error are
// looked through, and a context's errors get their own names.
func goErrorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if t := semconv.ErrorType(err).Value.AsString(); t != "" {
		return t
	}
	return errorTypeUnknown
}
