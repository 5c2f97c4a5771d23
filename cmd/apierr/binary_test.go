package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds the command and runs it as a user would: arguments,
// stdin, stdout, stderr and exit status through the operating system.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	bin := filepath.Join(t.TempDir(), "apierr")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{"explain", []string{"explain", "400241"}, "", 0, "exos 400241 (ConcurrencyError)", ""},
		{"explain nothing", []string{"explain", "999"}, "", 1, "", `"999" is not documented`},
		{"usage", []string{"explain"}, "", 2, "", "want one CODE"},
		{"decode stdin", []string{"decode"}, "HTTP/2 409\r\n\r\n" + tapkeyBody, 0, "tapkey (detected)", ""},
		{"codes json", []string{"codes", "--api", "tapkey", "--json"}, "", 0, `"api": "tapkey"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Stdin = strings.NewReader(tc.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Contains(t, stdout.String(), tc.stdout)
			assert.Contains(t, stderr.String(), tc.stderr)
			assert.NotContains(t, stdout.String(), "\x1b[", "no colour codes when not a terminal")
		})
	}
}
