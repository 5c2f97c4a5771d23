package apierr

import (
	"net/http"
	"time"
)

// The seams for the tests in package apierr_test, which import decode and
// apierrtest and so cannot live in package apierr.

// SetWaitRecorder makes c record every retry wait it computes instead of
// sleeping it.
func SetWaitRecorder(c *Client, rec func(time.Duration)) {
	c.sleep = func(d time.Duration) time.Duration { rec(d); return 0 }
}

// SetClock sets the clock that c measures Retry-After dates and deadlines by.
func SetClock(c *Client, now func() time.Time) { c.now = now }

// TransportOf returns the transport c sends with, under its pool shield.
func TransportOf(c *Client) http.RoundTripper { return c.pool.rt }

// ExosLoginProblem is how the exos login path reads an error body.
var ExosLoginProblem = exosLoginProblem

// Authorize authorises req as Do would, for BenchmarkAuthorize.
func Authorize(c *Client, req *http.Request) error {
	_, err := c.auth.authorize(req.Context(), req)
	return err
}
