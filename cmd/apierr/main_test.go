package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// result is one in-process run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// runWith runs the command's logic with args and stdin, as main would.
func runWith(stdin io.Reader, args ...string) result {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errOut bytes.Buffer
	code := run(args, stdin, &out, &errOut)
	return result{out.String(), errOut.String(), code}
}
