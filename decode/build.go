package decode

import (
	"net/http"

	"github.com/accessapi/apierr"
)

// codeOf reads one API's code from a decoded body.
type codeOf[C apierr.Code] func(e *envelope) C

// Bounds on sub-errors, so that a body of many tiny errors or a deep cause
// chain cannot make a decoder allocate far more than the body's size. The
// rest stays readable in Problem.Body.
const (
	maxSubErrors = 64 // per body, at any depth
	maxDepth     = 8  // nested sub-errors (zalando cause chains, _embedded in _embedded)
)

// newProblem builds the Problem for a decoded body: NewProblem fills what
// the response says, the body adds the rest.
func newProblem[C apierr.Code](resp *http.Response, body []byte, e *envelope, code codeOf[C]) *apierr.Problem[C] {
	p := apierr.NewProblem[C](resp, body)
	if p.Status == 0 {
		p.Status, _ = e.Status.int()
	}
	if p.RequestID == "" {
		p.RequestID = firstOf(e.RequestID, e.TraceID)
	}
	b := builder[C]{code: code, budget: maxSubErrors}
	b.fill(p, e, 0)
	return p
}

// builder fills a Problem and its sub-errors, counting them against budget.
type builder[C apierr.Code] struct {
	code   codeOf[C]
	budget int
}

func (b *builder[C]) fill(p *apierr.Problem[C], e *envelope, depth int) {
	p.Code = b.code(e)
	p.Type = e.Type
	p.Title = e.title()
	p.Detail = e.detail()
	p.UserMessage = e.UserErrorMessage
	if depth >= maxDepth {
		return
	}
	b.items(p, e.EmbeddedError, 0, depth)
	if firstByte(e.Errors) == '{' {
		b.fieldMessages(p, e.Errors)
	} else {
		skip := 0
		if e.promoted {
			skip = 1 // errors[0] is p itself
		}
		b.items(p, e.Errors, skip, depth)
	}
	b.items(p, e.Issues, 0, depth)
	b.items(p, e.Cause, 0, depth)
}

// items adds the sub-errors in raw: one object, or an array of objects (or
// of plain messages), skipping the first skip elements.
func (b *builder[C]) items(p *apierr.Problem[C], raw []byte, skip, depth int) {
	switch firstByte(raw) {
	case '{':
		b.item(p, raw, depth)
	case '[':
		for el := range elements(raw) {
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
func (b *builder[C]) item(p *apierr.Problem[C], raw []byte, depth int) bool {
	if b.budget <= 0 {
		return false
	}
	b.budget--
	var sub apierr.Problem[C]
	switch firstByte(raw) {
	case '{':
		e := getEnvelope()
		defer putEnvelope(e)
		e.read(raw)
		sub.Status, _ = e.Status.int()
		b.fill(&sub, e, depth+1)
	case '"':
		sub.Title, _ = decodeString(raw)
	default:
		return true
	}
	p.Errors = append(p.Errors, sub)
	return true
}

// fieldMessages adds an ASP.NET ValidationProblemDetails errors map
// (field → messages): one sub-error per message, Title the message and
// Detail the field.
func (b *builder[C]) fieldMessages(p *apierr.Problem[C], raw []byte) {
	for key, val := range members(raw) {
		field, _ := decodeString(key)
		msgs := elements(val)
		if firstByte(val) == '"' {
			msgs = func(yield func([]byte) bool) { yield(val) }
		}
		for msg := range msgs {
			if b.budget <= 0 {
				return
			}
			b.budget--
			if t, ok := decodeString(msg); ok {
				p.Errors = append(p.Errors, apierr.Problem[C]{Title: t, Detail: field})
			}
		}
	}
}
