package goodput

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScenarioValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Scenario
		want string
	}{
		{"not built by a constructor", Scenario{Name: "x"}, "not built by one of the scenario constructors"},
		{"no calls", LimitScenario(0, 8, 100, 10, time.Second), "needs at least one call"},
		{"no rate", LimitScenario(10, 8, 0, 10, time.Second), "needs a positive cut"},
		{"no workers", ConflictScenario(10, 0, 1, 1, time.Millisecond), "needs at least one worker"},
		{"no arrival rate", OutageScenario(0, time.Second, 0, time.Second, time.Second), "needs a positive arrival rate"},
		{"no duration", TokenScenario(4, 0, time.Second), "needs a positive duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.s, Clients()[0])
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "goodput: "), err.Error())
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second (nearest rank)", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 1..100 ms", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 1..100 ms", ms(hundred...), 0.5, 50 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func TestMedian(t *testing.T) {
	run := func(ok int, wall time.Duration, cut int, buckets ...Bucket) Result {
		return Result{Scenario: "limit", Client: "x", Runs: 1, CutRuns: cut, Calls: 100, OK: ok, Failed: 100 - ok,
			Wall: wall, Ideal: time.Second, Rejected: int64(100 - ok), Server: Bucket{Requests: int64(ok) * 2}, Buckets: buckets}
	}
	b1, b2, b3 := []Bucket{{OK: 1}}, []Bucket{{OK: 2}}, []Bucket{{OK: 3}}
	m := Median([]Result{run(90, 3*time.Second, 1, b3...), run(99, time.Second, 0, b1...), run(95, 2*time.Second, 0, b2...)})
	assert.Equal(t, 3, m.Runs)
	assert.Equal(t, 1, m.CutRuns, "cut runs are added up, not a median")
	assert.Equal(t, 95, m.OK)
	assert.Equal(t, 5, m.Failed)
	assert.Equal(t, 2*time.Second, m.Wall)
	assert.Equal(t, int64(5), m.Rejected)
	assert.Equal(t, int64(190), m.Server.Requests)
	assert.Equal(t, b2, m.Buckets, "the buckets of the run with the median wall time")

	even := Median([]Result{run(90, 4*time.Second, 0), run(99, time.Second, 0)})
	assert.Equal(t, 90, even.OK, "the lower middle of an even count")
	assert.Equal(t, time.Second, even.Wall)

	assert.Equal(t, Result{}, Median(nil))
}

func TestChecks(t *testing.T) {
	limit := LimitScenario(3000, 32, 200, 20, time.Second)
	pass := Result{Client: "a", Calls: 3000, OK: 2998, Wall: 17 * time.Second, Rejected: 150, Server: Bucket{Requests: 3150}}
	checks := limit.Checks(pass)
	require.Len(t, checks, 3)
	for _, c := range checks {
		assert.True(t, c.Pass, "%s: %s", c.Budget, c.Measured)
		assert.Equal(t, "limit", c.Scenario)
		assert.Equal(t, "a", c.Client)
	}
	assert.Equal(t, "≥ 99.9 % succeed", checks[0].Budget)
	assert.Equal(t, "99.93 %", checks[0].Measured)
	assert.Equal(t, "wall ≤ 1.15× 15.00 s", checks[1].Budget)
	assert.Equal(t, "1.13×", checks[1].Measured)
	assert.Equal(t, "429s ≤ 5 % of calls", checks[2].Budget)
	assert.Equal(t, "5.0 %", checks[2].Measured)

	miss := limit.Checks(Result{Calls: 3000, OK: 2996, Wall: 18 * time.Second, Rejected: 151})
	for _, c := range miss {
		assert.False(t, c.Pass, "%s: %s", c.Budget, c.Measured)
	}

	failFast := limit.Checks(Result{Calls: 3000, OK: 1045, Wall: 16600 * time.Millisecond})
	assert.False(t, failFast[1].Pass, "a batch that failed does not meet the time budget by failing fast")
	assert.Equal(t, "1.11× (only 34.8 % succeeded)", failFast[1].Measured)

	outage := OutageScenario(400, 10*time.Second, 4*time.Second, 2*time.Second, 5*time.Second)
	oc := outage.Checks(Result{Calls: 4000, OK: 3960, ArrivedInOutage: 1800, SentInOutage: 181})
	require.Len(t, oc, 2)
	assert.True(t, oc[0].Pass, "99 %% succeed: %s", oc[0].Measured)
	assert.False(t, oc[1].Pass, "181 of 1,800 is above 10 %%")
	assert.Equal(t, "10.1 % (181 of 1,800)", oc[1].Measured)

	conflicts := ConflictScenario(2000, 32, 8, 4, 5*time.Millisecond)
	cc := conflicts.Checks(Result{Calls: 2000, OK: 2000, Server: Bucket{Requests: 2500}})
	require.Len(t, cc, 2)
	assert.True(t, cc[0].Pass)
	assert.True(t, cc[1].Pass, "2,500 attempts is 1.25× exactly")
	assert.False(t, conflicts.Checks(Result{Calls: 2000, OK: 1999})[0].Pass, "one failure misses 100 %")

	assert.Empty(t, TokenScenario(64, 5*time.Second, 2*time.Second).Checks(pass), "no budget, no checks")
}

func TestWriteTable(t *testing.T) {
	limit := LimitScenario(3000, 32, 200, 20, time.Second)
	results := []Result{
		{Client: "apierr", Runs: 3, Calls: 3000, OK: 2999, Failed: 1, Rejected: 120, Server: Bucket{Requests: 3120},
			Wall: 15500 * time.Millisecond, P50: 150 * time.Millisecond, P99: 1200 * time.Millisecond},
		{Client: "go-retryablehttp", Runs: 3, CutRuns: 2, Calls: 3000, OK: 1213, Failed: 1787, Rejected: 4000,
			Server: Bucket{Requests: 5213}, Wall: 60 * time.Second, P50: 5 * time.Second, P99: 31 * time.Second},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteTable(&buf, limit, results))
	want := "### 200 req/s limit (burst 20), 429 + Retry-After: 1, 32 goroutines, 3,000 GETs — ideal 15.00 s — median of 3 runs\n" +
		"\n" +
		"| client | ok | failed | 429s | attempts (per call) | wall | × ideal | p50 | p99 |\n" +
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n" +
		"| apierr | 2,999 | 1 | 120 | 3,120 (1.04) | 15.50 s | 1.03× | 150 ms | 1.20 s |\n" +
		"| go-retryablehttp | 1,213 | 1,787 | 4,000 | 5,213 (1.74) | 60.00 s (2 of 3 runs cut) | 4.00× | 5.00 s | 31.00 s |\n" +
		"\n"
	assert.Equal(t, want, buf.String())

	buf.Reset()
	token := TokenScenario(64, 5*time.Second, 2*time.Second)
	require.NoError(t, WriteTable(&buf, token, []Result{{Client: "apierr", Runs: 1, Calls: 290000, OK: 290000,
		OKPerSecond: 57999.6, TokenRequests: 5, Server: Bucket{Requests: 290000}, P50: 900 * time.Microsecond, P99: 8 * time.Millisecond}}))
	assert.Contains(t, buf.String(), "| client | ok | failed | ok calls/s | token requests | 401s | attempts (per call) | p50 | p99 |\n")
	assert.Contains(t, buf.String(), "| apierr | 290,000 | 0 | 58,000 | 5 | 0 | 290,000 (1.00) | 0.90 ms | 8.0 ms |\n")
	assert.NotContains(t, buf.String(), "ideal", "a throughput scenario has no ideal")

	buf.Reset()
	outage := OutageScenario(400, 10*time.Second, 4*time.Second, 2*time.Second, 5*time.Second)
	require.NoError(t, WriteTable(&buf, outage, []Result{{Client: "resty", Runs: 1, Calls: 4000, OK: 3419, Failed: 581,
		Rejected: 2256, SentInOutage: 2256, ArrivedInOutage: 800, Server: Bucket{Requests: 6256}, Wall: 10200 * time.Millisecond}}))
	assert.Contains(t, buf.String(), "| client | ok | failed | 503s | attempts (per call) | sent in outage / due in it | wall | × ideal | p50 | p99 |\n")
	assert.Contains(t, buf.String(), "| resty | 3,419 | 581 | 2,256 | 6,256 (1.56) | 2,256 / 800 | 10.20 s | 1.02× | 0 | 0 |\n")
}

func TestWriteChecks(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteChecks(&buf, []Check{
		{Scenario: "limit", Client: "apierr", Budget: "≥ 99.9 % succeed", Measured: "100 %", Pass: true},
		{Scenario: "limit", Client: "resty", Budget: "≥ 99.9 % succeed", Measured: "95.2 %"},
	}))
	assert.Equal(t, "| scenario | client | budget | measured | result |\n|---|---|---|---:|---|\n"+
		"| limit | apierr | ≥ 99.9 % succeed | 100 % | pass |\n"+
		"| limit | resty | ≥ 99.9 % succeed | 95.2 % | miss |\n\n", buf.String())
}

func TestFormatting(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0", 420 * time.Microsecond: "0.42 ms", 5500 * time.Microsecond: "5.5 ms", 312 * time.Millisecond: "312 ms",
		15200 * time.Millisecond: "15.20 s", 125 * time.Second: "125 s",
	} {
		assert.Equal(t, want, formatDuration(d), d.String())
	}
	for d, want := range map[time.Duration]string{5 * time.Millisecond: "5 ms", 1500 * time.Millisecond: "1.5 s", 10 * time.Second: "10 s"} {
		assert.Equal(t, want, spaced(d))
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 58000: "58,000", 1234567: "1,234,567", -1234: "-1,234"} {
		assert.Equal(t, want, thousands(n))
	}
	for f, want := range map[float64]string{1: "100 %", 0: "0 %", 0.999: "99.90 %", 0.99999: "99.99 %", 0.05: "5.0 %", 0.1013: "10.1 %"} {
		assert.Equal(t, want, percent(f), f)
	}
}

func TestWriteChart(t *testing.T) {
	dir := t.TempDir()
	s := OutageScenario(400, 10*time.Second, 4*time.Second, 2*time.Second, 5*time.Second)
	buckets := make([]Bucket, 100)
	for i := range buckets {
		buckets[i] = Bucket{Requests: 40, OK: 40}
		if i >= 40 && i < 60 {
			buckets[i] = Bucket{Requests: 4, Unavailable: 4}
		}
	}
	results := []Result{{Client: "apierr", Buckets: buckets}, {Client: "resty", Buckets: buckets[:50]}}
	path := filepath.Join(dir, "outage.png")
	require.NoError(t, WriteChart(path, s, results))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	assert.Greater(t, b.Dy(), b.Dx()/2, "two panels stacked")

	assert.Error(t, WriteChart(filepath.Join(dir, "none.png"), s, nil))
	assert.Error(t, WriteChart(filepath.Join(dir, "no-such-dir", "x.png"), s, results))
}

func TestReadReport(t *testing.T) {
	rep := Report{Reps: 3, Scenarios: []ScenarioReport{{
		Name:    "conflicts",
		Medians: []Result{{Scenario: "conflicts", Client: "apierr", Runs: 3, Calls: 2000, OK: 2000, Server: Bucket{Requests: 2600}}},
		Checks:  []Check{{Budget: "stale", Pass: true}},
	}}}
	data, err := json.Marshal(rep)
	require.NoError(t, err)

	got, err := ReadReport(bytes.NewReader(data))
	require.NoError(t, err)
	require.Len(t, got.Scenarios, 1)
	s := got.Scenarios[0]
	assert.Equal(t, "conflicts", s.Scenario().Name, "the scenario is found by name")
	assert.Equal(t, 315*time.Millisecond, s.Scenario().Ideal)
	require.Len(t, s.Checks, 2, "the checks are made again, not read")
	assert.False(t, s.Checks[1].Pass, "2,600 attempts for 2,000 calls is 1.30×")

	var md bytes.Buffer
	require.NoError(t, got.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "| apierr | 2,000 | 0 | 0 | 2,600 (1.30) |")
	assert.Contains(t, md.String(), "| conflicts | apierr | attempts ≤ 1.25× calls | 1.30× | miss |")

	_, err = ReadReport(strings.NewReader(`{"scenarios":[{"name":"nope"}]}`))
	assert.EqualError(t, err, `goodput: reading a report: unknown scenario "nope"`)
	_, err = ReadReport(strings.NewReader(`{"scenarios":`))
	assert.ErrorContains(t, err, "goodput: reading a report: ")
}

func TestWriteSummary(t *testing.T) {
	limit := LimitScenario(3000, 32, 200, 20, time.Second)
	outage := OutageScenario(400, 10*time.Second, 4*time.Second, 2*time.Second, 5*time.Second)
	token := TokenScenario(64, 5*time.Second, 2*time.Second)
	rep := &Report{Scenarios: []ScenarioReport{
		{scenario: limit, Medians: []Result{
			{Client: "apierr", OK: 2999, Failed: 1, Wall: 15500 * time.Millisecond, Rejected: 120, Server: Bucket{Requests: 3120}},
			{Client: "resty", Runs: 3, OK: 1968, Failed: 1032, Wall: 60 * time.Second, CutRuns: 3, Rejected: 2123, Server: Bucket{Requests: 4135}},
		}},
		{scenario: outage, Medians: []Result{
			{Client: "apierr", OK: 3990, Failed: 10, SentInOutage: 40},
			{Client: "resty", OK: 3723, Failed: 277, SentInOutage: 2179},
		}},
		{scenario: token, Medians: []Result{
			{Client: "apierr", OKPerSecond: 58000.4, TokenRequests: 5},
			{Client: "resty + oauth2 client", OKPerSecond: 16000, TokenRequests: 80000},
		}},
	}}
	var buf bytes.Buffer
	require.NoError(t, rep.WriteSummary(&buf))
	assert.Equal(t, "| scenario | apierr | resty | the limit |\n|---|---|---|---|\n"+
		"| limit | 2,999 ok, 1 failed in 15.50 s, 120 429s, 3,120 attempts | 1,968 ok, 1,032 failed in 60.00 s (cut), 2,123 429s, 4,135 attempts | 3,000 ok in 15.00 s, 3,000 attempts |\n"+
		"| outage | 3,990 ok, 10 failed, 40 sent in the outage | 3,723 ok, 277 failed, 2,179 sent in the outage | 4,000 ok, none sent in the outage |\n"+
		"| token | 58,000 ok/s, 5 token requests | 16,000 ok/s, 80,000 token requests | — |\n\n", buf.String())

	buf.Reset()
	require.NoError(t, (&Report{}).WriteSummary(&buf))
	assert.Empty(t, buf.String())
}
