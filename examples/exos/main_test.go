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

func TestExosStory(t *testing.T) {
	out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
		return run(context.Background(), nil, clitest.Env(nil), stdout, stderr)
	})
	assert.Empty(t, errOut)
	clitest.Lines(t, out,
		`^GET persons: 1 person\(s\) \(logins: 1\)$`,
		`^session expired: .*replayed: ok \(logins: 2\)$`,
		`^POST assignAccessRight \(3 attempts, 2 concurrency errors retried\): ok$`,
		`^POST assignAccessRight again: already assigned: nothing to do\n +status 400, code 400011, title "Access right already assigned \(AR-1\)"`,
		`^POST assignAccessRight AR-2: still changed by someone else after every retry: reload and try again\n +status 400, code 400241, .*attempts 4\n +documented: Concurrency-Error.*\(retry class concurrency\)`,
		`^GET persons/P-9: no such person: check the id\n +status 404, code 400001,`,
		`^POST persons: server error: .*\n +status 500, code 400245, title "Missing clientId", detail "", attempts 1$`,
		`^second client: GET persons: exos refuses logins for now: try later\n +status 403, code 300007,`,
		`^Close: <nil> \(logouts: 1; logins: 3, one of them refused\)$`,
	)
	assert.NotContains(t, out, apierrtest.DefaultPassword)
	assert.NotContains(t, out, apierrtest.DefaultAPIKey)
}

// The real-API mode, pointed at a fake: both login generations, paths
// resolved against the base URL, a logout at the end.
func TestExosRealModeAgainstAFake(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "4.3.3+", true: "legacy"}[legacy], func(t *testing.T) {
			srv := apierrtest.NewExos()
			defer srv.Close()
			c := srv.Credentials()
			vars := map[string]string{"EXOS_API_KEY": c.APIKey, "EXOS_USER": c.UserName, "EXOS_PASSWORD": c.Password, "EXOS_TENANT_ID": "7"}
			if legacy {
				vars = map[string]string{"EXOS_API_KEY": c.APIKey, "EXOS_USER": c.UserName, "EXOS_PASSWORD": c.Password, "EXOS_LEGACY": "1"}
			}
			out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
				return run(context.Background(), []string{"-base-url", srv.URL() + "/ExosApi/api/v1.1"}, clitest.Env(vars), stdout, stderr)
			})
			clitest.Lines(t, out,
				`^exos example: the exos API at http://127\.0\.0\.1:\d+/ExosApi/api/v1\.1$`,
				`^GET persons/apierr-example-no-such-person: no such person: check the id\n +status 404, code 400001,`,
				`^Close: <nil> \(logged out\)$`,
			)
			assert.Equal(t, 1, srv.Logins())
			assert.Equal(t, 1, srv.Logouts())
			assert.Equal(t, 1, srv.Requests()-srv.Logouts(), "one API call besides the logout")
			assert.NotContains(t, out+errOut, c.Password)
		})
	}
}

func TestExosUsage(t *testing.T) {
	full := map[string]string{"EXOS_API_KEY": "k", "EXOS_USER": "u", "EXOS_PASSWORD": "s3cret", "EXOS_TENANT_ID": "1"}
	base := []string{"-base-url", "https://exos.example/ExosApi/api/v1.1"}
	for _, tc := range []struct {
		name string
		args []string
		vars map[string]string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, nil, 2, `exos: unexpected argument "extra"`},
		{"key without base URL", nil, full, 2, "exos: EXOS_API_KEY is set: give -base-url too"},
		{"base URL without credentials", base, nil, 2, "exos: with -base-url these variables must be set: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD, EXOS_TENANT_ID"},
		{"legacy needs no tenant", base, map[string]string{"EXOS_LEGACY": "1"}, 2, "must be set: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD\n"},
		{"bad tenant", base, clitest.With(full, "EXOS_TENANT_ID", "one"), 2, "exos: EXOS_TENANT_ID must be a whole number"},
		{"relative base URL", []string{"-base-url", "exos.example/api"}, full, 2, "exos: -base-url must be an absolute http(s) URL"},
		{"credentials over plain http", []string{"-base-url", "http://exos.example/ExosApi/api/v1.1"}, full, 2, "plain http"},
		{"help", []string{"-h"}, nil, 0, "EXOS_TENANT_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut := clitest.Run(t, tc.code, func(stdout, stderr io.Writer) int {
				return run(context.Background(), tc.args, clitest.Env(tc.vars), stdout, stderr)
			})
			assert.Contains(t, errOut, tc.want)
			assert.NotContains(t, errOut, "s3cret")
			assert.Empty(t, out, "nothing was run")
		})
	}
}
