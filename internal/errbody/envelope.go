package errbody

import (
	"bytes"
	"sync"
)

// Envelope holds the members of every error shape we read, so that one pass
// over any body fills it and Auto can choose the API afterwards. It is used
// for sub-errors too.
//
// It is filled by walking the JSON object member by member (read), not by
// encoding/json: that is one pass with no reflection, it reads on past a
// missing comma and keeps what precedes a truncation, and its allocations
// stay proportional to the strings it keeps. Keys match case-insensitively,
// so ErrorCode, errorCode and errorcode all land in ErrorCode.
//
// The Code and raw members are slices of the body, which the Problem
// keeps and nobody modifies; nested values are walked only when needed.
type Envelope struct {
	Code      Code // code: entrecode, RFC 9457 extension, OData, exos
	ErrorCode Code // errorCode: Tapkey, USTA, exos
	Status    Code // status

	Type             string // type
	Title            string // title
	ErrorMessage     string // errorMessage: Tapkey, exos
	Message          string // message: USTA, exos, OData
	ErrorDescription string // error_description: OAuth 2
	Detail           string // detail
	ErrorDetails     string // errorDetails: Tapkey
	Subject          string // subject: USTA
	Pointer          string // pointer: RFC 9457 errors[] item
	UserErrorMessage string // userErrorMessage: Tapkey
	RequestID        string // requestID: entrecode
	TraceID          string // traceId: ASP.NET

	Links         []byte // _links: HAL
	EmbeddedError []byte // _embedded.error: one object or an array
	Errors        []byte // errors: an array, or an ASP.NET map of field → messages
	Issues        []byte // issues: belgif
	Cause         []byte // cause: zalando
	Error         []byte // error: OData {"code","message"}, or an OAuth 2 error string

	// Set while normalising, not read from a member.
	Promoted bool // the main error is errors[0]; Errors is the whole array
	OData    bool // the main error was unwrapped from an OData "error" object
}

var envelopes = sync.Pool{New: func() any { return new(Envelope) }}

func Get() *Envelope { return envelopes.Get().(*Envelope) }

func Put(e *Envelope) {
	*e = Envelope{}
	envelopes.Put(e)
}

// read fills e from the members of the JSON object obj, later members
// winning, and returns how many members it found.
func (e *Envelope) ReadObject(obj []byte) int {
	n := 0
	for key, val := range Members(obj) {
		n++
		e.set(key, val)
	}
	return n
}

// maxKeyLen is the longest member name we read ("error_description").
const maxKeyLen = 17

// set stores one member. A value of the wrong type is ignored, as
// encoding/json ignores it.
func (e *Envelope) set(key, val []byte) {
	var buf [maxKeyLen]byte
	name, ok := foldKey(buf[:0], key)
	if !ok {
		return
	}
	switch string(name) {
	case "code":
		e.Code = codeValue(val)
	case "errorcode":
		e.ErrorCode = codeValue(val)
	case "status":
		e.Status = codeValue(val)
	case "type":
		setString(&e.Type, val)
	case "title":
		setString(&e.Title, val)
	case "errormessage":
		setString(&e.ErrorMessage, val)
	case "message":
		setString(&e.Message, val)
	case "error_description":
		setString(&e.ErrorDescription, val)
	case "detail":
		setString(&e.Detail, val)
	case "errordetails":
		setString(&e.ErrorDetails, val)
	case "subject":
		setString(&e.Subject, val)
	case "pointer":
		setString(&e.Pointer, val)
	case "usererrormessage":
		setString(&e.UserErrorMessage, val)
	case "requestid":
		setString(&e.RequestID, val)
	case "traceid":
		setString(&e.TraceID, val)
	case "_links":
		e.Links = nonNull(val)
	case "_embedded":
		for k, v := range Members(val) {
			if n, ok := foldKey(buf[:0], k); ok && string(n) == "error" {
				e.EmbeddedError = nonNull(v)
			}
		}
	case "errors":
		e.Errors = nonNull(val)
	case "issues":
		e.Issues = nonNull(val)
	case "cause":
		e.Cause = nonNull(val)
	case "error":
		e.Error = nonNull(val)
	}
}

// foldKey appends the lower-cased name of the member key (a JSON string,
// quotes included) to dst; false when it is too long to be one of ours.
func foldKey(dst, key []byte) ([]byte, bool) {
	if len(key) < 2 || len(key)-2 > maxKeyLen {
		return nil, false
	}
	name := key[1 : len(key)-1]
	if bytes.IndexByte(name, '\\') >= 0 { // an escaped key: decode it first (rare)
		name = []byte(unescape(name))
		if len(name) > maxKeyLen {
			return nil, false
		}
	}
	for _, c := range name {
		dst = append(dst, lower(c))
	}
	return dst, true
}

func setString(dst *string, val []byte) {
	if s, ok := DecodeString(val); ok {
		*dst = s
	}
}

// nonNull returns val, or nil for a JSON null.
func nonNull(val []byte) []byte {
	if string(val) == "null" {
		return nil
	}
	return val
}

// normalize finds the main error of wrapped shapes: an OData
// {"error":{"code","message"}} and a USTA {"errors":[{…}, …]} are read a
// second time into e, which has no code or title of its own.
func (e *Envelope) normalize() {
	if e.hasCode() || e.MainTitle() != "" {
		return
	}
	switch {
	case FirstByte(e.Error) == '{':
		inner := e.Error
		e.Error = nil
		e.ReadObject(inner)
		e.OData = true
	case FirstByte(e.Errors) == '[':
		all := e.Errors
		if first, ok := firstElement(all); ok && FirstByte(first) == '{' {
			e.ReadObject(first)
			e.Errors, e.Promoted = all, true
		}
	}
}

func (e *Envelope) hasCode() bool { return e.Code.Present() || e.ErrorCode.Present() }

// title is the short text of the error, from whichever member the shape
// uses. An RFC 9457 errors[] item has no title; its detail text is used.
func (e *Envelope) MainTitle() string {
	if t := FirstOf(e.Title, e.ErrorMessage, e.Message, e.ErrorDescription); t != "" || e.Pointer == "" {
		return t
	}
	return FirstOf(e.Detail, e.ErrorDetails)
}

// detail is the subject of the error. An RFC 9457 errors[] item names its
// subject with pointer (as an ASP.NET map names it with the field).
func (e *Envelope) MainDetail() string {
	if e.Pointer != "" {
		return e.Pointer
	}
	return FirstOf(e.Detail, e.ErrorDetails, e.Subject)
}

// firstOf returns the first non-empty string.
func FirstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// firstByte returns the first byte of a JSON value, or 0.
func FirstByte(b []byte) byte {
	if i := skipSpace(b, 0); i < len(b) {
		return b[i]
	}
	return 0
}
