package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown scenario", []string{"-scenarios", "limit,nope"}, `-scenarios: unknown name "nope"`},
		{"unknown client", []string{"-clients", "curl"}, `-clients: unknown name "curl"`},
		{"no repetitions", []string{"-reps", "0"}, "-reps must be at least 1, not 0"},
		{"unknown flag", []string{"-fast"}, "flag provided but not defined: -fast"},
		{"an argument", []string{"limit"}, `unexpected argument "limit"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tc.args, &stdout, &stderr)
			require.Error(t, err)
			var usage usageError
			assert.True(t, errors.As(err, &usage), "%v is a usage error (exit status 2)", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, stdout.String(), "nothing runs")
		})
	}
}

// The command end to end on its quickest full-scale scenario: the table on
// stdout, a progress line per run on stderr, the JSON in -out.
func TestRunConflicts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2,000 POSTs")
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-scenarios", "conflicts", "-clients", "apierr,resty", "-reps", "1", "-out", dir}, &stdout, &stderr))

	out := stdout.String()
	assert.Contains(t, out, "### exos 400241 when > 4 in flight per person (8 persons, 5 ms a write), 32 goroutines, 2,000 POSTs — ideal 315 ms\n")
	assert.Contains(t, out, "\n| apierr | ")
	assert.Contains(t, out, "\n| resty | ")
	assert.NotContains(t, out, "go-retryablehttp", "only the clients asked for")
	assert.Contains(t, out, "### Budgets (DESIGN.md)")
	if _, err := os.Stat("/proc/loadavg"); err == nil {
		assert.Regexp(t, `load average \(1, 5, 15 min\): [0-9.]+ [0-9.]+ [0-9.]+ at the start, [0-9.]+ [0-9.]+ [0-9.]+ at the end`, out)
	}
	assert.Contains(t, out, "wrote "+filepath.Join(dir, "goodput.json"))
	assert.Equal(t, 2, strings.Count(stderr.String(), "run 1/1 conflicts"), stderr.String())

	data, err := os.ReadFile(filepath.Join(dir, "goodput.json"))
	require.NoError(t, err)
	var report struct {
		Reps      int
		Scenarios []struct {
			Name    string
			Medians []struct {
				Client string
				Calls  int
				OK     int `json:"ok"`
				Server struct {
					Requests int64
				}
			}
			Checks []struct{ Budget string }
		}
	}
	require.NoError(t, json.Unmarshal(data, &report))
	assert.Equal(t, 1, report.Reps)
	require.Len(t, report.Scenarios, 1)
	s := report.Scenarios[0]
	assert.Equal(t, "conflicts", s.Name)
	require.Len(t, s.Medians, 2)
	for _, m := range s.Medians {
		assert.Equal(t, 2000, m.Calls, m.Client)
		assert.Positive(t, m.OK, m.Client)
		assert.GreaterOrEqual(t, m.Server.Requests, int64(m.OK), m.Client)
	}
	assert.Len(t, s.Checks, 4, "two budgets for each of two clients")
	_, err = os.Stat(filepath.Join(dir, "goodput-limit.png"))
	assert.True(t, os.IsNotExist(err), "no chart for a scenario not run")
}

// -from prints the table of a saved report and draws its charts again.
func TestRedraw(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "goodput.json")
	report := `{"reps":1,"scenarios":[{"name":"outage","medians":[{"scenario":"outage","client":"apierr","runs":1,` +
		`"calls":4000,"ok":3990,"failed":10,"wall_ns":10000000000,"arrived_in_outage":800,"sent_in_outage":40,` +
		`"server":{"requests":4030,"ok":3990,"unavailable_503":40},"rejected":40,` +
		`"buckets":[{"requests":40,"ok":40},{"requests":2,"unavailable_503":2}]}]}]}`
	require.NoError(t, os.WriteFile(saved, []byte(report), 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-from", saved, "-out", dir}, &stdout, &stderr))
	out := stdout.String()
	assert.Contains(t, out, "| apierr | 3,990 | 10 | 40 | 4,030 (1.01) | 40 / 800 | 10.00 s | 1.00× |")
	assert.Contains(t, out, "| outage | apierr | ≥ 99 % succeed | 99.75 % | pass |")
	assert.Contains(t, out, "| outage | apierr | sent during the outage ≤ 10 % of the calls due in it | 5.0 % (40 of 800) | pass |")
	assert.Contains(t, out, "wrote "+filepath.Join(dir, "goodput-outage.png"))
	_, err := os.Stat(filepath.Join(dir, "goodput-outage.png"))
	assert.NoError(t, err)
	assert.Empty(t, stderr.String(), "nothing was run")

	err = run([]string{"-from", filepath.Join(dir, "missing.json")}, &stdout, &stderr)
	assert.Error(t, err)
}
