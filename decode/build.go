package decode

import (
	"net/http"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/internal/errbody"
)

// codeOf reads one API's code from a decoded body.
type codeOf[C apierr.Code] func(e *errbody.Envelope) C

// Bounds on sub-errors, so that a body of many tiny errors or a deep cause
// chain cannot make a decoder allocate far more than the body's size. The
// rest stays readable in Problem.Body.
const (
	maxSubErrors = 64 // per body, at any depth
	maxDepth     = 8  // nested sub-errors (zalando cause chains, _embedded in _embedded)
)

// newProblem builds the Problem for a decoded body: NewProblem fills what
// the response says, the body adds the rest.
func newProblem[C apierr.Code](resp *http.Response, body []byte, e *errbody.Envelope, code codeOf[C]) *apierr.Problem[C] {
	p := apierr.NewProblem[C](resp, body)
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
type builder[C apierr.Code] struct {
	code   codeOf[C]
	budget int
}

func (b *builder[C]) fill(p *apierr.Problem[C], e *errbody.Envelope, depth int) {
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
func (b *builder[C]) items(p *apierr.Problem[C], raw []byte, skip, depth int) {
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
func (b *builder[C]) item(p *apierr.Problem[C], raw []byte, depth int) bool {
	if b.budget <= 0 {
		return false
	}
	b.budget--
	var sub apierr.Problem[C]
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
func (b *builder[C]) fieldMessages(p *apierr.Problem[C], raw []byte) {
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
				p.Errors = append(p.Errors, apierr.Problem[C]{Title: t, Detail: field})
			}
		}
	}
}
