package apierr

import (
	"net/http"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/internal/errbody"
)

// This file builds Problems from the shared error-body scanner: for the
// client's default decoder (autoDecoder), for the exos login path, and,
// through errbody.Build, for every decoder in package decode. One builder,
// so that a body means the same thing on every path.

func init() { errbody.Build = buildProblem }

// autoDecoder is the client's default decoder, decode.Auto's behaviour: it
// recognises the vendor by the body's shape and returns that vendor's
// *Problem[C], else a *Problem[codes.Generic].
type autoDecoder struct{}

func (autoDecoder) Decode(resp *http.Response, body []byte) error {
	e := errbody.Get()
	defer errbody.Put(e)
	e.Read(body)
	return buildProblem(errbody.Detect(e), resp, body, e)
}

// buildProblem returns the *Problem[C] of api's code type for the body
// that e holds.
func buildProblem(api errbody.API, resp *http.Response, body []byte, e *errbody.Envelope) error {
	switch api {
	case errbody.Tapkey:
		return newProblemFrom(resp, body, e, tapkeyCode)
	case errbody.Entrecode:
		return newProblemFrom(resp, body, e, entrecodeCode)
	case errbody.USTA:
		return newProblemFrom(resp, body, e, ustaCode)
	case errbody.Exos:
		return newProblemFrom(resp, body, e, exosCode)
	}
	return newProblemFrom(resp, body, e, genericCode)
}

// codeOf reads one API's code from a decoded body.
type codeOf[C Code] func(e *errbody.Envelope) C

func exosCode(e *errbody.Envelope) exos.Code {
	return exos.Code(errbody.IntCode(e.ErrorCode, e.Code))
}

func entrecodeCode(e *errbody.Envelope) entrecode.Code {
	return entrecode.Code(errbody.IntCode(e.Code, e.ErrorCode))
}

func ustaCode(e *errbody.Envelope) usta.Code {
	return usta.Code(errbody.IntCode(e.ErrorCode, e.Code))
}

func tapkeyCode(e *errbody.Envelope) tapkey.Code {
	return tapkey.Code(errbody.TextCode(e.ErrorCode, e.Code))
}

func genericCode(e *errbody.Envelope) codes.Generic {
	if t := errbody.TextCode(e.Code, e.ErrorCode); t != "" {
		return codes.Generic(t)
	}
	if s, ok := errbody.DecodeString(e.Error); ok && s != "" {
		return codes.Generic(s) // OAuth 2: {"error":"invalid_token"}
	}
	if e.Type != "about:blank" {
		return codes.Generic(e.Type)
	}
	return ""
}

// Bounds on sub-errors, so that a body of many tiny errors or a deep cause
// chain cannot make a decoder allocate far more than the body's size. The
// rest stays readable in Problem.Body.
const (
	maxSubErrors = 64 // per body, at any depth
	maxDepth     = 8  // nested sub-errors (zalando cause chains, _embedded in _embedded)
)

// newProblemFrom builds the Problem for a decoded body: NewProblem fills
// what the response says, the body adds the rest.
func newProblemFrom[C Code](resp *http.Response, body []byte, e *errbody.Envelope, code codeOf[C]) *Problem[C] {
	p := NewProblem[C](resp, body)
	if p.Status == 0 {
		p.Status, _ = e.Status.Int()
	}
	if p.RequestID == "" {
		p.RequestID = errbody.FirstOf(e.RequestID, e.TraceID)
	}
	b := builder[C]{code: code, budget: maxSubErrors}
	b.fill(p, e, 0)
	return p
}

// builder fills a Problem and its sub-errors, counting them against budget.
type builder[C Code] struct {
	code   codeOf[C]
	budget int
}

func (b *builder[C]) fill(p *Problem[C], e *errbody.Envelope, depth int) {
	p.Code = b.code(e)
	p.Type = e.Type
	p.Title = e.MainTitle()
	p.Detail = e.MainDetail()
	p.UserMessage = e.UserErrorMessage
	if depth >= maxDepth {
		return
	}
	b.items(p, e.EmbeddedError, 0, depth)
	if errbody.FirstByte(e.Errors) == '{' {
		b.fieldMessages(p, e.Errors)
	} else {
		skip := 0
		if e.Promoted {
			skip = 1 // errors[0] is p itself
		}
		b.items(p, e.Errors, skip, depth)
	}
	b.items(p, e.Issues, 0, depth)
	b.items(p, e.Cause, 0, depth)
}

// items adds the sub-errors in raw: one object, or an array of objects (or
// of plain messages), skipping the first skip elements.
func (b *builder[C]) items(p *Problem[C], raw []byte, skip, depth int) {
	switch errbody.FirstByte(raw) {
	case '{':
		b.item(p, raw, depth)
	case '[':
		for el := range errbody.Elements(raw) {
			if skip > 0 {
				skip--
				continue
			}
			if !b.item(p, el, depth) {
				return
			}
		}
	}
}

// item adds one sub-error; it reports false once the budget is spent.
func (b *builder[C]) item(p *Problem[C], raw []byte, depth int) bool {
	if b.budget <= 0 {
		return false
	}
	b.budget--
	var sub Problem[C]
	switch errbody.FirstByte(raw) {
	case '{':
		e := errbody.Get()
		defer errbody.Put(e)
		e.ReadObject(raw)
		sub.Status, _ = e.Status.Int()
		b.fill(&sub, e, depth+1)
	case '"':
		sub.Title, _ = errbody.DecodeString(raw)
	default:
		return true
	}
	p.Errors = append(p.Errors, sub)
	return true
}

// fieldMessages adds an ASP.NET ValidationProblemDetails errors map
// (field → messages): one sub-error per message, Title the message and
// Detail the field.
func (b *builder[C]) fieldMessages(p *Problem[C], raw []byte) {
	for key, val := range errbody.Members(raw) {
		field, _ := errbody.DecodeString(key)
		msgs := errbody.Elements(val)
		if errbody.FirstByte(val) == '"' {
			msgs = func(yield func([]byte) bool) { yield(val) }
		}
		for msg := range msgs {
			if b.budget <= 0 {
				return
			}
			b.budget--
			if t, ok := errbody.DecodeString(msg); ok {
				p.Errors = append(p.Errors, Problem[C]{Title: t, Detail: field})
			}
		}
	}
}
