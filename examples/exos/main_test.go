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

func TestExosStory(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, &out, &errOut)
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

func TestExosUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, 2, "exos: usage: exos (no arguments)"},
		{"help", []string{"-h"}, 0, "Usage of exos"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tc.code, run(context.Background(), tc.args, &out, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.Empty(t, out.String(), "nothing was run")
		})
	}
}
