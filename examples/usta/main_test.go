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

func TestUSTAStory(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, &out, &errOut)
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

func TestUSTAUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, 2, "usta: usage: usta (no arguments)"},
		{"help", []string{"-h"}, 0, "Usage of usta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tc.code, run(context.Background(), tc.args, &out, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.Empty(t, out.String(), "nothing was run")
		})
	}
}
