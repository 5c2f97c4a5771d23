package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/examples/internal/clitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestUSTAStory(t *testing.T) {
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), nil, clitest.Env(nil), stdout, stderr)
	})
	assert.Empty(t, errOut)
	clitest.Lines(t, out,
		`^GET entities/1001: Billie King \(token requests: 1\)$`,
		`^token revoked: .*replayed: ok \(token requests: 2, refresh requests: 0\)$`,
		`^PUT entities/1001: not saved: .*\n +status 400, code 200601, .*detail "usptaNumber", 0 sub-errors, attempts 1$`,
		`^ +errors\.Is: EntitySavingError \(2006\) true, USPTANumberNotUnique true, PTRNumberNotUnique false$`,
		`^GET entities/9999: no such entity\n +status 404, code 3001, title "entity not found"`,
		`^PUT entities/1001 with a list: the request is wrong: fix the program\n +status 400, code 9002,`,
		`^GET entities/1001 \(2 attempts, 9001 is transient: retried\): ok$`,
		`^PUT entities/1001: USTA failed .*\n +status 500, code 9003, .*attempts 1$`,
		`^summary: API requests: 9, token requests: 2$`,
	)
	assert.NotContains(t, out, apierrtest.DefaultClientSecret)
}

// The real-API mode, pointed at a fake.
func TestUSTARealModeAgainstAFake(t *testing.T) {
	srv := apierrtest.NewUSTA()
	defer srv.Close()
	c := srv.Credentials()
	vars := map[string]string{"USTA_CLIENT_ID": c.ClientID, "USTA_CLIENT_SECRET": c.ClientSecret, "USTA_TOKEN_URL": srv.TokenURL()}
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), []string{"-base-url", srv.URL() + "/v1"}, clitest.Env(vars), stdout, stderr)
	})
	clitest.Lines(t, out,
		`^usta example: the USTA API at http://127\.0\.0\.1:\d+/v1$`,
		`^GET entities/apierr-example-no-such-entity: no such entity\n +status 404, code 3001,`,
	)
	assert.Equal(t, 1, srv.Requests())
	assert.Equal(t, 1, srv.TokenRequests())
	assert.NotContains(t, out+errOut, c.ClientSecret)
}

func TestUSTAUsage(t *testing.T) {
	full := map[string]string{"USTA_CLIENT_ID": "id", "USTA_CLIENT_SECRET": "s3cret", "USTA_TOKEN_URL": "https://auth.example/oauth/token"}
	base := []string{"-base-url", "https://api.example/v1"}
	clitest.Usage(t, "usta", func(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, getenv, stdout, stderr)
	}, []clitest.UsageCase{
		{Name: "credentials without base URL", Vars: full, Code: 2, Want: "usta: USTA_CLIENT_ID is set: give -base-url too"},
		{Name: "base URL without credentials", Args: base, Code: 2, Want: "usta: with -base-url these variables must be set: USTA_CLIENT_ID, USTA_CLIENT_SECRET, USTA_TOKEN_URL"},
		{Name: "no secret", Args: base, Vars: clitest.With(full, "USTA_CLIENT_SECRET", " "), Code: 2, Want: "must be set: USTA_CLIENT_SECRET\n"},
		{Name: "relative base URL", Args: []string{"-base-url", "api.example/v1"}, Vars: full, Code: 2, Want: "usta: -base-url must be an absolute http(s) URL"},
		{Name: "bad token URL", Args: base, Vars: clitest.With(full, "USTA_TOKEN_URL", "ftp://auth.example"), Code: 2, Want: "usta: USTA_TOKEN_URL must be an absolute http(s) URL"},
		{Name: "credentials over plain http", Args: []string{"-base-url", "http://api.example/v1"}, Vars: full, Code: 2, Want: "plain http"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: "USTA_TOKEN_URL"},
	}, "s3cret")
}

func TestUSTAConventions(t *testing.T) {
	clitest.Conventions(t, "usta", func(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, getenv, stdout, stderr)
	}, "base-url")
}
