package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/examples/internal/clitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// program is run as the tests call it.
func program(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return run(context.Background(), args, getenv, stdout, stderr)
}

func TestExosStory(t *testing.T) {
	out := clitest.Story(t, program, nil, nil,
		`^GET persons: 1 person\(s\) \(logins: 1\)$`,
		`^session expired: .*replayed: ok \(logins: 2\)$`,
		`^POST assignAccessRight \(3 attempts, 2 concurrency errors retried\): ok$`,
		`^POST assignAccessRight again: already assigned: nothing to do\n +status 400, code 400011, title "Access right already assigned \(AR-1\)"`,
		`^POST assignAccessRight AR-2: still changed by someone else after every retry: reload and try again\n +status 400, code 400241, .*attempts 8\n +documented: Concurrency-Error.*\(retry class concurrency\)`,
		`^GET persons/P-9: no such person: check the id\n +status 404, code 400001,`,
		`^POST persons: server error: .*\n +status 500, code 400245, title "Missing clientId", detail "", attempts 1$`,
		`^second client: GET persons: exos refuses logins for now: try later\n +status 403, code 300007,`,
		`^Close: <nil> \(logouts: 1; logins: 3, one of them refused\)$`,
	)
	assert.NotContains(t, out, apierrtest.DefaultPassword)
	assert.NotContains(t, out, apierrtest.DefaultAPIKey)
}

// The real-API mode, pointed at a fake: both login generations, paths
// resolved against the base URL, a logout at the end.
func TestExosRealModeAgainstAFake(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "4.3.3+", true: "legacy"}[legacy], func(t *testing.T) {
			srv := apierrtest.NewExos()
			defer srv.Close()
			c := srv.Credentials()
			vars := map[string]string{"EXOS_API_KEY": c.APIKey, "EXOS_USER": c.UserName, "EXOS_PASSWORD": c.Password, "EXOS_TENANT_ID": "7"}
			if legacy {
				vars = map[string]string{"EXOS_API_KEY": c.APIKey, "EXOS_USER": c.UserName, "EXOS_PASSWORD": c.Password, "EXOS_LEGACY": "1"}
			}
			out := clitest.Story(t, program, []string{"-base-url", srv.URL() + "/ExosApi/api/v1.1"}, vars,
				`^exos example: the exos API at http://127\.0\.0\.1:\d+/ExosApi/api/v1\.1$`,
				`^GET persons/apierr-example-no-such-person: no such person: check the id\n +status 404, code 400001,`,
				`^Close: <nil> \(logged out\)$`,
			)
			assert.Equal(t, 1, srv.Logins())
			assert.Equal(t, 1, srv.Logouts())
			assert.Equal(t, 1, srv.Requests()-srv.Logouts(), "one API call besides the logout")
			assert.NotContains(t, out, c.Password)
		})
	}
}

func TestExosUsage(t *testing.T) {
	full := map[string]string{"EXOS_API_KEY": "k", "EXOS_USER": "u", "EXOS_PASSWORD": "s3cret", "EXOS_TENANT_ID": "1"}
	base := []string{"-base-url", "https://exos.example/ExosApi/api/v1.1"}
	clitest.Usage(t, "exos", program, []clitest.UsageCase{
		{Name: "key without base URL", Vars: full, Code: 2, Want: "exos: EXOS_API_KEY is set: give -base-url too"},
		{Name: "base URL without credentials", Args: base, Code: 2, Want: "exos: with -base-url these variables must be set: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD, EXOS_TENANT_ID"},
		{Name: "legacy needs no tenant", Args: base, Vars: map[string]string{"EXOS_LEGACY": "1"}, Code: 2, Want: "must be set: EXOS_API_KEY, EXOS_USER, EXOS_PASSWORD\n"},
		{Name: "bad tenant", Args: base, Vars: clitest.With(full, "EXOS_TENANT_ID", "one"), Code: 2, Want: "exos: EXOS_TENANT_ID must be a whole number"},
		{Name: "relative base URL", Args: []string{"-base-url", "exos.example/api"}, Vars: full, Code: 2, Want: "exos: -base-url must be an absolute http(s) URL"},
		{Name: "credentials over plain http", Args: []string{"-base-url", "http://exos.example/ExosApi/api/v1.1"}, Vars: full, Code: 2, Want: "plain http"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Want: "EXOS_TENANT_ID"},
	}, "s3cret")
}

func TestExosConventions(t *testing.T) {
	clitest.Conventions(t, "exos", program, "base-url")
}
