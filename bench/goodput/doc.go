// Package goodput measures how HTTP clients fare against a server's limits:
// loopback fake servers that rate-limit, refuse concurrent writes, go down
// for a while or issue short-lived OAuth2 tokens, and clients (apierr,
// go-retryablehttp, resty) driven side by side against them with the same
// load. Every server counts what it received per 100 ms; a run reports what
// the caller saw (successes, failures, latency) next to what the server saw
// (requests, throttles, outage replies), and the budgets of DESIGN.md are
// checked against those counts.
//
// cmd/goodput runs the full scenarios and prints the table; the package's
// tests run each scenario at a tiny scale.
package goodput
