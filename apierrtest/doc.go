// Package apierrtest provides fake exos, entrecode, USTA and Tapkey APIs for
// tests and examples, in the spirit of net/http/httptest: each constructor
// starts a loopback server with the API's token or login endpoint, a few
// representative resources, and a script of failures.
//
//	srv := apierrtest.NewTapkey()
//	defer srv.Close()
//	srv.Fail(tapkey.Duplicate, 1)                      // the next call: 409 Duplicate
//	srv.Inject(1, apierrtest.TooManyRequests(time.Second)) // then a 429 with Retry-After: 1
//	srv.RevokeAll()                                    // every access token is now rejected
//
// A scripted code is sent in the API's documented body shape with the status
// from the catalogue (StatusFor documents the mapping where the vendor gives
// none). Faults add what gateways and networks do: TooManyRequests,
// ExpiredToken, InsufficientScope, BadGateway (HTML), Slow and Drop, and
// on the wire Gzip, Truncate and ClockSkew.
// Counters (Requests, Attempts, Bodies, TokenRequests, RefreshRequests,
// Logins, Logouts) let a test assert what a client sent.
//
// Tokens: the OAuth2 fakes serve client_credentials and (Tapkey, entrecode)
// refresh_token with rotation: each refresh token works once. Tokens expire
// after WithTokenLifetime, measured with WithClock; Revoke, RevokeAll and
// RevokeRefreshTokens invalidate them on the server side. The exos fake logs
// in instead and answers 300008 to an unknown session.
//
// For tests that stub the transport, TapkeyResponder, ExosResponder,
// EntrecodeResponder and USTAResponder return httpmock responders that
// answer with the same bodies.
package apierrtest
