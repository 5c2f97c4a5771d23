// Package apierr calls access-control and lock-management HTTP APIs
// (dormakaba exos 9300, Tapkey, entrecode and USTA): it keeps the token
// fresh and replays a request once after a 401, retries by error code, and
// turns every documented error body into a typed error.
//
//	var p *apierr.Problem[tapkey.Code]
//	if errors.As(err, &p) { log.Print(p.Status, p.Code, p.UserMessage) }
//	if errors.Is(err, tapkey.Duplicate) { ... }   // per-code sentinel
//	if errors.Is(err, apierr.ErrNotFound) { ... } // any 404, from any API
//
// The errors.As target must use the code type of the configured decoder:
// decode.Tapkey yields *Problem[tapkey.Code], decode.Problem yields
// *Problem[codes.Generic], and decode.Auto yields the vendor's type when it
// recognises the body's shape, else *Problem[codes.Generic].
package apierr
