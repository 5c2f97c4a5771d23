package decode

import (
	"net/http"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/internal/errbody"
)

// The decoders. Each reads every body shape (see the package documentation);
// they differ in the code type of the Problem they return and so in which
// member holds the code.
var (
	// Exos decodes dormakaba exos 9300 errors into *apierr.Problem[exos.Code]:
	// ErrorCode (or errorCode, code, or OData {"error":{"code","message"}}),
	// as a number or a string, with Message, message or ErrorMessage as Title.
	Exos apierr.Decoder = decoder{errbody.Exos}

	// Entrecode decodes entrecode problem+json errors into
	// *apierr.Problem[entrecode.Code]: code, title, detail, type, the body's
	// requestID, and _embedded.error (one object or an array) as Errors.
	Entrecode apierr.Decoder = decoder{errbody.Entrecode}

	// USTA decodes USTA errors into *apierr.Problem[usta.Code]: the first of
	// {"errors":[{errorCode, message, subject}, …]} (the rest become Errors),
	// or a bare {errorCode, message}. Title is message, Detail is subject.
	USTA apierr.Decoder = decoder{errbody.USTA}

	// Tapkey decodes Tapkey Management API errors into
	// *apierr.Problem[tapkey.Code]: ErrorCode (which may be missing),
	// ErrorMessage as Title, ErrorDetails as Detail and UserErrorMessage (in
	// the request's Accept-Language) as UserMessage.
	Tapkey apierr.Decoder = decoder{errbody.Tapkey}

	// Problem decodes RFC 9457 problem details into
	// *apierr.Problem[codes.Generic]. Code is the `code` member as text when
	// there is one (else errorCode, else an OAuth 2 `error`), else `type`
	// unless it is empty or about:blank. Errors holds the `errors` array
	// (an item's pointer is its Detail, its detail text its Title), an ASP.NET
	// `errors` map (one per message: Title the message, Detail the field),
	// belgif `issues` and a zalando `cause`.
	Problem apierr.Decoder = decoder{errbody.Generic}
)

// decoder reads any body into a *apierr.Problem[C] of api's code type,
// with the builder the client's default decoder uses (errbody.Build).
type decoder struct{ api errbody.API }

// Decode never fails: it returns a *apierr.Problem[C] for any body.
func (d decoder) Decode(resp *http.Response, body []byte) error {
	e := errbody.Get()
	defer errbody.Put(e)
	e.Read(body)
	return errbody.Build(d.api, resp, body, e)
}
