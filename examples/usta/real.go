package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/accessapi/apierr"
	"golang.org/x/oauth2/clientcredentials"
)

// errUsage marks a problem with the flags or the environment: exit 2.
var errUsage = errors.New("usage")

// parseOptions reads the flags and, with -base-url, the USTA_* variables.
// An empty baseURL means: run against the fake.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (string, *clientcredentials.Config, error) {
	fs := flag.NewFlagSet("usta", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("base-url", "", "a real USTA API, such as https://api.example/v1 (credentials from USTA_* variables)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: usta [-base-url URL]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "Without -base-url it runs against an in-process fake USTA API.")
		fmt.Fprintln(stderr, "With it: USTA_CLIENT_ID, USTA_CLIENT_SECRET and USTA_TOKEN_URL; USTA_SCOPES (space-separated) is optional.")
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	if *baseURL == "" {
		if getenv("USTA_CLIENT_ID") != "" {
			return "", nil, errors.New("USTA_CLIENT_ID is set: give -base-url too")
		}
		return "", nil, nil
	}
	var missing []string
	need := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	cc := &clientcredentials.Config{
		ClientID:     need("USTA_CLIENT_ID"),
		ClientSecret: need("USTA_CLIENT_SECRET"),
		TokenURL:     need("USTA_TOKEN_URL"),
		Scopes:       strings.Fields(getenv("USTA_SCOPES")),
	}
	if len(missing) > 0 {
		return "", nil, fmt.Errorf("with -base-url these variables must be set: %s", strings.Join(missing, ", "))
	}
	for _, v := range [][2]string{{"-base-url", *baseURL}, {"USTA_TOKEN_URL", cc.TokenURL}} {
		if u, err := url.Parse(v[1]); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", nil, fmt.Errorf("%s must be an absolute http(s) URL", v[0])
		}
	}
	return *baseURL, cc, nil
}

// realStory asks a real USTA API for an entity that does not exist: it gets
// a token, shows the error through the same switch, and changes nothing.
func realStory(ctx context.Context, out io.Writer, baseURL string, cc *clientcredentials.Config) error {
	client, err := newClient(baseURL, cc)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	defer client.Close()
	fmt.Fprintln(out, "usta example: the USTA API at "+baseURL)
	err = call(ctx, client, "GET", "entities/apierr-example-no-such-entity", nil, nil)
	show(out, "GET entities/apierr-example-no-such-entity", err)
	if !errors.Is(err, apierr.ErrNotFound) {
		return errors.New("expected a 404 for an entity that does not exist")
	}
	return nil
}
