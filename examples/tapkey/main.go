// Command tapkey shows the Tapkey Management API through apierr: the
// refresh-token flow with rotated refresh tokens stored by a hook, and a
// switch over Tapkey's errors. It runs in-process against the fake Tapkey
// API of package apierrtest, which is scripted to fail on cue:
//
//	go run ./examples/tapkey
//	go run ./examples/tapkey -lang de   # UserErrorMessage in German
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

// run is the program: it returns the exit status (2 for a bad flag, 1 for
// a failed call).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("tapkey", stderr, "tapkey [-lang tag]",
		"It shows the Tapkey Management API through apierr: the refresh-token flow with",
		"rotated refresh tokens stored by a hook, and a switch over Tapkey's errors,",
		"against an in-process fake Tapkey API (package apierrtest): no account needed.")
	lang := fs.String("lang", "en", "the language `tag` sent as Accept-Language, for UserErrorMessage (en or de)")
	err := fs.Parse(args)
	if err == nil && *lang == "" {
		err = cli.Usage(errors.New("-lang is empty (see tapkey -h)"))
	}
	if err != nil {
		return cli.Status(stderr, "tapkey", err)
	}
	return cli.Status(stderr, "tapkey", story(ctx, stdout, *lang))
}

func story(ctx context.Context, out io.Writer, lang string) error {
	srv := apierrtest.NewTapkey()
	defer srv.Close()

	// The refresh-token flow: a token from the authorization-code flow (the
	// fake mints one), renewed with its refresh token. Tapkey rotates refresh
	// tokens, so each new one must be stored: WithTokenHook hands it over.
	stored := srv.MintToken()
	first := stored.RefreshToken
	rotations := 0
	client, err := apierr.New(
		apierr.WithBaseURL(srv.BaseURL()),
		apierr.WithDecoder(decode.Tapkey),
		apierr.WithRefreshToken(srv.OAuth2Config(), stored),
		apierr.WithTokenHook(func(t *oauth2.Token) {
			if t.RefreshToken != "" && t.RefreshToken != stored.RefreshToken {
				rotations++
			}
			stored = t // in a real program: save it to disk or a database
		}),
		apierr.WithAcceptLanguage(lang),
	)
	if err != nil {
		return cli.Usage(fmt.Errorf("bad -lang: %w", err)) // the other options are fixed
	}
	defer client.Close()
	fmt.Fprintln(out, "tapkey example: fake Tapkey API in this process (package apierrtest)")

	var locks []apierrtest.TapkeyBoundLock
	if err := cli.Call(ctx, client, "GET", "Owners/o1/BoundLocks", nil, &locks); err != nil {
		return err
	}
	fmt.Fprintf(out, "GET BoundLocks: %d bound locks with the stored token (token requests: %d)\n", len(locks), srv.TokenRequests())

	srv.RevokeAll()
	if err := cli.Call(ctx, client, "GET", "Owners/o1/BoundLocks", nil, &locks); err != nil {
		return err
	}
	fmt.Fprintf(out, "token revoked: GET BoundLocks got 401, refreshed (%d refresh request), replayed: ok\n", srv.RefreshRequests())
	fmt.Fprintf(out, "refresh token rotations: %d; the hook stored the new one: %t\n", rotations, stored.RefreshToken != first)

	grant := map[string]string{"boundLockId": "bl-1", "contactId": "c-42"}
	show(out, "PUT Grants", cli.Call(ctx, client, "PUT", "Owners/o1/Grants", grant, nil))
	show(out, "PUT Grants again", cli.Call(ctx, client, "PUT", "Owners/o1/Grants", grant, nil))
	show(out, "GET BoundLocks/bl-9", cli.Call(ctx, client, "GET", "Owners/o1/BoundLocks/bl-9", nil, nil))
	srv.Fail(tapkey.InsufficientSmartphoneUserContingent, 1)
	show(out, "PUT Grants for c-43", cli.Call(ctx, client, "PUT", "Owners/o1/Grants", map[string]string{"boundLockId": "bl-2", "contactId": "c-43"}, nil))
	srv.Inject(1, apierrtest.InsufficientScope("write:grants"))
	show(out, "PUT Grants for c-44", cli.Call(ctx, client, "PUT", "Owners/o1/Grants", map[string]string{"boundLockId": "bl-2", "contactId": "c-44"}, nil))
	fmt.Fprintf(out, "summary: API requests: %d, token requests: %d\n", srv.Requests(), srv.TokenRequests())
	return nil
}

// show prints what a program would do about err: the idiomatic switch,
// most specific first, then what the error carries.
func show(out io.Writer, what string, err error) {
	var action string
	switch {
	case err == nil:
		action = "ok"
	case errors.Is(err, tapkey.Duplicate):
		action = "already granted: nothing to do"
	case errors.Is(err, tapkey.InsufficientAccountLevel), errors.Is(err, tapkey.InsufficientSmartphoneUserContingent):
		action = "the owner's plan is too small: show the user message"
	case errors.Is(err, apierr.ErrInsufficientScope):
		scope := "?"
		if ae := (*apierr.AuthError)(nil); errors.As(err, &ae) {
			scope = ae.Scope
		}
		action = "the app lacks scope " + scope + ": ask for consent again"
	case errors.Is(err, apierr.ErrUnauthorized):
		action = "sign in again"
	case errors.Is(err, apierr.ErrNotFound):
		action = "no such resource"
	default:
		action = "failed: " + err.Error()
	}
	fmt.Fprintf(out, "%s: %s\n", what, action)
	var p *apierr.Problem[tapkey.Code]
	if errors.As(err, &p) {
		fmt.Fprintf(out, "   status %d, code %q, title %q\n", p.Status, p.Code.String(), p.Title)
		fmt.Fprintf(out, "   detail %q, user message %q, %d sub-errors\n", p.Detail, p.UserMessage, len(p.Errors))
	}
}
