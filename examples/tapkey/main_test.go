package main

import (
	"context"
	"io"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/examples/internal/clitest"
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
			out, errOut := clitest.Run(t, 0, func(stdout, stderr io.Writer) int {
				return run(context.Background(), []string{"-lang", tc.lang}, stdout, stderr)
			})
			assert.Empty(t, errOut)
			clitest.Lines(t, out,
				`^GET BoundLocks: 2 bound locks with the stored token \(token requests: 0\)$`,
				`^token revoked: .*\(1 refresh request\), replayed: ok$`,
				`^refresh token rotations: 1; the hook stored the new one: true$`,
				`^PUT Grants: ok$`,
				`^PUT Grants again: already granted: nothing to do\n +status 409, code "Duplicate", title "only one grant allowed per lock and user/card"$`,
				`^GET BoundLocks/bl-9: no such resource\n +status 404, code "", title "bound lock not found"\n +detail "bl-9"`,
				`^PUT Grants for c-43: the owner's plan is too small: show the user message\n +status 402, code "InsufficientSmartphoneUserContingent".*\n +detail "", user message "`+regexp.QuoteMeta(tc.userMessage)+`", 0 sub-errors$`,
				`^PUT Grants for c-44: the app lacks scope write:grants: ask for consent again\n +status 401,`,
				`^summary: API requests: 8, token requests: 1$`,
			)
		})
	}
}

func TestTapkeyUsage(t *testing.T) {
	prog := func(args []string, _ func(string) string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, stdout, stderr)
	}
	clitest.Conventions(t, "tapkey", prog, "lang")
	clitest.Usage(t, "tapkey", prog, []clitest.UsageCase{
		{Name: "empty language", Args: []string{"-lang", ""}, Code: 2, Want: "tapkey: -lang is empty (see tapkey -h)"},
		{Name: "control character in language", Args: []string{"-lang", "de\nx"}, Code: 2, Want: "tapkey: bad -lang: apierr: WithAcceptLanguage: control character"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: "Accept-Language"},
	})
}
