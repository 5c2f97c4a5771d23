package redisserver

import (
	"os"
	"testing"
)

// RequireEnv makes a missing redis-server a test failure instead of a skip
// (CI sets it: a skipped fleet test there would hide a broken fleet).
const RequireEnv = "APIERR_REQUIRE_REDIS"

// ForTest starts a server for t and stops it at t's cleanup. Without
// redis-server t is skipped with a message, or fails when RequireEnv is 1.
func ForTest(t testing.TB) *Server {
	t.Helper()
	Need(t)
	s, err := Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Need skips t with a message when redis-server is missing, or fails it
// when RequireEnv is 1.
func Need(t testing.TB) {
	t.Helper()
	if _, ok := Available(); !ok {
		msg := Binary + " not found in PATH; install it (Debian: apt-get install -y redis-server) to run the fleet tests"
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(msg + " (" + RequireEnv + "=1)")
		}
		t.Skip(msg)
	}
}
