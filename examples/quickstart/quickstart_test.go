package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
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

func TestQuickstartAgainstTheFakes(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, env(nil), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	assert.Empty(t, errOut.String())
	for _, line := range []string{
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
	} {
		assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
	}
}

func TestQuickstartRealModeAgainstAFake(t *testing.T) {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c := srv.Credentials()
	vars := map[string]string{
		"TAPKEY_CLIENT_ID": c.ClientID, "TAPKEY_CLIENT_SECRET": c.ClientSecret,
		"TAPKEY_TOKEN_URL": srv.TokenURL(), "TAPKEY_OWNER_ID": "o1",
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-base-url", srv.URL() + "/api/v1"}, env(vars), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	for _, line := range []string{
		`^apierr quickstart: the Tapkey API at http://127\.0\.0\.1:\d+/api/v1$`,
		`^1\. token +GET BoundLocks: 200, 2 bound locks \(1 token request, client credentials\)$`,
		`^2-4\. +skipped`,
		`^5\. error +GET a bound lock that does not exist: 404, not retried$`,
		`^ +code +\(none\)$`,
		`^ +not matched +errors\.Is\(err, tapkey\.Duplicate\)`,
		`^summary: tapkey 2 API attempts, 1 token request$`,
	} {
		assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
	}
	assert.Equal(t, 2, srv.Requests(), "the story's count matches the server's")
	assert.Equal(t, 1, srv.TokenRequests())
	assert.NotContains(t, out.String()+errOut.String(), c.ClientSecret)
}

func TestQuickstartUsageErrors(t *testing.T) {
	full := map[string]string{"TAPKEY_CLIENT_ID": "id", "TAPKEY_CLIENT_SECRET": "s3cret", "TAPKEY_OWNER_ID": "o1"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k2, v2 := range full {
			if k2 != k {
				m[k2] = v2
			}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"base URL without credentials", []string{"-base-url", "https://api.example.test"}, nil,
			"these variables must be set: TAPKEY_CLIENT_ID, TAPKEY_CLIENT_SECRET, TAPKEY_OWNER_ID"},
		{"credentials without secret", nil, map[string]string{"TAPKEY_CLIENT_ID": "id", "TAPKEY_OWNER_ID": "o1"},
			"these variables must be set: TAPKEY_CLIENT_SECRET"},
		{"bad base URL", []string{"-base-url", "ftp://api.example.test"}, full, `-base-url must be an absolute http(s) URL, got "ftp://api.example.test"`},
		{"relative base URL", []string{"-base-url", "api.example.test"}, full, "-base-url must be an absolute http(s) URL"},
		{"bad token URL", []string{"-base-url", "https://api.example.test"}, with("TAPKEY_TOKEN_URL", "%zz"), "TAPKEY_TOKEN_URL must be an absolute http(s) URL"},
		{"owner path", []string{"-base-url", "https://api.example.test"}, with("TAPKEY_OWNER_ID", "o1/../x"), "TAPKEY_OWNER_ID must be an owner account id"},
		{"credentials over plain http", []string{"-base-url", "http://api.example.test"}, full, "plain http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tc.args, env(tc.vars), &out, &errOut)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut.String(), tc.want)
			assert.True(t, strings.HasPrefix(errOut.String(), "quickstart: ") || strings.Contains(errOut.String(), "usage: quickstart"), errOut.String())
			assert.NotContains(t, errOut.String(), "s3cret")
			assert.Empty(t, out.String(), "nothing was run")
		})
	}
}

func TestQuickstartHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, env(nil), &out, &errOut))
	assert.Contains(t, errOut.String(), "TAPKEY_CLIENT_SECRET")
}
