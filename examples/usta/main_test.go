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

func TestUSTAStory(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, env(nil), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	assert.Empty(t, errOut.String())
	for _, line := range []string{
		`^GET entities/1001: Billie King \(token requests: 1\)$`,
		`^token revoked: .*replayed: ok \(token requests: 2, refresh requests: 0\)$`,
		`^PUT entities/1001: not saved: .*\n +status 400, code 200601, .*detail "usptaNumber", 0 sub-errors, attempts 1$`,
		`^ +errors\.Is: EntitySavingError \(2006\) true, USPTANumberNotUnique true, PTRNumberNotUnique false$`,
		`^GET entities/9999: no such entity\n +status 404, code 3001, title "entity not found"`,
		`^PUT entities/1001 with a list: the request is wrong: fix the program\n +status 400, code 9002,`,
		`^GET entities/1001 \(2 attempts, 9001 is transient: retried\): ok$`,
		`^PUT entities/1001: USTA failed .*\n +status 500, code 9003, .*attempts 1$`,
		`^summary: API requests: 9, token requests: 2$`,
	} {
		assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
	}
	assert.NotContains(t, out.String(), apierrtest.DefaultClientSecret)
}

// The real-API mode, pointed at a fake.
func TestUSTARealModeAgainstAFake(t *testing.T) {
	srv := apierrtest.NewUSTA()
	defer srv.Close()
	c := srv.Credentials()
	vars := map[string]string{"USTA_CLIENT_ID": c.ClientID, "USTA_CLIENT_SECRET": c.ClientSecret, "USTA_TOKEN_URL": srv.TokenURL()}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-base-url", srv.URL() + "/v1"}, env(vars), &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	for _, line := range []string{
		`^usta example: the USTA API at http://127\.0\.0\.1:\d+/v1$`,
		`^GET entities/apierr-example-no-such-entity: no such entity\n +status 404, code 3001,`,
	} {
		assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
	}
	assert.Equal(t, 1, srv.Requests())
	assert.Equal(t, 1, srv.TokenRequests())
	assert.NotContains(t, out.String()+errOut.String(), c.ClientSecret)
}

func TestUSTAUsage(t *testing.T) {
	full := map[string]string{"USTA_CLIENT_ID": "id", "USTA_CLIENT_SECRET": "s3cret", "USTA_TOKEN_URL": "https://auth.example/oauth/token"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k2, v2 := range full {
			if k2 != k {
				m[k2] = v2
			}
		}
		return m
	}
	base := []string{"-base-url", "https://api.example/v1"}
	for _, tc := range []struct {
		name string
		args []string
		vars map[string]string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, nil, 2, `usta: unexpected argument "extra"`},
		{"credentials without base URL", nil, full, 2, "usta: USTA_CLIENT_ID is set: give -base-url too"},
		{"base URL without credentials", base, nil, 2, "usta: with -base-url these variables must be set: USTA_CLIENT_ID, USTA_CLIENT_SECRET, USTA_TOKEN_URL"},
		{"no secret", base, with("USTA_CLIENT_SECRET", " "), 2, "must be set: USTA_CLIENT_SECRET\n"},
		{"relative base URL", []string{"-base-url", "api.example/v1"}, full, 2, "usta: -base-url must be an absolute http(s) URL"},
		{"bad token URL", base, with("USTA_TOKEN_URL", "ftp://auth.example"), 2, "usta: USTA_TOKEN_URL must be an absolute http(s) URL"},
		{"credentials over plain http", []string{"-base-url", "http://api.example/v1"}, full, 2, "plain http"},
		{"help", []string{"-h"}, nil, 0, "USTA_TOKEN_URL"},
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
