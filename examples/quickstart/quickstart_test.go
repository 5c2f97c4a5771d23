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

func TestQuickstartAgainstTheFakes(t *testing.T) {
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), nil, clitest.Env(nil), stdout, stderr)
	})
	assert.Empty(t, errOut)
	clitest.Lines(t, out,
		`^1\. token +GET BoundLocks: 200, 2 bound locks \(1 token request, client credentials\)$`,
		`^2\. revoked .*: 401 -> new token, replayed once -> 200 \(\+1 token request\)$`,
		`^3\. 429 +GET BoundLocks: 429 -> Retry-After: 1, waited [12]\.\ds -> 200$`,
		`^4\. exos +POST assignAccessRight: 400 -> 400 -> 200 \(400241 Concurrency-Error twice, .*; 1 login\)$`,
		`^5\. error .*: 409, not retried$`,
		`^ +error +tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card \(PUT /api/v1/Owners/o1/Grants\)$`,
		`^ +status +409 Conflict$`,
		`^ +code +Duplicate$`,
		`^ +title +only one grant allowed per lock and user/card$`,
		`^ +user message +This person already has access to this lock\.$`,
		`^ +documented +Indicates an operation trying to create a duplicate grant per lock and user\.$`,
		`^ +retry class +never$`,
		`^ +matched +errors\.As\(err, &p\) with p \*apierr\.Problem\[tapkey\.Code\]\n +errors\.Is\(err, tapkey\.Duplicate\)\n +errors\.Is\(err, apierr\.ErrConflict\)\n +not matched +errors\.Is\(err, apierr\.ErrNotFound\)`,
		`^summary: tapkey 7 API attempts, 2 token requests; exos 3 API attempts, 1 login, 1 logout$`,
	)
}

func TestQuickstartRealModeAgainstAFake(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c := srv.Credentials()
	vars := map[string]string{
		"TAPKEY_CLIENT_ID": c.ClientID, "TAPKEY_CLIENT_SECRET": c.ClientSecret,
		"TAPKEY_TOKEN_URL": srv.TokenURL(), "TAPKEY_OWNER_ID": "o1",
	}
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), []string{"-base-url", srv.URL() + "/api/v1"}, clitest.Env(vars), stdout, stderr)
	})
	clitest.Lines(t, out,
		`^apierr quickstart: the Tapkey API at http://127\.0\.0\.1:\d+/api/v1$`,
		`^1\. token +GET BoundLocks: 200, 2 bound locks \(1 token request, client credentials\)$`,
		`^2-4\. +skipped`,
		`^5\. error +GET a bound lock that does not exist: 404, not retried$`,
		`^ +code +\(none\)$`,
		`^ +not matched +errors\.Is\(err, tapkey\.Duplicate\)`,
		`^summary: tapkey 2 API attempts, 1 token request$`,
	)
	assert.Equal(t, 2, srv.Requests(), "the story's count matches the server's")
	assert.Equal(t, 1, srv.TokenRequests())
	assert.NotContains(t, out+errOut, c.ClientSecret)
}

func TestQuickstartUsageErrors(t *testing.T) {
	full := map[string]string{"TAPKEY_CLIENT_ID": "id", "TAPKEY_CLIENT_SECRET": "s3cret", "TAPKEY_OWNER_ID": "o1"}
	clitest.Usage(t, "quickstart", func(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, getenv, stdout, stderr)
	}, []clitest.UsageCase{
		{Name: "base URL without credentials", Args: []string{"-base-url", "https://api.example.test"}, Code: 2, Want: "these variables must be set: TAPKEY_CLIENT_ID, TAPKEY_CLIENT_SECRET, TAPKEY_OWNER_ID"},
		{Name: "credentials without secret", Vars: map[string]string{"TAPKEY_CLIENT_ID": "id", "TAPKEY_OWNER_ID": "o1"}, Code: 2, Want: "these variables must be set: TAPKEY_CLIENT_SECRET"},
		{Name: "bad base URL", Args: []string{"-base-url", "ftp://api.example.test"}, Vars: full, Code: 2, Want: `-base-url must be an absolute http(s) URL, got "ftp://api.example.test"`},
		{Name: "relative base URL", Args: []string{"-base-url", "api.example.test"}, Vars: full, Code: 2, Want: "-base-url must be an absolute http(s) URL"},
		{Name: "bad token URL", Args: []string{"-base-url", "https://api.example.test"}, Vars: clitest.With(full, "TAPKEY_TOKEN_URL", "%zz"), Code: 2, Want: "TAPKEY_TOKEN_URL must be an absolute http(s) URL"},
		{Name: "owner path", Args: []string{"-base-url", "https://api.example.test"}, Vars: clitest.With(full, "TAPKEY_OWNER_ID", "o1/../x"), Code: 2, Want: "TAPKEY_OWNER_ID must be an owner account id"},
		{Name: "credentials over plain http", Args: []string{"-base-url", "http://api.example.test"}, Vars: full, Code: 2, Want: "plain http"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: "TAPKEY_CLIENT_SECRET"},
	}, "s3cret")
}

func TestQuickstartConventions(t *testing.T) {
	clitest.Conventions(t, "quickstart", func(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, getenv, stdout, stderr)
	}, "base-url", "v")
}
