package apierrtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// ErrDropped is what a responder with the Drop fault returns instead of a
// response, as a transport does when the server closes the connection.
var ErrDropped = fmt.Errorf("apierrtest: connection closed without an answer: %w", io.ErrUnexpectedEOF)

// TapkeyResponder returns an httpmock responder that answers as the Tapkey
// fake does with code (the zero code: a body without ErrorCode), with
// StatusFor(code), shaped by faults; UserErrorMessage follows the request's
// Accept-Language.
//
//	httpmock.RegisterResponder("PUT", url, apierrtest.TapkeyResponder(tapkey.Duplicate))
func TapkeyResponder(code tapkey.Code, faults ...Fault) httpmock.Responder {
	return responder(tapkeyDialect, code, faults)
}

// ExosResponder returns an httpmock responder that answers as the exos fake
// does with code, shaped by faults (see TapkeyResponder).
func ExosResponder(code exos.Code, faults ...Fault) httpmock.Responder {
	return responder(exosDialect, code, faults)
}

// EntrecodeResponder returns an httpmock responder that answers as the
// entrecode fake does with code, shaped by faults (see TapkeyResponder); a
// three-digit family is sent as the Data Manager's 2xxx code.
func EntrecodeResponder(code entrecode.Code, faults ...Fault) httpmock.Responder {
	return responder(entrecodeDialect, code, faults)
}

// USTAResponder returns an httpmock responder that answers as the USTA fake
// does with code, in the {"errors":[…]} shape, shaped by faults (see
// TapkeyResponder).
func USTAResponder(code usta.Code, faults ...Fault) httpmock.Responder {
	return responder(ustaDialect, code, faults)
}

func responder[C apierr.Code](d *dialect[C], code C, faults []Fault) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		rep := newReply(StatusFor(code), faults)
		if rep.delay > 0 {
			t := time.NewTimer(rep.delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
		if rep.drop {
			return nil, ErrDropped
		}
		rec := httptest.NewRecorder()
		d.write(rec, req, &errorReply[C]{reply: rep, code: code, hasCode: true})
		if rep.wired() {
			return rep.wiredResponse(req, rec, time.Now()), nil
		}
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}
