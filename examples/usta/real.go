package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/examples/internal/cli"
	"golang.org/x/oauth2/clientcredentials"
)

// parseOptions reads the flags and, with -base-url, the USTA_* variables.
// An empty baseURL means: run against the fake.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (string, *clientcredentials.Config, error) {
	fs := cli.NewFlagSet("usta", stderr, "usta [-base-url URL]",
		"It shows the USTA API through apierr: client credentials, a new token after a 401,",
		"and a switch over USTA codes, where 200601 matches its parent 2006.",
		"",
		"Without -base-url it runs against an in-process fake USTA API.",
		"With it: USTA_CLIENT_ID, USTA_CLIENT_SECRET and USTA_TOKEN_URL; USTA_SCOPES (space-separated) is optional.")
	baseURL := fs.String("base-url", "", "a real USTA API at `URL`, such as https://api.example/v1 (credentials from USTA_* variables)")
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if *baseURL == "" {
		if getenv("USTA_CLIENT_ID") != "" {
			return "", nil, errors.New("USTA_CLIENT_ID is set: give -base-url too")
		}
		return "", nil, nil
	}
	env := cli.Env{Getenv: getenv}
	cc := &clientcredentials.Config{
		ClientID:     env.Need("USTA_CLIENT_ID"),
		ClientSecret: env.Need("USTA_CLIENT_SECRET"),
		TokenURL:     env.Need("USTA_TOKEN_URL"),
		Scopes:       strings.Fields(getenv("USTA_SCOPES")),
	}
	if err := env.Missing("with -base-url"); err != nil {
		return "", nil, err
	}
	if err := cli.CheckURL("-base-url", *baseURL); err != nil {
		return "", nil, err
	}
	if err := cli.CheckURL("USTA_TOKEN_URL", cc.TokenURL); err != nil {
		return "", nil, err
	}
	return *baseURL, cc, nil
}

// realStory asks a real USTA API for an entity that does not exist: it gets
// a token, shows the error through the same switch, and changes nothing.
func realStory(ctx context.Context, out io.Writer, baseURL string, cc *clientcredentials.Config) error {
	client, err := newClient(baseURL, cc)
	if err != nil {
		return fmt.Errorf("%w: %w", cli.ErrUsage, err)
	}
	defer client.Close()
	fmt.Fprintln(out, "usta example: the USTA API at "+baseURL)
	err = cli.Call(ctx, client, "GET", "entities/apierr-example-no-such-entity", nil, nil)
	show(out, "GET entities/apierr-example-no-such-entity", err)
	if !errors.Is(err, apierr.ErrNotFound) {
		return errors.New("expected a 404 for an entity that does not exist")
	}
	return nil
}
