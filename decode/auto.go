package decode

import (
	"net/http"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/usta"
)

// Auto recognises the body's shape and decodes it into that API's Problem
// type: *apierr.Problem[tapkey.Code] for a Tapkey body (a PascalCase
// ErrorCode string, or ErrorMessage/ErrorDetails/UserErrorMessage),
// *apierr.Problem[entrecode.Code] for an entrecode body (_embedded.error, or
// a four-digit code with a title or _links), *apierr.Problem[usta.Code] for
// {"errors":[{"errorCode":…}]} or a bare errorCode that USTA documents,
// *apierr.Problem[exos.Code] for a code that exos documents, any other
// six-digit errorCode and an OData error; else
// *apierr.Problem[codes.Generic], as Problem gives. It reads the body once,
// like the other decoders. Match its errors with errors.Is, or try errors.As
// with each type you expect.
var Auto apierr.Decoder = autoDecoder{}

type autoDecoder struct{}

// Decode never fails: it returns a *apierr.Problem of the recognised API.
func (autoDecoder) Decode(resp *http.Response, body []byte) error {
	e := getEnvelope()
	defer putEnvelope(e)
	readBody(body, e)
	switch detect(e) {
	case apiTapkey:
		return newProblem(resp, body, e, tapkeyCode)
	case apiEntrecode:
		return newProblem(resp, body, e, entrecodeCode)
	case apiUSTA:
		return newProblem(resp, body, e, ustaCode)
	case apiExos:
		return newProblem(resp, body, e, exosCode)
	}
	return newProblem(resp, body, e, genericCode)
}

type api int

const (
	apiGeneric api = iota
	apiTapkey
	apiEntrecode
	apiUSTA
	apiExos
)

// detect tells the APIs apart by their members; where only an integer code
// tells (USTA and exos both send errorCode), the catalogues decide.
func detect(e *envelope) api {
	switch {
	case isTapkey(e):
		return apiTapkey
	case isEntrecode(e):
		return apiEntrecode
	}
	if n, ok := e.ErrorCode.int(); ok {
		switch {
		case exos.Code(n).Info().Known:
			return apiExos
		case e.promoted || ustaKnown(n):
			return apiUSTA
		case isSixDigits(n):
			return apiExos
		}
	}
	if n, ok := e.Code.int(); ok && (isSixDigits(n) || exos.Code(n).Info().Known) {
		return apiExos
	}
	if e.odata {
		return apiExos
	}
	return apiGeneric
}

// isTapkey: a PascalCase ErrorCode string, or Tapkey's message members with
// no code at all (Tapkey's ErrorCode may be missing).
func isTapkey(e *envelope) bool {
	if c := e.ErrorCode; c.present() {
		_, numeric := c.int()
		return c.isStr && !numeric && c.raw[1] >= 'A' && c.raw[1] <= 'Z' // raw[0] is the quote
	}
	return !e.Code.present() && (e.ErrorMessage != "" || e.ErrorDetails != "" || e.UserErrorMessage != "")
}

// isEntrecode: HAL sub-errors, or a four-digit `code` with a title or HAL
// links.
func isEntrecode(e *envelope) bool {
	if e.EmbeddedError != nil {
		return true
	}
	n, ok := e.Code.int()
	return ok && n >= 1000 && n <= 9999 && (e.Title != "" || e.Links != nil)
}

// ustaKnown: USTA documents n, or the four-digit code it refines.
func ustaKnown(n int) bool {
	c := usta.Code(n)
	return c.Info().Known || c.Parent().Info().Known
}

func isSixDigits(n int) bool { return n >= 100000 && n <= 999999 }
