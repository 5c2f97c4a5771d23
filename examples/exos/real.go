package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/accessapi/apierr"
)

// errUsage marks a problem with the flags or the environment: exit 2.
var errUsage = errors.New("usage")

// parseOptions reads the flags and, with -base-url, the EXOS_* variables.
// An empty baseURL means: run against the fake.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (string, apierr.ExosSession, error) {
	var s apierr.ExosSession
	fs := flag.NewFlagSet("exos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("base-url", "", "a real exos API, such as https://exos.example/ExosApi/api/v1.1 (credentials from EXOS_* variables)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: exos [-base-url URL]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "Without -base-url it runs against an in-process fake exos API.")
		fmt.Fprintln(stderr, "With it: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD and EXOS_TENANT_ID (EXOS_LEGACY=1: legacy login, no tenant);")
		fmt.Fprintln(stderr, "EXOS_LOGIN_URL and EXOS_LOGOUT_URL override the default paths.")
	}
	if err := fs.Parse(args); err != nil {
		return "", s, err
	}
	if fs.NArg() > 0 {
		return "", s, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	if *baseURL == "" {
		if getenv("EXOS_API_KEY") != "" {
			return "", s, errors.New("EXOS_API_KEY is set: give -base-url too (exos runs on premises: there is no default)")
		}
		return "", s, nil
	}
	if u, err := url.Parse(*baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", s, errors.New("-base-url must be an absolute http(s) URL")
	}
	var missing []string
	need := func(name string) string {
		v := getenv(name)
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
		return v
	}
	s.APIKey, s.UserName, s.Password = need("EXOS_API_KEY"), need("EXOS_USER"), need("EXOS_PASSWORD")
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
		tenant = need("EXOS_TENANT_ID")
	}
	if len(missing) > 0 {
		return "", s, fmt.Errorf("with -base-url these variables must be set: %s", strings.Join(missing, ", "))
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
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	defer client.Close()
	fmt.Fprintln(out, "exos example: the exos API at "+baseURL)
	err = call(ctx, client, "GET", "persons/apierr-example-no-such-person", nil, nil)
	show(out, "GET persons/apierr-example-no-such-person", err)
	if !errors.Is(err, apierr.ErrNotFound) {
		return errors.New("expected a 404 for a person that does not exist")
	}
	fmt.Fprintf(out, "Close: %v (logged out)\n", client.Close())
	return nil
}
