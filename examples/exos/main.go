// Command exos shows the dormakaba exos 9300 API through apierr: a login
// session (WithExosSession) that logs in again when exos forgets it and
// logs out on Close, and a switch over exos error codes. It runs in-process
// against the fake exos API of package apierrtest, which is scripted to fail
// on cue:
//
//	go run ./examples/exos
//
// Against a real exos installation it only reads (see real.go):
//
//	EXOS_API_KEY=… EXOS_USER=… EXOS_PASSWORD=… EXOS_TENANT_ID=… \
//	  go run ./examples/exos -base-url https://exos.example/ExosApi/api/v1.1
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/examples/internal/cli"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

// run is the program: it returns the exit status (2 for bad flags or
// variables, 1 for a failed call).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	baseURL, session, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return cli.Status(stderr, "exos", cli.Usage(err))
	}
	if baseURL != "" {
		return cli.Status(stderr, "exos", realStory(ctx, stdout, baseURL, session))
	}
	return cli.Status(stderr, "exos", story(ctx, stdout))
}

func story(ctx context.Context, out io.Writer) error {
	// One session at a time, as a small exos licence allows.
	srv := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer srv.Close()
	cred := srv.Credentials()
	session := apierr.ExosSession{ // 4.3.3+ login; Legacy: true with LegacyLoginURL for older installations
		LoginURL: srv.LoginURL(), LogoutURL: srv.LogoutURL(), TenantID: 1,
		APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
	}
	client, err := newClient(srv.URL()+"/ExosApi/api/v1.1", session)
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintln(out, "exos example: fake exos 9300 API in this process (package apierrtest)")

	var persons struct{ Value []apierrtest.ExosPerson }
	if err := cli.Call(ctx, client, "GET", "persons", nil, &persons); err != nil {
		return err
	}
	fmt.Fprintf(out, "GET persons: %d person(s) (logins: %d)\n", len(persons.Value), srv.Logins())

	srv.RevokeAll() // exos forgot the session: the next call gets 300008
	if err := cli.Call(ctx, client, "GET", "persons", nil, &persons); err != nil {
		return err
	}
	fmt.Fprintf(out, "session expired: GET persons got 300008, logged in again, replayed: ok (logins: %d)\n", srv.Logins())

	assign := map[string]string{"AccessRightId": "AR-1"}
	srv.Fail(exos.ConcurrencyError, 2)
	before := srv.Requests()
	err = cli.Call(ctx, client, "POST", "persons/P-1/assignAccessRight", assign, nil)
	show(out, fmt.Sprintf("POST assignAccessRight (%d attempts, 2 concurrency errors retried)", srv.Requests()-before), err)
	show(out, "POST assignAccessRight again", cli.Call(ctx, client, "POST", "persons/P-1/assignAccessRight", assign, nil))
	srv.Fail(exos.ConcurrencyError, apierr.DefaultRetryPolicy().ConflictAttempts) // as many as the default policy allows after conflicts
	show(out, "POST assignAccessRight AR-2", cli.Call(ctx, client, "POST", "persons/P-1/assignAccessRight", map[string]string{"AccessRightId": "AR-2"}, nil))
	show(out, "GET persons/P-9", cli.Call(ctx, client, "GET", "persons/P-9", nil, nil))
	srv.Fail(exos.MissingClientID, 1)
	show(out, "POST persons", cli.Call(ctx, client, "POST", "persons", map[string]string{"LastName": "Doe"}, nil))

	// A second client cannot log in while the first one's session is open.
	second, err := newClient(srv.URL()+"/ExosApi/api/v1.1", session)
	if err != nil {
		return err
	}
	show(out, "second client: GET persons", cli.Call(ctx, second, "GET", "persons", nil, nil))
	second.Close()

	err = client.Close() // logs out
	fmt.Fprintf(out, "Close: %v (logouts: %d; logins: %d, one of them refused)\n", err, srv.Logouts(), srv.Logins())
	return nil
}

func newClient(baseURL string, s apierr.ExosSession) (*apierr.Client, error) {
	return apierr.New(
		apierr.WithBaseURL(baseURL),
		apierr.WithDecoder(decode.Exos),
		apierr.WithExosSession(s),
	)
}

// show prints what a program would do about err: the idiomatic switch,
// most specific first, then what the error carries.
func show(out io.Writer, what string, err error) {
	var action string
	switch {
	case err == nil:
		action = "ok"
	case errors.Is(err, exos.AccessRightAlreadyAssigned):
		action = "already assigned: nothing to do"
	case errors.Is(err, exos.PersonNotFound):
		action = "no such person: check the id"
	case errors.Is(err, exos.ConcurrencyError):
		action = "still changed by someone else after every retry: reload and try again"
	case errors.Is(err, exos.MaximumConcurrentUsersReached), errors.Is(err, apierr.ErrLoginThrottled):
		action = "exos refuses logins for now: try later"
	case errors.Is(err, apierr.ErrServer):
		action = "server error: report it (retried only when its code is transient)"
	default:
		action = "failed: " + err.Error()
	}
	fmt.Fprintf(out, "%s: %s\n", what, action)
	var p *apierr.Problem[exos.Code]
	if errors.As(err, &p) {
		fmt.Fprintf(out, "   status %d, code %d, title %q, detail %q, attempts %d\n", p.Status, int(p.Code), p.Title, p.Detail, p.Attempts)
		fmt.Fprintf(out, "   documented: %s (retry class %s), %d sub-errors\n", p.Code.Info().Description, p.Code.Info().Retry, len(p.Errors))
	}
}
