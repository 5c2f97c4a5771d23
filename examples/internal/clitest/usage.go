package clitest

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// UsageCase is a run that must stop before it does anything: a bad flag,
// argument or variable, or -h.
type UsageCase struct {
	Name string
	Args []string
	Vars map[string]string // the environment; nil: nothing is set
	Code int               // the exit status: 2, or 0 for -h
	Want string            // what stderr must contain
}

// Usage runs each case as a subtest: the exit status must be Code, stderr
// must contain Want, name the program (as the prefix of its message or in
// the usage text) and hold none of secrets, and stdout must stay empty.
func Usage(t *testing.T, name string, run func(args []string, getenv func(string) string, stdout, stderr io.Writer) int, cases []UsageCase, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			out, errOut := Run(t, tc.Code, func(stdout, stderr io.Writer) int {
				return run(tc.Args, Env(tc.Vars), stdout, stderr)
			})
			assert.Contains(t, errOut, tc.Want)
			assert.True(t, strings.HasPrefix(errOut, name+": ") || strings.Contains(errOut, "usage: "+name) || strings.Contains(errOut, "Usage of "+name), errOut)
			for _, s := range secrets {
				assert.NotContains(t, errOut, s)
			}
			assert.Empty(t, out, "nothing was run")
		})
	}
}
