package apierr

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Client sends requests to one API: it authorises them, retries them by
// error code and turns error responses into typed errors.
//
// SKELETON: the client engineer replaces this file (issue 3). The fields
// below are the ones auth.go relies on; keep their names and meanings.
type Client struct {
	base   *url.URL      // the base URL; tokens go only to its origin
	hc     *http.Client  // the HTTP client used for API calls and token requests
	log    *slog.Logger  // nil: no logging
	policy RetryPolicy   // also applied to token-endpoint 429/5xx
	auth   authenticator // nil: requests are sent as they are
}

// Option configures a Client in New.
type Option func(*config) error

// config collects the options before New validates them.
type config struct {
	auth authConfig // filled by the auth options in auth.go
}

// RetryPolicy bounds the retries of one request.
type RetryPolicy struct {
	MaxAttempts   int
	MinWait       time.Duration
	MaxWait       time.Duration
	MaxRetryAfter time.Duration
}

var _ = context.Background
