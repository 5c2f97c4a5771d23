package apierr

import (
	"errors"

	"github.com/accessapi/apierr/codes"
)

// APIError is met by every *Problem[C], whatever its code type, so code that
// does not know which decoder produced an error (logging middleware, a
// caller of decode.Auto) can read it with one errors.As:
//
//	var e apierr.APIError
//	if errors.As(err, &e) { log.Print(e.StatusCode(), e.ErrorCode()) }
type APIError interface {
	error
	// StatusCode is the HTTP status of the response.
	StatusCode() int
	// ErrorCode is the code as the API sent it, as text; "" when the body
	// had none.
	ErrorCode() string
	// Generic returns a copy of the Problem with the code as text.
	Generic() *Problem[codes.Generic]
}

// The compile-time check that every API's Problem is an APIError.
var _ APIError = (*Problem[codes.Generic])(nil)

// ErrAlreadyApplied is matched by a Problem whose code's Info().Applied is
// true: the API refused the request because the state it asked for already
// holds ("Person already blocked", "Access right already assigned"), so an
// ensure-style caller may treat the request as done. A Problem that matches
// it with Attempts > 1 means the earlier attempt most likely went through,
// and its response was lost. It never matches a code where something else
// exists ("Personal number already in use", Tapkey Duplicate).
var ErrAlreadyApplied = errors.New("apierr: already applied")

// ErrClosed is returned by Do after Close: nothing is sent. It matches
// nothing else (not ErrUnauthorized).
var ErrClosed = errors.New("apierr: client is closed")

// StatusCode returns the HTTP status of the response.
func (p *Problem[C]) StatusCode() int { return p.Status }

// ErrorCode returns the code as the API sent it, as text ("Duplicate",
// "400241", "2202"); "" when the body had none (a zero Code).
func (p *Problem[C]) ErrorCode() string {
	var zero C
	if p.Code == zero {
		return ""
	}
	return codeText(p.Code)
}

// Generic returns a copy of p with every field kept and the code as text
// (ErrorCode), down through Errors. Body shares p's bytes. The copy's code
// has no catalogue: its Info is not Known, so it matches the status
// sentinels but not the code's sentinels or ErrAlreadyApplied.
func (p *Problem[C]) Generic() *Problem[codes.Generic] {
	g := generic(p)
	return &g
}

func generic[C Code](p *Problem[C]) Problem[codes.Generic] {
	g := Problem[codes.Generic]{
		Status: p.Status, Code: codes.Generic(p.ErrorCode()), Type: p.Type,
		Title: p.Title, Detail: p.Detail, UserMessage: p.UserMessage,
		RequestID: p.RequestID, RetryAfter: p.RetryAfter, Attempts: p.Attempts,
		Method: p.Method, URL: p.URL, Body: p.Body,
	}
	if p.Errors != nil {
		g.Errors = make([]Problem[codes.Generic], len(p.Errors))
		for i := range p.Errors {
			g.Errors[i] = generic(&p.Errors[i])
		}
	}
	return g
}

// applied reports whether p's code says the requested state already holds.
func (p *Problem[C]) applied() bool {
	var zero C
	return p.Code != zero && p.Code.Info().Applied
}
