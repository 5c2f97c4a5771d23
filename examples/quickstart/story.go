package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2/clientcredentials"
)

// boundLocks is what GET …/BoundLocks answers; only the count is shown.
type boundLocks []struct {
	ID string `json:"id"`
}

// fakeStory tells the whole story against the fake Tapkey and exos APIs.
func fakeStory(ctx context.Context, out io.Writer, log *slog.Logger) error {
	tk := apierrtest.NewTapkey()
	defer tk.Close()
	ex := apierrtest.NewExos()
	defer ex.Close()
	fmt.Fprintln(out, "apierr quickstart: fake Tapkey and exos APIs in this process (package apierrtest)")

	client, seen, err := tapkeyClient(tk.URL()+"/api/v1", tk.ClientCredentials(), log)
	if err != nil {
		return err
	}
	defer client.Close()
	owner := "Owners/o1/"

	if err := firstCall(ctx, out, client, seen, owner); err != nil {
		return err
	}

	tk.RevokeAll()
	var locks boundLocks
	if err := cli.Call(ctx, client, http.MethodGet, owner+"BoundLocks", nil, &locks); err != nil {
		return err
	}
	statuses, tokens := seen.take()
	fmt.Fprintf(out, "2. revoked  the server revoked the token; GET BoundLocks: %s (+%s)\n",
		story(statuses, "new token, replayed once"), plural(tokens, "token request"))

	tk.Inject(1, apierrtest.TooManyRequests(time.Second))
	start := time.Now()
	if err := cli.Call(ctx, client, http.MethodGet, owner+"BoundLocks", nil, &locks); err != nil {
		return err
	}
	waited := time.Since(start).Round(100 * time.Millisecond)
	statuses, _ = seen.take()
	fmt.Fprintf(out, "3. 429      GET BoundLocks: %s\n", story(statuses, "Retry-After: 1, waited "+formatSeconds(waited)))

	if err := exosStep(ctx, out, ex, log); err != nil {
		return err
	}

	grant := map[string]string{"boundLockId": "bl-1", "contactId": "c-42"}
	if err := cli.Call(ctx, client, http.MethodPut, owner+"Grants", grant, nil); err != nil {
		return err
	}
	seen.take()
	err = cli.Call(ctx, client, http.MethodPut, owner+"Grants", grant, nil)
	statuses, _ = seen.take()
	fmt.Fprintf(out, "5. error    PUT Grants with the same lock and contact again: %s, not retried\n", story(statuses, ""))
	if err == nil {
		return errors.New("the duplicate grant was accepted")
	}
	showError(out, err)

	client.Close()
	attempts, tokenRequests := seen.totals()
	fmt.Fprintf(out, "summary: tapkey %s, %s; exos %s, %s, %s\n",
		plural(attempts, "API attempt"), plural(tokenRequests, "token request"),
		plural(ex.Requests()-ex.Logouts(), "API attempt"), plural(ex.Logins(), "login"), plural(ex.Logouts(), "logout"))
	return nil
}

// realStory makes the calls that need no fake server against a real Tapkey API.
func realStory(ctx context.Context, out io.Writer, opts options, log *slog.Logger) error {
	client, seen, err := tapkeyClient(opts.baseURL, opts.cc, log)
	if err != nil {
		return fmt.Errorf("%w: %w", cli.ErrUsage, err)
	}
	fmt.Fprintln(out, "apierr quickstart: the Tapkey API at "+opts.baseURL)
	defer client.Close()
	owner := "Owners/" + opts.owner + "/"
	if err := firstCall(ctx, out, client, seen, owner); err != nil {
		return err
	}
	fmt.Fprintln(out, "2-4.       skipped: revoking tokens, a 429 and an exos concurrency error need the fake servers")

	err = cli.Call(ctx, client, http.MethodGet, owner+"BoundLocks/apierr-quickstart-no-such-lock", nil, nil)
	statuses, _ := seen.take()
	fmt.Fprintf(out, "5. error    GET a bound lock that does not exist: %s, not retried\n", story(statuses, ""))
	if err == nil {
		return errors.New("the API found a bound lock that should not exist")
	}
	showError(out, err)
	attempts, tokenRequests := seen.totals()
	fmt.Fprintf(out, "summary: tapkey %s, %s\n", plural(attempts, "API attempt"), plural(tokenRequests, "token request"))
	return nil
}

// tapkeyClient returns a client for a Tapkey API that records what it sends.
func tapkeyClient(baseURL string, cc *clientcredentials.Config, log *slog.Logger) (*apierr.Client, *recorder, error) {
	seen := &recorder{authURLs: []string{cc.TokenURL}}
	client, err := apierr.New(
		apierr.WithBaseURL(baseURL),
		apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(cc),
		apierr.WithAcceptLanguage("en"),
		apierr.WithHTTPClient(&http.Client{Transport: seen.wrap(newTransport())}),
		apierr.WithLogger(log),
	)
	return client, seen, err
}

// firstCall is step 1: the first call gets a token.
func firstCall(ctx context.Context, out io.Writer, client *apierr.Client, seen *recorder, owner string) error {
	var locks boundLocks
	if err := cli.Call(ctx, client, http.MethodGet, owner+"BoundLocks", nil, &locks); err != nil {
		return err
	}
	statuses, tokens := seen.take()
	fmt.Fprintf(out, "1. token    GET BoundLocks: %s, %s (%s, client credentials)\n",
		story(statuses, ""), plural(len(locks), "bound lock"), plural(tokens, "token request"))
	return nil
}

// exosStep is step 4: an exos concurrency error, retried.
func exosStep(ctx context.Context, out io.Writer, ex *apierrtest.Server[exos.Code], log *slog.Logger) error {
	seen := &recorder{authURLs: []string{ex.LegacyLoginURL(), ex.LogoutURL()}}
	cred := ex.Credentials()
	client, err := apierr.New(
		apierr.WithBaseURL(ex.BaseURL()),
		apierr.WithDecoder(decode.Exos),
		apierr.WithHTTPClient(&http.Client{Transport: seen.wrap(newTransport())}),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: ex.LegacyLoginURL(), LogoutURL: ex.LogoutURL(), Legacy: true,
			APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
		}),
		apierr.WithLogger(log),
	)
	if err != nil {
		return err
	}
	defer client.Close()
	ex.Fail(exos.ConcurrencyError, 2)
	if err := cli.Call(ctx, client, http.MethodPost, "persons/P-1/assignAccessRight", map[string]string{"AccessRightId": "AR-1"}, nil); err != nil {
		return err
	}
	statuses, logins := seen.take()
	fmt.Fprintf(out, "4. exos     POST assignAccessRight: %s (%d %s twice, retried after short pauses; %s)\n",
		story(statuses, ""), exos.ConcurrencyError, codeName(exos.ConcurrencyError), plural(logins, "login"))
	return nil
}

// showError prints what a permanent error carries and which checks match it.
func showError(out io.Writer, err error) {
	fmt.Fprintln(out, "   error         "+err.Error())
	var p *apierr.Problem[tapkey.Code]
	if !errors.As(err, &p) {
		fmt.Fprintln(out, "   (not a *apierr.Problem[tapkey.Code])")
		return
	}
	info := p.Code.Info()
	for _, row := range [][2]string{
		{"status", strconv.Itoa(p.Status) + " " + http.StatusText(p.Status)},
		{"code", orNone(p.Code.String())},
		{"title", orNone(p.Title)},
		{"user message", orNone(p.UserMessage)},
		{"documented", orNone(info.Description)},
		{"retry class", info.Retry.String()},
		{"attempts", strconv.Itoa(p.Attempts)},
	} {
		fmt.Fprintf(out, "   %-13s %s\n", row[0], row[1])
	}
	var matched, unmatched []string
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"errors.As(err, &p) with p *apierr.Problem[tapkey.Code]", true},
		{"errors.Is(err, tapkey.Duplicate)", errors.Is(err, tapkey.Duplicate)},
		{"errors.Is(err, apierr.ErrConflict)", errors.Is(err, apierr.ErrConflict)},
		{"errors.Is(err, apierr.ErrNotFound)", errors.Is(err, apierr.ErrNotFound)},
		{"errors.Is(err, apierr.ErrUnauthorized)", errors.Is(err, apierr.ErrUnauthorized)},
	} {
		if c.ok {
			matched = append(matched, c.name)
		} else {
			unmatched = append(unmatched, c.name)
		}
	}
	fmt.Fprintln(out, "   matched       "+strings.Join(matched, "\n                 "))
	fmt.Fprintln(out, "   not matched   "+strings.Join(unmatched, "\n                 "))
}

// story writes statuses as "401 -> new token, replayed once -> 200".
func story(statuses []string, middle string) string {
	if middle == "" || len(statuses) < 2 {
		return strings.Join(statuses, " -> ")
	}
	return strings.Join(statuses[:len(statuses)-1], " -> ") + " -> " + middle + " -> " + statuses[len(statuses)-1]
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// formatSeconds writes d as "1.0s".
func formatSeconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s" }

// codeName is a code's documented description up to its first full stop.
func codeName(c exos.Code) string {
	d, _, _ := strings.Cut(c.Info().Description, ".")
	return d
}
