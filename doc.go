// Package apierr calls access-control and lock-management HTTP APIs
// (dormakaba exos 9300, Tapkey, entrecode and USTA): it keeps the token
// fresh and replays a request once after a 401, retries by error code, and
// turns every documented error body into a typed error.
//
//	import (
//		"errors"
//		"log"
//
//		"github.com/accessapi/apierr"
//		"github.com/accessapi/apierr/codes/tapkey"
//		"github.com/accessapi/apierr/decode"
//	)
//
//	client, err := apierr.New(
//		apierr.WithBaseURL("https://my.tapkey.com/api/v1"),
//		apierr.WithDecoder(decode.Tapkey),
//		apierr.WithClientCredentials(cfg), // a *clientcredentials.Config
//	)
//	…
//	_, err = client.Do(req, &v)
//	var p *apierr.Problem[tapkey.Code]
//	if errors.As(err, &p) { log.Printf("%d %s: %s", p.Status, p.Code.String(), p.UserMessage) }
//	if errors.Is(err, tapkey.Duplicate) { ... }   // per-code sentinel
//	if errors.Is(err, apierr.ErrNotFound) { ... } // any 404, from any API
//
// p.Code.String() is the code as sent ("Duplicate"); a code is an error, so
// printing p.Code itself gives its long Error() text with the documented
// description.
//
// The errors.As target must use the code type of the configured decoder:
// decode.Tapkey yields *Problem[tapkey.Code], decode.Problem yields
// *Problem[codes.Generic], and decode.Auto yields the vendor's type when it
// recognises the body's shape, else *Problem[codes.Generic].
//
// A Client is safe for concurrent use: create one per API and identity and
// share it. For tests of your own code, package apierrtest starts fake
// servers of the four APIs that a client is wired to in one line
// (apierr.New(srv.ClientOptions()...)).
package apierr
