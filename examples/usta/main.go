// Command usta shows the USTA API through apierr: OAuth2 client credentials
// (USTA issues no refresh tokens, so after a 401 the client fetches a new
// token and replays once), and a switch over USTA codes, where a six-digit
// code such as 200601 matches its four-digit parent 2006. It runs
// in-process against the fake USTA API of package apierrtest, which is
// scripted to fail on cue:
//
//	go run ./examples/usta
//
// Against a real USTA API it only reads (see real.go):
//
//	USTA_CLIENT_ID=… USTA_CLIENT_SECRET=… USTA_TOKEN_URL=… go run ./examples/usta -base-url https://…/v1
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

// run is the program: it returns the exit status (2 for bad flags or
// variables, 1 for a failed call).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	baseURL, cc, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return cli.Status(stderr, "usta", cli.Usage(err))
	}
	if baseURL != "" {
		return cli.Status(stderr, "usta", realStory(ctx, stdout, baseURL, cc))
	}
	return cli.Status(stderr, "usta", story(ctx, stdout))
}

func story(ctx context.Context, out io.Writer) error {
	srv := apierrtest.NewUSTA()
	defer srv.Close()

	client, err := newClient(srv.BaseURL(), srv.ClientCredentials())
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintln(out, "usta example: fake USTA API in this process (package apierrtest)")

	var player struct{ FirstName, LastName string }
	if err := cli.Call(ctx, client, "GET", "entities/1001", nil, &player); err != nil {
		return err
	}
	fmt.Fprintf(out, "GET entities/1001: %s %s (token requests: %d)\n", player.FirstName, player.LastName, srv.TokenRequests())

	srv.RevokeAll()
	if err := cli.Call(ctx, client, "GET", "entities/1001", nil, &player); err != nil {
		return err
	}
	fmt.Fprintf(out, "token revoked: GET got 401 (4003), new client-credentials token, replayed: ok (token requests: %d, refresh requests: %d)\n",
		srv.TokenRequests(), srv.RefreshRequests())

	srv.Fail(usta.USPTANumberNotUnique, 1, apierrtest.Detail("usptaNumber"))
	err = cli.Call(ctx, client, "PUT", "entities/1001", map[string]string{"usptaNumber": "U-1"}, nil)
	show(out, "PUT entities/1001", err)
	fmt.Fprintf(out, "   errors.Is: EntitySavingError (2006) %t, USPTANumberNotUnique %t, PTRNumberNotUnique %t\n",
		errors.Is(err, usta.EntitySavingError), errors.Is(err, usta.USPTANumberNotUnique), errors.Is(err, usta.PTRNumberNotUnique))
	show(out, "GET entities/9999", cli.Call(ctx, client, "GET", "entities/9999", nil, nil))
	show(out, "PUT entities/1001 with a list", cli.Call(ctx, client, "PUT", "entities/1001", []int{1}, nil))
	srv.Fail(usta.UnexpectedSystemError, 1)
	before := srv.Requests()
	err = cli.Call(ctx, client, "GET", "entities/1001", nil, nil)
	show(out, fmt.Sprintf("GET entities/1001 (%d attempts, 9001 is transient: retried)", srv.Requests()-before), err)
	srv.Fail(usta.MailTriggerError, 1)
	show(out, "PUT entities/1001", cli.Call(ctx, client, "PUT", "entities/1001", map[string]string{"usptaNumber": "U-2"}, nil))
	fmt.Fprintf(out, "summary: API requests: %d, token requests: %d\n", srv.Requests(), srv.TokenRequests())
	return nil
}

func newClient(baseURL string, cc *clientcredentials.Config) (*apierr.Client, error) {
	cc.AuthStyle = oauth2.AuthStyleInHeader // AutoDetect would send a refused token request twice
	return apierr.New(apierr.WithBaseURL(baseURL), apierr.WithDecoder(decode.USTA), apierr.WithClientCredentials(cc))
}

// show prints what a program would do about err: the idiomatic switch,
// most specific first, then what the error carries. A parent code such as
// EntitySavingError (2006) matches its sub-codes 200601 and 200602.
func show(out io.Writer, what string, err error) {
	var action string
	switch {
	case err == nil:
		action = "ok"
	case errors.Is(err, usta.EntitySavingError):
		action = "not saved: tell the user which field must be unique"
	case errors.Is(err, usta.EntityNotFound):
		action = "no such entity"
	case errors.Is(err, apierr.ErrUnauthorized):
		action = "not authorised: " + err.Error()
	case errors.Is(err, apierr.ErrBadRequest):
		action = "the request is wrong: fix the program"
	case errors.Is(err, apierr.ErrServer):
		action = "USTA failed and it may have acted: check before repeating"
	default:
		action = "failed: " + err.Error()
	}
	fmt.Fprintf(out, "%s: %s\n", what, action)
	var p *apierr.Problem[usta.Code]
	if errors.As(err, &p) {
		fmt.Fprintf(out, "   status %d, code %d, title %q, detail %q, %d sub-errors, attempts %d\n",
			p.Status, int(p.Code), p.Title, p.Detail, len(p.Errors), p.Attempts)
	}
}
