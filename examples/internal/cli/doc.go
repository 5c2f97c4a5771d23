// Package cli is the plumbing the example programs share, so that each
// main.go shows only its own API: exit statuses, flags without arguments,
// required environment variables, URL checks and the one-request call.
// It is internal: the examples are not an API.
package cli
