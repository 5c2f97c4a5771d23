package apierr

import (
	"context"
	"net/http"
)

// SKELETON: the auth engineer replaces this file (issue 4), keeping the
// authenticator interface that client.go calls.

// authenticator is what Do needs of an auth scheme (OAuth2 or exos session).
type authenticator interface {
	// authorize sets Authorization on req, which the client owns, for one
	// attempt. It returns the credential it used so that a 401 can
	// invalidate exactly that one (compare-and-swap).
	authorize(ctx context.Context, req *http.Request) (credential string, err error)
	// rejected handles a 401 (or exos 300008) to a request sent with
	// credential. prob is the decoded error of that response. It returns nil
	// when the request should be replayed once, else the error to return,
	// which must keep prob in its chain.
	rejected(ctx context.Context, credential string, resp *http.Response, prob error) error
	// close ends the session (exos logout) and releases what the scheme holds.
	close(ctx context.Context) error
}

// authConfig collects the auth options; build turns them into an
// authenticator once New knows the client.
type authConfig struct{}

// build returns the authenticator for c, or nil when no auth is configured.
func (a *authConfig) build(c *Client) (authenticator, error) { return nil, nil }
