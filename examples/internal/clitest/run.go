package clitest

import (
	"bytes"
	"io"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Run calls run with fresh buffers for stdout and stderr, requires the
// exit status want (showing both outputs when it differs) and returns what
// was written.
func Run(t testing.TB, want int, run func(stdout, stderr io.Writer) int) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(&out, &errOut)
	require.Equal(t, want, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	return out.String(), errOut.String()
}

// Lines asserts that out has a match for each pattern, in multi-line mode:
// ^ and $ match at the start and end of each line, and a pattern may span
// lines with \n.
func Lines(t testing.TB, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		assert.Regexp(t, regexp.MustCompile("(?m)"+p), out)
	}
}

// Story runs a program that must succeed, with args and the environment
// vars (nil: nothing set): it requires exit status 0 and an empty stderr,
// asserts that stdout has a match for each pattern (as Lines does), and
// returns stdout.
func Story(t testing.TB, run Program, args []string, vars map[string]string, patterns ...string) string {
	t.Helper()
	out, errOut := Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(args, Env(vars), stdout, stderr)
	})
	assert.Empty(t, errOut, "stderr")
	Lines(t, out, patterns...)
	return out
}
