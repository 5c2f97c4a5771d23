package goodput

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios at a scale of about a second each, so that every client
// runs every scenario in the module's test run. What is checked is the
// harness's bookkeeping — what the callers saw against what the servers
// counted, and that each server enforces its rule — not the clients'
// performance: a loaded CI machine makes that a matter of the full runs.

// runEach runs s with every client, each in a parallel subtest against a
// server of its own, and hands the result to check.
func runEach(t *testing.T, s Scenario, check func(t *testing.T, r Result)) {
	t.Helper()
	for _, c := range Clients() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			r, err := Run(context.Background(), s, c)
			require.NoError(t, err)
			t.Logf("%s: ok %d/%d, server %+v, token requests %d, wall %v", r.Client, r.OK, r.Calls, r.Server, r.TokenRequests, r.Wall)
			checkCommon(t, s, r)
			check(t, r)
		})
	}
}

// checkCommon holds for every scenario.
func checkCommon(t *testing.T, s Scenario, r Result) {
	t.Helper()
	assert.Equal(t, s.Name, r.Scenario)
	assert.Equal(t, 1, r.Runs)
	assert.Equal(t, r.Calls, r.OK+r.Failed, "every call either succeeded or failed")
	assert.Positive(t, r.OK, "some calls get through whatever the client")
	// A call succeeds only on a 2xx that the server sent; a 2xx the caller
	// gave up on (a cut, a deadline) is the only way they differ.
	assert.LessOrEqual(t, int64(r.OK), r.Server.OK)
	if r.CutRuns == 0 && r.Failed == 0 {
		assert.Equal(t, int64(r.OK), r.Server.OK)
	}
	assert.GreaterOrEqual(t, r.Server.Requests, int64(r.OK), "attempts include every success")
	assert.Equal(t, r.Server, Total(r.Buckets), "the totals are the buckets' sums")
	assert.Equal(t, s.rejected(r.Server), r.Rejected)
	assert.LessOrEqual(t, r.P50, r.P99)
	assert.Positive(t, r.Wall)
}

func TestScenarioLimit(t *testing.T) {
	for _, retryAfter := range []time.Duration{time.Second, 0} {
		s := LimitScenario(60, 8, 100, 10, retryAfter)
		t.Run(s.Name, func(t *testing.T) {
			require.Equal(t, 600*time.Millisecond, s.Ideal, "60 calls at 100 a second")
			runEach(t, s, func(t *testing.T, r Result) {
				assert.Equal(t, 60, r.Calls)
				assert.Equal(t, r.Server.Requests, r.Server.OK+r.Server.Throttled, "the limiter answers 200 or 429, nothing else")
				// The token bucket admits its burst, then 100 a second.
				limit := 10 + 100*(r.Wall+200*time.Millisecond).Seconds()
				assert.LessOrEqual(t, float64(r.Server.OK), limit, "the server let more through than its limit")
				if r.CutRuns == 0 {
					assert.GreaterOrEqual(t, r.Wall, 450*time.Millisecond, "60 calls cannot finish before the limit admits 50 after the burst")
				}
			})
		})
	}
}

func TestScenarioConflicts(t *testing.T) {
	// One person, 2 writes at a time, 8 writers: conflicts are certain.
	s := ConflictScenario(48, 8, 1, 2, 3*time.Millisecond)
	s.Cut = 4 * time.Second
	require.Equal(t, 72*time.Millisecond, s.Ideal, "24 rounds of 2 writes, 3 ms each")
	runEach(t, s, func(t *testing.T, r Result) {
		assert.Equal(t, 48, r.Calls)
		assert.Positive(t, r.Server.Conflict, "8 writers on one person, 2 admitted at a time")
		assert.Equal(t, r.Server.Requests, r.Server.OK+r.Server.Conflict, "the server answers 201 or 400241, nothing else")
		// Without retries every conflict would be a failed call.
		assert.Less(t, int64(r.Failed), r.Server.Conflict, "conflicts were retried")
		if r.CutRuns == 0 {
			// Each conflict is followed by one more attempt, except the
			// last of a call that gave up.
			assert.Equal(t, int64(r.Calls)+r.Server.Conflict-int64(r.Failed), r.Server.Requests)
		}
	})
}

func TestScenarioOutage(t *testing.T) {
	s := OutageScenario(100, 1500*time.Millisecond, 500*time.Millisecond, 400*time.Millisecond, 2*time.Second)
	runEach(t, s, func(t *testing.T, r Result) {
		assert.Equal(t, 150, r.Calls, "100 a second for 1.5 s")
		assert.Equal(t, 40, r.ArrivedInOutage, "calls due at 500, 510, … 890 ms")
		assert.Equal(t, r.Server.Unavailable, r.SentInOutage, "every request during the outage gets a 503")
		assert.Positive(t, r.SentInOutage, "calls arrive during the outage and are sent at least once")
		assert.Equal(t, r.Server.Requests, r.Server.OK+r.Server.Unavailable, "the server answers 200 or 503, nothing else")
		// The outage shows in the buckets: none of the 503s before it.
		before := Total(r.Buckets[:min(len(r.Buckets), 5)])
		assert.Zero(t, before.Unavailable, "503s in the first 500 ms")
	})
}

func TestScenarioToken(t *testing.T) {
	s := TokenScenario(8, 1500*time.Millisecond, time.Second)
	runEach(t, s, func(t *testing.T, r Result) {
		assert.Zero(t, r.Server.Unauthorized, "every request carried a live token")
		assert.Equal(t, r.Server.Requests, r.Server.OK)
		assert.Positive(t, r.TokenRequests)
		assert.InDelta(t, float64(r.OK)/r.Wall.Seconds(), r.OKPerSecond, 1e-6)
		if r.Client == "apierr" {
			// 1 s tokens over 1.5 s, renewed ahead of expiry: a handful.
			assert.LessOrEqual(t, r.TokenRequests, int64(6), "apierr caches its token")
		}
	})
}

func TestScenariosFullScale(t *testing.T) {
	// The figures DESIGN.md's budgets name; the full runs use these.
	all := Scenarios()
	require.Len(t, all, 5)
	byName := map[string]Scenario{}
	for _, s := range all {
		byName[s.Name] = s
	}
	require.Len(t, byName, 5, "names are unique")

	limit := byName["limit"]
	assert.Equal(t, 3000, limit.Calls)
	assert.Equal(t, 32, limit.Workers)
	assert.Equal(t, 15*time.Second, limit.Ideal, "3,000 calls at 200 a second")
	assert.Equal(t, Budget{MinSuccess: 0.999, MaxWallRatio: 1.15, MaxRejected: 0.05}, limit.Budget)
	assert.Equal(t, Budget{MinSuccess: 0.999, MaxWallRatio: 1.3, MaxRejected: 0.15}, byName["limit-no-retry-after"].Budget)

	conflicts := byName["conflicts"]
	assert.Equal(t, 2000, conflicts.Calls)
	assert.Equal(t, 315*time.Millisecond, conflicts.Ideal, "63 rounds of 32 writes (8 persons × 4), 5 ms each")
	assert.Equal(t, Budget{MinSuccess: 1, MaxAttemptRatio: 1.25}, conflicts.Budget)

	outage := byName["outage"]
	assert.Equal(t, 400.0, outage.Rate)
	assert.Equal(t, 10*time.Second, outage.Duration)
	assert.Equal(t, 2*time.Second, outage.OutageLen)
	assert.Equal(t, 5*time.Second, outage.CallTimeout)
	assert.Equal(t, Budget{MinSuccess: 0.99, MaxOutageShare: 0.10}, outage.Budget)

	token := byName["token"]
	assert.Equal(t, 64, token.Workers)
	assert.Zero(t, token.Budget, "DESIGN.md sets no budget for the token scenario")
}
