// Command quickstart shows what apierr does, in a few plain lines: it gets a
// token, survives a revoked token, waits out a 429, retries an exos
// concurrency error, and shows a permanent error with the errors.Is and
// errors.As checks it matches.
//
// By default it runs in-process against the fake Tapkey and exos APIs of
// package apierrtest: no account needed.
//
//	go run ./examples/quickstart
//
// Against the real Tapkey API it makes only the calls that need no fake
// server (and changes nothing):
//
//	TAPKEY_CLIENT_ID=… TAPKEY_CLIENT_SECRET=… TAPKEY_OWNER_ID=… \
//	  go run ./examples/quickstart -base-url https://my.tapkey.com/api/v1
//
// TAPKEY_TOKEN_URL defaults to https://login.tapkey.com/connect/token and
// TAPKEY_SCOPES (space-separated) to none. A missing or bad flag or variable
// exits with status 2, a failed call with status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Defaults of the real Tapkey API.
const (
	tapkeyBaseURL  = "https://my.tapkey.com/api/v1"
	tapkeyTokenURL = "https://login.tapkey.com/connect/token"
)

// options is what the flags and the environment say.
type options struct {
	real    bool // against a real API
	baseURL string
	cc      *clientcredentials.Config
	owner   string
	verbose bool
}

// run is the program: it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return cli.Status(stderr, "quickstart", cli.Usage(err))
	}
	var log *slog.Logger
	if opts.verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.real {
		return cli.Status(stderr, "quickstart", realStory(ctx, stdout, opts, log))
	}
	return cli.Status(stderr, "quickstart", fakeStory(ctx, stdout, log))
}

// parseOptions reads the flags and, against a real API, the environment.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	fs := cli.NewFlagSet("quickstart", stderr, "quickstart [-v] [-base-url URL]",
		"It shows what apierr does, in a few plain lines: a token, a revoked token, a 429",
		"waited out, an exos concurrency error retried, a permanent error and how it matches.",
		"",
		"Without -base-url and TAPKEY_CLIENT_ID it runs against in-process fake APIs.",
		"With them it needs TAPKEY_CLIENT_ID, TAPKEY_CLIENT_SECRET and TAPKEY_OWNER_ID;",
		"TAPKEY_TOKEN_URL (default "+tapkeyTokenURL+") and TAPKEY_SCOPES are optional.")
	baseURL := fs.String("base-url", "", "run against the real Tapkey API at `URL` (e.g. "+tapkeyBaseURL+"), with credentials from TAPKEY_* variables")
	verbose := fs.Bool("v", false, "log attempts, waits and token requests to stderr")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	opts := options{baseURL: *baseURL, verbose: *verbose}
	opts.real = opts.baseURL != "" || getenv("TAPKEY_CLIENT_ID") != ""
	if !opts.real {
		return opts, nil
	}
	if opts.baseURL == "" {
		opts.baseURL = tapkeyBaseURL
	}
	if err := checkURL("-base-url", opts.baseURL); err != nil {
		return options{}, err
	}
	env := cli.Env{Getenv: getenv}
	opts.cc = &clientcredentials.Config{
		ClientID:     env.Need("TAPKEY_CLIENT_ID"),
		ClientSecret: env.Need("TAPKEY_CLIENT_SECRET"),
		TokenURL:     getenv("TAPKEY_TOKEN_URL"),
		Scopes:       strings.Fields(getenv("TAPKEY_SCOPES")),
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	opts.owner = env.Need("TAPKEY_OWNER_ID")
	if err := env.Missing("against a real API"); err != nil {
		return options{}, err
	}
	if opts.cc.TokenURL == "" {
		opts.cc.TokenURL = tapkeyTokenURL
	}
	if err := checkURL("TAPKEY_TOKEN_URL", opts.cc.TokenURL); err != nil {
		return options{}, err
	}
	if strings.ContainsAny(opts.owner, "/?#") {
		return options{}, errors.New("TAPKEY_OWNER_ID must be an owner account id, not a path")
	}
	return opts, nil
}

// checkURL reports a URL that is not absolute http or https.
func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s must be an absolute http(s) URL: %w", name, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an absolute http(s) URL, got %q", name, u.Redacted())
	}
	return nil
}
