package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/accessapi/apierr/redisfleet/internal/redisserver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if job := os.Getenv(workerEnv); job != "" {
		if err := work(job); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// TestRun runs the example with 3 workers (this test binary, re-executed):
// one login and one logout for all of them.
func TestRun(t *testing.T) {
	redisserver.Need(t) // skips (or fails in CI) without redis-server; run starts its own
	var out bytes.Buffer
	require.NoError(t, run(&out, 3, 4))
	assert.Equal(t, "3 worker processes, 12 calls ok of 12\n"+
		"exos logins: 1, logouts: 1 (the server allows 1 session)\n", out.String())
}
