package errbody

import "net/http"

// Build turns a body that Read put in e into the typed error of api's code
// type: a *apierr.Problem[C]. The root package sets it in its init (the
// Problem types live there, and the root cannot import decode), so that the
// client's default decoder and decode's decoders run the same code. It is
// never nil once package apierr is initialised, which every importer of
// decode is.
var Build func(api API, resp *http.Response, body []byte, e *Envelope) error
