package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/examples/internal/clitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEntrecodeStory(t *testing.T) {
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), nil, stdout, stderr)
	})
	assert.Empty(t, errOut)
	clitest.Lines(t, out,
		`^GET todo: 2 entries with the signed-in token \(token requests: 0\)$`,
		`^token revoked: .*\(refresh requests: 1\), replayed: ok$`,
		`^PUT todo\?_id=e1 \(2 attempts, 2373 retried\): ok$`,
		`^PUT todo without _id: the request is incomplete: fix the program\n +status 400, code 2202, title "Missing property in query string", detail "_id"$`,
		`^ +errors\.Is: Code\(202\) true, Code\(2202\) true, Code\(1202\) false$`,
		`^GET todo\?_id=e9: no such entry\n +status 404, code 2102,`,
		`^GET todo after sign-out: the refresh token was refused: sign in again\n +status 401, code 2401,`,
		`^summary: API requests: 8, token requests: 2$`,
	)
}

func TestEntrecodeUsage(t *testing.T) {
	prog := func(args []string, _ func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, stdout, stderr)
	}
	clitest.Conventions(t, "entrecode", prog)
	clitest.Usage(t, "entrecode", prog, []clitest.UsageCase{
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: "It takes no flags other than -h."},
	})
}
