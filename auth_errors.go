package apierr

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accessapi/apierr/internal/redact"
)

// Auth sentinels: every *AuthError matches ErrUnauthorized, and the ones
// below say why the client gave up.
var (
	// ErrInsufficientScope: the API answered 401 with error="insufficient_scope";
	// a new token with the same scopes cannot help, so the request is not replayed.
	ErrInsufficientScope = errors.New("apierr: insufficient scope")
	// ErrReauthRequired: the refresh token was refused (or there is none) and the
	// grant cannot be started again without the user, or the credentials were refused.
	ErrReauthRequired = errors.New("apierr: re-authentication needed")
	// ErrLoginThrottled: exos refused logins for a while (300007 too many
	// sessions, 300016 too many failed logins); callers fail fast until RetryAfter.
	ErrLoginThrottled = errors.New("apierr: login throttled")
)

// errAuthClosed is returned when a request needs a token after Close.
var errAuthClosed = &AuthError{Op: "token", msg: "client is closed"}

// AuthError reports that a request could not be authorised: a token request
// or exos login failed, the API refused a fresh token, or the token lacks a
// scope. It matches ErrUnauthorized and, when it applies, one of
// ErrInsufficientScope, ErrReauthRequired or ErrLoginThrottled. Its text
// never holds a token, a password or a client secret.
type AuthError struct {
	Op          string        // "token", "refresh", "login", "logout" or "request"
	Status      int           // HTTP status of the failed response, 0 when there was none
	Code        string        // RFC 6749/6750 error ("invalid_grant", "insufficient_scope") or an exos code
	Description string        // the server's error_description, secrets removed
	URI         string        // the server's error_uri
	Scope       string        // the scope the API asked for (insufficient_scope)
	RetryAfter  time.Duration // how long the server asked us to wait, when it did
	Err         error         // the cause: a token endpoint or login Problem, a network error
	Rejected    error         // the API's decoded 401 that led here, when there was one

	kind error         // one of the sentinels above, or nil
	hold time.Duration // fail fast for this long without asking again
	msg  string        // what went wrong, when no status says it
}

// Error reads as one line, such as
//
//	apierr: refresh: 400 Bad Request: invalid_grant: token expired: re-authentication needed
func (e *AuthError) Error() string {
	var b strings.Builder
	b.WriteString("apierr: ")
	b.WriteString(e.Op)
	if e.Status != 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Itoa(e.Status))
		if t := http.StatusText(e.Status); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
	}
	for _, s := range [...]string{e.msg, e.Code, e.Description} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	if e.Scope != "" {
		b.WriteString(": scope ")
		b.WriteString(strconv.Quote(e.Scope))
		b.WriteString(" is missing")
	}
	if e.Err != nil && e.Status == 0 {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.kind.Error(), "apierr: "))
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether target is ErrUnauthorized or the sentinel for e's reason.
func (e *AuthError) Is(target error) bool {
	return target == ErrUnauthorized || (e.kind != nil && target == e.kind)
}

// Unwrap returns the cause and the API's rejected response, so that
// errors.Is and errors.As reach both.
func (e *AuthError) Unwrap() []error {
	switch {
	case e.Err != nil && e.Rejected != nil:
		return []error{e.Err, e.Rejected}
	case e.Err != nil:
		return []error{e.Err}
	case e.Rejected != nil:
		return []error{e.Rejected}
	}
	return nil
}

// withRejected returns a copy of e that also carries the API's 401.
func (e *AuthError) withRejected(prob error) *AuthError {
	c := *e
	c.Rejected = prob
	return &c
}

// asAuthError returns err as an *AuthError, wrapping it when it is not one.
func asAuthError(op string, err error) *AuthError {
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae
	}
	return &AuthError{Op: op, Err: err}
}

// scrubSecrets replaces every secret that occurs in s, so that a server
// echoing a credential in its error_description cannot leak it.
func scrubSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redact.Mask)
		}
	}
	return s
}

// failFastFor is how long the token cache fails fast with e (failFast).
func (e *AuthError) failFastFor() time.Duration { return e.hold }
