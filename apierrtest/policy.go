package apierrtest

import (
	"time"

	"github.com/accessapi/apierr"
)

// FastRetryPolicy returns a retry policy for tests: apierr's default
// policy (4 attempts) with waits of milliseconds instead of seconds, so
// that a "429, then 200" test against a fake takes milliseconds:
//
//   - computed backoff waits between 1 ms and 10 ms (the concurrency pause
//     is bounded by the 10 ms too);
//   - a server's Retry-After honoured up to 100 ms. A fault asking for more,
//     such as TooManyRequests(time.Second), ends the retries at once with
//     the 429 and its RetryAfter set; ask for milliseconds instead:
//     TooManyRequests(time.Millisecond) sends Retry-After-Ms: 1.
//
// Use it with apierr.WithRetryPolicy, in tests only: against a real server
// these waits are far too short.
func FastRetryPolicy() apierr.RetryPolicy {
	p := apierr.DefaultRetryPolicy()
	p.MinWait = time.Millisecond
	p.MaxWait = 10 * time.Millisecond
	p.MaxRetryAfter = 100 * time.Millisecond
	return p
}
