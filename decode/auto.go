package decode

import (
	"net/http"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/internal/errbody"
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
// The client without WithDecoder decodes the same way, with the same code.
func (autoDecoder) Decode(resp *http.Response, body []byte) error {
	e := errbody.Get()
	defer errbody.Put(e)
	e.Read(body)
	return errbody.Build(errbody.Detect(e), resp, body, e)
}
