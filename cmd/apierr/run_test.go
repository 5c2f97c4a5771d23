package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRun runs the command in-process: arguments and stdin in, stdout,
// stderr and exit status out.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		stdin     string
		code      int
		stdout    []string // each must appear in stdout
		stderr    []string // each must appear in stderr
		noStdout  bool
		notStdout []string
	}{
		{name: "no arguments", code: 2, stderr: []string{"Usage:", "apierr explain CODE"}, noStdout: true},
		{name: "unknown command", args: []string{"lookup"}, code: 2, stderr: []string{`unknown command "lookup"`}},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"apierr codes"}},
		{name: "explain -h", args: []string{"explain", "-h"}, code: 0, stdout: []string{"Usage: apierr explain CODE", "Examples:", "apierr explain 400241", "Exit status"}},
		{name: "decode --help", args: []string{"decode", "--help"}, code: 0, stdout: []string{"Usage: apierr decode", "Examples:", "curl -si"}},
		{name: "codes -h", args: []string{"codes", "-h"}, code: 0, stdout: []string{"Usage: apierr codes", "Examples:", "--applied"}},

		{name: "explain exos concurrency", args: []string{"explain", "400241"}, code: 0,
			stdout: []string{"exos 400241 (ConcurrencyError)", "400 Bad Request", "concurrency: GET and POST retried", "a fresh attempt after a short pause"}},
		{name: "explain flags after the code", args: []string{"explain", "400241", "--api", "exos"}, code: 0, stdout: []string{"exos 400241"}},
		{name: "explain in another API", args: []string{"explain", "--api", "entrecode", "400241"}, code: 1, stderr: []string{`"400241" is not documented in entrecode`}, noStdout: true},
		{name: "explain undocumented", args: []string{"explain", "999"}, code: 1, stderr: []string{`"999" is not documented in any API`}, noStdout: true},
		{name: "explain without a code", args: []string{"explain"}, code: 2, stderr: []string{"want one CODE, got 0"}},
		{name: "explain two codes", args: []string{"explain", "1", "2"}, code: 2, stderr: []string{"want one CODE, got 2"}},
		{name: "explain unknown api", args: []string{"explain", "--api", "nope", "1"}, code: 2, stderr: []string{`unknown API "nope"`}},
		{name: "explain unknown flag", args: []string{"explain", "--bogus", "1"}, code: 2, stderr: []string{"flag provided but not defined: -bogus", "Usage: apierr explain"}},
		{name: "explain api name in any case", args: []string{"explain", "--api", "EXOS", "405"}, code: 0, stdout: []string{"exos 405 (MethodNotAllowed)"}},
		{name: "explain entrecode family", args: []string{"explain", "202"}, code: 0,
			stdout: []string{"entrecode 202 (MissingPropertyInQueryString)", "family x202: matches 1202, 2202, 3202"}},
		{name: "explain entrecode system code", args: []string{"explain", "2202"}, code: 0, stdout: []string{"entrecode 2202 (MissingPropertyInQueryString)", "the Data Manager's 202"}},
		{name: "explain entrecode undocumented family", args: []string{"explain", "2999"}, code: 1},
		{name: "explain exos stray row", args: []string{"explain", "405"}, code: 0,
			stdout: []string{"exos 405 (MethodNotAllowed)", "a stray three-digit row"}, notStdout: []string{"entrecode"}},
		{name: "explain usta parent", args: []string{"explain", "2006"}, code: 0, stdout: []string{"usta 2006 (EntitySavingError)", "refined by 200601, 200602"}},
		{name: "explain usta refinement", args: []string{"explain", "200601"}, code: 0, stdout: []string{"usta 200601 (USPTANumberNotUnique)", "refines 2006"}},
		{name: "explain usta undocumented refinement", args: []string{"explain", "200699"}, code: 0,
			stdout: []string{"usta 200699 (EntitySavingError)", "an undocumented refinement of 2006", "documented   no"}},
		{name: "explain by name, any case", args: []string{"explain", "DUPLICATE"}, code: 0, stdout: []string{"tapkey Duplicate (Duplicate)", "applied      no"}},
		{name: "explain a name in two APIs", args: []string{"explain", "methodnotallowed"}, code: 0, stdout: []string{"exos 405 (MethodNotAllowed)", "entrecode 110 (MethodNotAllowed)"}},
		{name: "explain applied", args: []string{"explain", "400026"}, code: 0, stdout: []string{"applied      yes: blocking a person who is already blocked"}},
		{name: "explain permission", args: []string{"explain", "2410"}, code: 0, stdout: []string{"401 Unauthorized", "permission   yes: documented as 401"}},
		{name: "explain negative", args: []string{"explain", "--", "-1"}, code: 1},
		{name: "explain json nothing", args: []string{"explain", "--json", "1"}, code: 1, stdout: []string{"[]"}},

		{name: "codes", args: []string{"codes"}, code: 0, stdout: []string{"API", "100000", "ValidationError", "entrecode", "usta", "tapkey", "InsufficientAccountLevel"}},
		{name: "codes of one api", args: []string{"codes", "--api", "usta"}, code: 0, stdout: []string{"usta  2006 "}, notStdout: []string{"exos"}},
		{name: "codes by class", args: []string{"codes", "--retry", "concurrency"}, code: 0, stdout: []string{"400241", "373"}, notStdout: []string{"400026"}},
		{name: "codes applied", args: []string{"codes", "--applied"}, code: 0, stdout: []string{"400026", "400011", "applied"}, notStdout: []string{"400036", "Duplicate"}},
		{name: "codes permission", args: []string{"codes", "--permission", "--api", "entrecode"}, code: 0, stdout: []string{"410", "permission"}},
		{name: "codes none applied", args: []string{"codes", "--api", "tapkey", "--applied"}, code: 1, stderr: []string{"no code matches"}},
		{name: "codes bad class", args: []string{"codes", "--retry", "sometimes"}, code: 2, stderr: []string{`unknown retry class "sometimes"`}},
		{name: "codes stray argument", args: []string{"codes", "exos"}, code: 2, stderr: []string{`unexpected arguments ["exos"]`}},

		{name: "decode a body from stdin", args: []string{"decode", "--status", "409"}, stdin: `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant"}`, code: 0,
			stdout: []string{"tapkey (detected)", "409 Conflict", "Duplicate", "never: not retried"}},
		{name: "decode raw http", args: []string{"decode", "-"}, stdin: "HTTP/1.1 400 Bad Request\nContent-Type: application/json\nX-Request-Id: r1\n\n{\"ErrorCode\":400241}", code: 0,
			stdout: []string{"exos (detected)", "400241 (ConcurrencyError)", "r1", "concurrency: GET and POST retried"}},
		{name: "decode with --api", args: []string{"decode", "--api", "usta", "--status", "400"}, stdin: `{"errorCode":2006,"message":"entity saving error"}`, code: 0,
			stdout: []string{"usta (--api usta)", "2006 (EntitySavingError)"}},
		{name: "decode as rfc 9457", args: []string{"decode", "--api", "problem", "--status", "403"}, stdin: `{"type":"https://example.com/probs/out-of-credit","title":"no credit"}`, code: 0,
			stdout: []string{"generic (--api problem)", "https://example.com/probs/out-of-credit"}},
		{name: "decode empty", args: []string{"decode"}, code: 1, stderr: []string{"the input is empty"}},
		{name: "decode missing file", args: []string{"decode", "/nonexistent/capture.txt"}, code: 2, stderr: []string{"no such file"}},
		{name: "decode two files", args: []string{"decode", "a", "b"}, code: 2, stderr: []string{"want at most one FILE"}},
		{name: "decode bad status", args: []string{"decode", "--status", "42"}, code: 2, stderr: []string{"--status 42: want 100-599"}},
		{name: "decode bad api", args: []string{"decode", "--api", "soap"}, code: 2, stderr: []string{`unknown API "soap"`, "problem"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runWith(strings.NewReader(tc.stdin), tc.args...)
			assert.Equal(t, tc.code, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, s := range tc.stdout {
				assert.Contains(t, r.stdout, s)
			}
			for _, s := range tc.notStdout {
				assert.NotContains(t, r.stdout, s)
			}
			for _, s := range tc.stderr {
				assert.Contains(t, r.stderr, s)
			}
			if tc.noStdout {
				assert.Empty(t, r.stdout)
			}
			if tc.code == 0 {
				assert.Empty(t, r.stderr)
			}
		})
	}
}
