package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTapkeyStory(t *testing.T) {
	for _, tc := range []struct {
		lang, userMessage string
	}{
		{"en", "You have reached the number of smartphone users your plan allows."},
		{"de", "Sie haben die Anzahl an Smartphone-Benutzern erreicht, die Ihr Tarif erlaubt."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"-lang", tc.lang}, &out, &errOut)
			require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
			assert.Empty(t, errOut.String())
			for _, line := range []string{
				`^GET BoundLocks: 2 bound locks with the stored token \(token requests: 0\)$`,
				`^token revoked: .*\(1 refresh request\), replayed: ok$`,
				`^refresh token rotations: 1; the hook stored the new one: true$`,
				`^PUT Grants: ok$`,
				`^PUT Grants again: already granted: nothing to do\n +status 409, code "Duplicate", title "only one grant allowed per lock and user/card"$`,
				`^GET BoundLocks/bl-9: no such resource\n +status 404, code "", title "bound lock not found"\n +detail "bl-9"`,
				`^PUT Grants for c-43: the owner's plan is too small: show the user message\n +status 402, code "InsufficientSmartphoneUserContingent".*\n +detail "", user message "` + regexp.QuoteMeta(tc.userMessage) + `", 0 sub-errors$`,
				`^PUT Grants for c-44: the app lacks scope write:grants: ask for consent again\n +status 401,`,
				`^summary: API requests: 8, token requests: 1$`,
			} {
				assert.Regexp(t, regexp.MustCompile("(?m)"+line), out.String())
			}
		})
	}
}

func TestTapkeyUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"extra"}, 2, "tapkey: usage: tapkey [-lang tag]"},
		{"empty language", []string{"-lang", ""}, 2, "tapkey: usage:"},
		{"control character in language", []string{"-lang", "de\nx"}, 2, "tapkey: bad -lang: apierr: WithAcceptLanguage: control character"},
		{"help", []string{"-h"}, 0, "Accept-Language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tc.code, run(context.Background(), tc.args, &out, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.Empty(t, out.String(), "nothing was run")
		})
	}
}
