// Package apierrtest provides fake exos, entrecode, USTA and Tapkey APIs for
// tests and examples, in the spirit of net/http/httptest: each constructor
// starts a loopback server with the API's token or login endpoint, a few
// representative resources, and a script of failures.
//
// A client is wired to a fake in one line: ClientOptions gives the base URL
// with the API's path (BaseURL), the API's decoder and the credentials
// (AuthOption), followed by your own options. FastRetryPolicy keeps the
// waits of a retry test to milliseconds:
//
//	srv := apierrtest.NewTapkey()
//	t.Cleanup(srv.Close)
//	client, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(apierrtest.FastRetryPolicy()))...)
//	require.NoError(t, err)
//	t.Cleanup(func() { client.Close() })
//	srv.Fail(tapkey.Duplicate, 1)                              // the next call: 409 Duplicate
//	srv.Inject(1, apierrtest.TooManyRequests(time.Millisecond)) // then a 429 with Retry-After-Ms: 1
//	srv.RevokeAll()                                            // every access token is now rejected
//
// URL is the server's root without the API's path; use it with full paths.
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
// answer with the same bodies, and a TokenEndpoint answers token requests
// (client_credentials, refresh_token with rotation) and checks the tokens
// it issued (Protect, Authorized).
package apierrtest
