// Command entrecode shows an entrecode Data Manager through apierr: an
// OAuth2 bearer token renewed with its (rotating) refresh token, and a
// switch over entrecode's four-digit codes, matched by their three-digit
// family. It runs in-process against the fake Data Manager of package
// apierrtest, which is scripted to fail on cue:
//
//	go run ./examples/entrecode
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

// run is the program: it returns the exit status (2 for a bad flag, 1 for
// a failed call).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("entrecode", stderr, "entrecode",
		"It shows an entrecode Data Manager through apierr: an OAuth2 bearer token renewed",
		"with its rotating refresh token, and a switch over entrecode's four-digit codes,",
		"matched by their three-digit family, against an in-process fake Data Manager",
		"(package apierrtest): no account needed.")
	if err := fs.Parse(args); err != nil {
		return cli.Status(stderr, "entrecode", err)
	}
	return cli.Status(stderr, "entrecode", story(ctx, stdout))
}

func story(ctx context.Context, out io.Writer) error {
	srv := apierrtest.NewEntrecode()
	defer srv.Close()

	// A token from the sign-in (the fake mints one). Each refresh returns a
	// new refresh token; the hook is where a program stores it.
	stored := srv.MintToken()
	client, err := apierr.New(
		apierr.WithBaseURL(srv.URL()+"/api/dm1"),
		apierr.WithDecoder(decode.Entrecode),
		apierr.WithRefreshToken(srv.OAuth2Config(), stored),
		apierr.WithTokenHook(func(t *oauth2.Token) { stored = t }),
	)
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintln(out, "entrecode example: fake Data Manager in this process (package apierrtest)")

	var list struct{ Count int }
	if err := cli.Call(ctx, client, "GET", "todo", nil, &list); err != nil {
		return err
	}
	fmt.Fprintf(out, "GET todo: %d entries with the signed-in token (token requests: %d)\n", list.Count, srv.TokenRequests())

	srv.RevokeAll()
	if err := cli.Call(ctx, client, "GET", "todo", nil, &list); err != nil {
		return err
	}
	fmt.Fprintf(out, "token revoked: GET todo got 401, refreshed (refresh requests: %d), replayed: ok\n", srv.RefreshRequests())

	entry := map[string]any{"title": "Buy milk", "done": true}
	srv.Fail(entrecode.ParallelRequestAddedTags, 1)
	before := srv.Requests()
	err = cli.Call(ctx, client, "PUT", "todo?_id=e1", entry, nil)
	show(out, fmt.Sprintf("PUT todo?_id=e1 (%d attempts, 2373 retried)", srv.Requests()-before), err)
	err = cli.Call(ctx, client, "PUT", "todo", entry, nil)
	show(out, "PUT todo without _id", err)
	fmt.Fprintf(out, "   errors.Is: Code(202) %t, Code(2202) %t, Code(1202) %t\n",
		errors.Is(err, entrecode.Code(202)), errors.Is(err, entrecode.Code(2202)), errors.Is(err, entrecode.Code(1202)))
	show(out, "GET todo?_id=e9", cli.Call(ctx, client, "GET", "todo?_id=e9", nil, nil))

	srv.RevokeRefreshTokens() // the user signed out elsewhere
	srv.RevokeAll()
	show(out, "GET todo after sign-out", cli.Call(ctx, client, "GET", "todo", nil, nil))
	fmt.Fprintf(out, "summary: API requests: %d, token requests: %d\n", srv.Requests(), srv.TokenRequests())
	return nil
}

// show prints what a program would do about err: the idiomatic switch,
// most specific first, then what the error carries. A family constant
// such as MissingPropertyInQueryString (202) matches 1202, 2202 and 3202.
func show(out io.Writer, what string, err error) {
	var action string
	switch {
	case err == nil:
		action = "ok"
	case errors.Is(err, entrecode.MissingPropertyInQueryString), errors.Is(err, entrecode.MissingPropertyInJSONBody):
		action = "the request is incomplete: fix the program"
	case errors.Is(err, entrecode.ParallelRequestAddedTags):
		action = "still conflicting after every retry: try again later"
	case errors.Is(err, apierr.ErrReauthRequired):
		action = "the refresh token was refused: sign in again"
	case errors.Is(err, apierr.ErrNotFound):
		action = "no such entry"
	default:
		action = "failed: " + err.Error()
	}
	fmt.Fprintf(out, "%s: %s\n", what, action)
	var p *apierr.Problem[entrecode.Code]
	if errors.As(err, &p) {
		fmt.Fprintf(out, "   status %d, code %d, title %q, detail %q\n", p.Status, int(p.Code), p.Title, p.Detail)
		fmt.Fprintf(out, "   type %s, %d sub-errors\n", p.Type, len(p.Errors))
	}
}
