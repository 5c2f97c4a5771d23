package apierr

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/internal/redact"
)

// Code is what every API's code type provides: it is comparable (so a
// constant can be a sentinel), it is an error, and it knows its
// documentation row.
type Code interface {
	comparable
	error
	Info() codes.Info
}

// Problem is the typed error for a non-2xx response. C is the code type of
// the decoder that produced it: *Problem[tapkey.Code] from decode.Tapkey,
// *Problem[codes.Generic] from decode.Problem. The errors.As target must use
// the configured decoder's code type.
type Problem[C Code] struct {
	Status      int           // HTTP status of the response
	Code        C             // the code exactly as sent (zero when the body had none)
	Type        string        // problem type URI, when the body has one
	Title       string        // short text: title / ErrorMessage / message
	Detail      string        // the subject: detail / ErrorDetails / subject
	UserMessage string        // text meant for end users (Tapkey UserErrorMessage)
	Errors      []Problem[C]  // further errors: _embedded.error, errors[1:]
	RequestID   string        // from the response headers or the body
	RetryAfter  time.Duration // what the server asked for, when it did
	Attempts    int           // attempts made, including the first
	Method, URL string        // the request; secrets redacted
	Body        []byte        // the raw body as received (bounded); unlike the text fields, not scrubbed of echoed credentials
}

// The compile-time check that every API's Problem is an error.
var _ error = (*Problem[codes.Generic])(nil)

// Error reads as one line for a person scanning logs:
//
//	tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card (PUT /api/v1/Owners/o1/Grants)
func (p *Problem[C]) Error() string {
	var b strings.Builder
	b.Grow(96 + len(p.Title) + len(p.Detail))
	b.WriteString(apiName(p.Code))
	b.WriteString(": ")
	if p.Status != 0 {
		b.WriteString(strconv.Itoa(p.Status))
		if t := http.StatusText(p.Status); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
	} else {
		b.WriteString("error")
	}
	var zero C
	if p.Code != zero {
		b.WriteString(": ")
		b.WriteString(codeText(p.Code))
	}
	title := p.Title
	if title == "" && p.Code != zero {
		title = p.Code.Info().Description
	}
	for _, s := range [...]string{title, p.Detail} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	if p.Method != "" || p.URL != "" {
		b.WriteString(" (")
		b.WriteString(p.Method)
		if path := urlPath(p.URL); path != "" {
			if p.Method != "" {
				b.WriteByte(' ')
			}
			b.WriteString(path)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether target is p's code, the family p's code belongs to, a
// status sentinel that p's status falls under, or ErrAlreadyApplied when
// p's code is Applied.
func (p *Problem[C]) Is(target error) bool {
	if s, ok := target.(*statusError); ok {
		return s.matches(p.Status)
	}
	if target == ErrAlreadyApplied {
		return p.applied()
	}
	var zero C
	return p.Code != zero && errors.Is(p.Code, target)
}

// Members decodes the top-level members of the JSON body on demand, for
// members the Problem has no field for (RFC 9457 extensions, exos extras).
// It fails when the body is not a JSON object.
func (p *Problem[C]) Members() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(p.Body, &m); err != nil {
		return nil, errors.New("apierr: error body is not a JSON object: " + err.Error())
	}
	return m, nil
}

// NewProblem returns a Problem with the fields every decoder fills in the
// same way: Status, RequestID (from the usual headers), RetryAfter (from the
// Retry-After headers), Body, Method and URL (redacted). Decoders then add
// what they read from the body. resp may be nil.
func NewProblem[C Code](resp *http.Response, body []byte) *Problem[C] {
	p := &Problem[C]{Body: body}
	if resp == nil {
		return p
	}
	p.Status = resp.StatusCode
	p.RequestID = requestID(resp.Header)
	if d, ok := retryAfter(resp.Header, time.Now()); ok {
		p.RetryAfter = d
	}
	if r := resp.Request; r != nil {
		p.Method = r.Method
		p.URL = redactURL(r.URL)
	}
	return p
}

// requestIDHeaders are the headers servers and gateways use for a request
// identifier, in order of preference.
var requestIDHeaders = [...]string{
	"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Requestid",
	"X-Ms-Request-Id", "Apigw-Requestid", "Cf-Ray", "Traceparent",
}

func requestID(h http.Header) string {
	if len(h) == 0 {
		return ""
	}
	for _, k := range requestIDHeaders {
		if v := h[k]; len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}

// apiName is the prefix of an error text: the API a code type belongs to.
func apiName(c any) string {
	if a, ok := c.(interface{ API() string }); ok && a.API() != "" {
		return a.API()
	}
	return "apierr"
}

// codeText is a code as the API sends it; a code type without String falls
// back to its Error text.
func codeText(c error) string {
	if s, ok := c.(interface{ String() string }); ok {
		return s.String()
	}
	return c.Error()
}

// urlPath returns the path of a (redacted) URL, for the error text.
func urlPath(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return raw
	}
	return u.EscapedPath()
}

func redactURL(u *url.URL) string { return redact.URL(u) }

// problem is implemented by every *Problem[C]: the client uses it to read the
// retry class and to record what only it knows, whatever C is.
type problem interface {
	error
	status() int
	codeInfo() (codes.Info, bool) // the code's Info; false when the body had no code
	annotate(attempts int, method, url string)
	setAttempts(n int)
	setRetryAfter(d time.Duration)
	scrub(secrets []string)
	clone() problem // a shallow copy, for another call to annotate
}

func (p *Problem[C]) status() int { return p.Status }

func (p *Problem[C]) codeInfo() (codes.Info, bool) {
	var zero C
	if p.Code == zero {
		return codes.Info{}, false
	}
	return p.Code.Info(), true
}

func (p *Problem[C]) annotate(attempts int, method, url string) {
	p.Attempts, p.Method, p.URL = attempts, method, url
}

func (p *Problem[C]) setAttempts(n int) { p.Attempts = n }

func (p *Problem[C]) setRetryAfter(d time.Duration) { p.RetryAfter = d }

// scrub masks every secret in the text fields, nested errors included.
// Body keeps the bytes as received.
func (p *Problem[C]) scrub(secrets []string) {
	for _, f := range [...]*string{&p.Type, &p.Title, &p.Detail, &p.UserMessage, &p.RequestID} {
		*f = scrubSecrets(*f, secrets)
	}
	for i := range p.Errors {
		p.Errors[i].scrub(secrets)
	}
}

func (p *Problem[C]) clone() problem { q := *p; return &q }
