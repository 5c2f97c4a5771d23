package apierr

import "net/http"

// Decoder turns a non-2xx response into a typed error, normally a
// *Problem[C]. body is the bounded prefix of the response body that the
// client already read; resp.Body must not be read again. A Decoder never
// fails: a body it cannot read still yields an error carrying the status.
type Decoder interface {
	Decode(resp *http.Response, body []byte) error
}

// DecoderFunc adapts a function to the Decoder interface.
type DecoderFunc func(resp *http.Response, body []byte) error

// Decode calls f(resp, body).
func (f DecoderFunc) Decode(resp *http.Response, body []byte) error { return f(resp, body) }
