package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/apierrtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestExosStory(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, env(nil), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	assert.Empty(t, errOut.String())
	for _, line := range []string{
		`^GET persons: 1 person\(s\) \(logins: 1\)$`,
		`^session expired: .*replayed: ok \(logins: 2\)$`,
		`^POST assignAccessRight \(3 attempts, 2 concurrency errors retried\): ok$`,
		`^POST assignAccessRight again: already assigned: nothing to do\n +status 400, code 400011, title "Access right already assigned \(AR-1\)"`,
		`^POST assignAccessRight AR-2: still changed by someone else after every retry: reload and try again\n +status 400, code 400241, .*attempts 4\n +documented: Concurrency-Error.*\(retry class concurrency\)`,
		`^GET persons/P-9: no such person: check the id\n +status 404, code 400001,`,
		`^POST persons: server error: .*\n +status 500, code 400245, title "Missing clientId", detail "", attempts 1$`,
		`^second client: GET persons: exos refuses logins for now: try later\n +status 403, code 300007,`,
		`^Close: <nil> \(logouts: 1; logins: 3, one of them refused\)$`,
	} {
		assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
	}
	assert.NotContains(t, out.String(), apierrtest.DefaultPassword)
	assert.NotContains(t, out.String(), apierrtest.DefaultAPIKey)
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
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"-base-url", srv.URL() + "/ExosApi/api/v1.1"}, env(vars), &out, &errOut)
			require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
			for _, line := range []string{
				`^exos example: the exos API at http://127\.0\.0\.1:\d+/ExosApi/api/v1\.1$`,
				`^GET persons/apierr-example-no-such-person: no such person: check the id\n +status 404, code 400001,`,
				`^Close: <nil> \(logged out\)$`,
			} {
				assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
			}
			assert.Equal(t, 1, srv.Logins())
			assert.Equal(t, 1, srv.Logouts())
			assert.Equal(t, 1, srv.Requests()-srv.Logouts(), "one API call besides the logout")
			assert.NotContains(t, out.String()+errOut.String(), c.Password)
		})
	}
}

func TestExosUsage(t *testing.T) {
	full := map[string]string{"EXOS_API_KEY": "k", "EXOS_USER": "u", "EXOS_PASSWORD": "s3cret", "EXOS_TENANT_ID": "1"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k2, v2 := range full {
			if k2 != k {
				m[k2] = v2
			}
		}
		return m
	}
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
		{"bad tenant", base, with("EXOS_TENANT_ID", "one"), 2, "exos: EXOS_TENANT_ID must be a whole number"},
		{"relative base URL", []string{"-base-url", "exos.example/api"}, full, 2, "exos: -base-url must be an absolute http(s) URL"},
		{"credentials over plain http", []string{"-base-url", "http://exos.example/ExosApi/api/v1.1"}, full, 2, "plain http"},
		{"help", []string{"-h"}, nil, 0, "EXOS_TENANT_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tc.code, run(context.Background(), tc.args, env(tc.vars), &out, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.NotContains(t, errOut.String(), "s3cret")
			assert.Empty(t, out.String(), "nothing was run")
		})
	}
}
