package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/examples/internal/cli"
)

// parseOptions reads the flags and, with -base-url, the EXOS_* variables.
// An empty baseURL means: run against the fake.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (string, apierr.ExosSession, error) {
	var s apierr.ExosSession
	fs := cli.NewFlagSet("exos", stderr, "exos [-base-url URL]",
		"It shows the dormakaba exos 9300 API through apierr: a login session, retries of",
		"concurrency errors, and a switch over exos's six-digit codes.",
		"",
		"Without -base-url it runs against an in-process fake exos API.",
		"With it: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD and EXOS_TENANT_ID (EXOS_LEGACY=1: legacy login, no tenant);",
		"EXOS_LOGIN_URL and EXOS_LOGOUT_URL override the default paths.")
	baseURL := fs.String("base-url", "", "a real exos API at `URL`, such as https://exos.example/ExosApi/api/v1.1 (credentials from EXOS_* variables)")
	if err := fs.Parse(args); err != nil {
		return "", s, err
	}
	if *baseURL == "" {
		if getenv("EXOS_API_KEY") != "" {
			return "", s, errors.New("EXOS_API_KEY is set: give -base-url too (exos runs on premises: there is no default)")
		}
		return "", s, nil
	}
	if err := cli.CheckURL("-base-url", *baseURL); err != nil {
		return "", s, err
	}
	env := cli.Env{Getenv: getenv}
	s.APIKey, s.UserName, s.Password = env.NeedExact("EXOS_API_KEY"), env.NeedExact("EXOS_USER"), env.NeedExact("EXOS_PASSWORD")
	s.Legacy = getenv("EXOS_LEGACY") == "1"
	s.LoginURL, s.LogoutURL = getenv("EXOS_LOGIN_URL"), getenv("EXOS_LOGOUT_URL")
	if s.LoginURL == "" {
		s.LoginURL = "/ExosAuth/api/v1/login" // resolved against the base URL
		if s.Legacy {
			s.LoginURL = "/ExosApiLogin/api/v1.0/login"
		}
	}
	if s.LogoutURL == "" {
		s.LogoutURL = "/ExosApi/api/v1.0/logins/logoutMyself"
	}
	var tenant string
	if !s.Legacy {
		tenant = env.NeedExact("EXOS_TENANT_ID")
	}
	if err := env.Missing("with -base-url"); err != nil {
		return "", s, err
	}
	if tenant != "" {
		var err error
		if s.TenantID, err = strconv.Atoi(tenant); err != nil || s.TenantID < 0 {
			return "", s, errors.New("EXOS_TENANT_ID must be a whole number")
		}
	}
	return *baseURL, s, nil
}

// realStory asks a real exos API for a person that does not exist: it logs
// in, shows the error through the same switch, and logs out. It changes
// nothing.
func realStory(ctx context.Context, out io.Writer, baseURL string, s apierr.ExosSession) error {
	client, err := newClient(baseURL, s)
	if err != nil {
		return fmt.Errorf("%w: %w", cli.ErrUsage, err)
	}
	defer client.Close()
	fmt.Fprintln(out, "exos example: the exos API at "+baseURL)
	err = cli.Call(ctx, client, "GET", "persons/apierr-example-no-such-person", nil, nil)
	show(out, "GET persons/apierr-example-no-such-person", err)
	if !errors.Is(err, apierr.ErrNotFound) {
		return errors.New("expected a 404 for a person that does not exist")
	}
	fmt.Fprintf(out, "Close: %v (logged out)\n", client.Close())
	return nil
}
