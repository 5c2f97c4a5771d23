package clitest

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Program is a program's run function, as the tests call it.
type Program func(args []string, getenv func(string) string, stdout, stderr io.Writer) int

// UsageCase is a run that must stop before it does anything: a bad flag,
// argument or variable, or -h.
type UsageCase struct {
	Name string
	Args []string
	Vars map[string]string // the environment; nil: nothing is set
	Code int               // the exit status: 2, or 0 for -h
	Want string            // what stderr must contain
}

// Usage runs each case as a subtest. The exit status must be Code, stderr
// must contain Want and none of secrets, and stdout must stay empty. With
// status 0 (-h) stderr is the usage text, "usage: name…"; otherwise it is
// one line, the error printed once after the program's name.
func Usage(t *testing.T, name string, run Program, cases []UsageCase, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			out, errOut := Run(t, tc.Code, func(stdout, stderr io.Writer) int {
				return run(tc.Args, Env(tc.Vars), stdout, stderr)
			})
			assert.Contains(t, errOut, tc.Want)
			if tc.Code == 0 {
				assert.True(t, strings.HasPrefix(errOut, "usage: "+name), "the usage text names the program: %s", errOut)
			} else {
				assert.True(t, strings.HasPrefix(errOut, name+": "), "the error names the program: %s", errOut)
				assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line, the error printed once: %s", errOut)
			}
			for _, s := range secrets {
				assert.NotContains(t, errOut, s)
			}
			assert.Empty(t, out, "nothing was run")
		})
	}
}

// Conventions checks what every program does alike: -h and -help print
// the usage text (naming the program and each of flags) to stderr and exit
// 0; an unknown flag prints its error once, after the program's name, and
// exits 2, as does an argument.
func Conventions(t *testing.T, name string, run Program, flags ...string) {
	t.Helper()
	for _, help := range []string{"-h", "-help"} {
		t.Run(help, func(t *testing.T) {
			out, errOut := Run(t, 0, func(stdout, stderr io.Writer) int {
				return run([]string{help}, Env(nil), stdout, stderr)
			})
			assert.Empty(t, out)
			assert.True(t, strings.HasPrefix(errOut, "usage: "+name), "usage text: %s", errOut)
			for _, f := range flags {
				assert.Contains(t, errOut, "\n  -"+f, "the usage text lists -%s", f)
			}
			assert.NotContains(t, errOut, "Usage of", "the flag package's default usage")
		})
	}
	Usage(t, name, run, []UsageCase{
		{Name: "unknown flag", Args: []string{"-x"}, Code: 2, Want: name + ": flag provided but not defined: -x (see " + name + " -h)"},
		{Name: "argument", Args: []string{"extra"}, Code: 2, Want: name + `: unexpected argument "extra" (see ` + name + " -h)"},
	})
}
