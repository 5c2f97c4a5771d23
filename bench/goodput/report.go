package goodput

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Report is a whole run of the harness: every scenario with every client,
// each figure the median of Reps runs.
type Report struct {
	Started time.Time `json:"started"`
	Reps    int       `json:"reps"`
	// Load is the machine's load average (/proc/loadavg: 1, 5 and 15
	// minutes) when the runs started and ended; empty where unknown.
	Load [2]string `json:"load,omitempty"`
	// Scenarios, in the order run, with their results in client order.
	Scenarios []ScenarioReport `json:"scenarios"`
}

// ScenarioReport is one scenario's medians and budget checks, with every
// run kept for whoever wants the spread.
type ScenarioReport struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Ideal   int64    `json:"ideal_ns"`
	Medians []Result `json:"medians"`
	Checks  []Check  `json:"checks,omitempty"`
	// Runs holds each client's runs, without their buckets.
	Runs [][]Result `json:"runs"`

	scenario Scenario
}

// Scenario is the scenario the report is about.
func (r ScenarioReport) Scenario() Scenario { return r.scenario }

// RunAll runs every scenario with every client reps times, interleaved
// (repetition, then scenario, then client), so that a noisy minute on a
// shared machine spreads over every client. progress, when not nil, gets a
// line per run.
func RunAll(ctx context.Context, scenarios []Scenario, clients []Client, reps int, progress io.Writer) (*Report, error) {
	if reps < 1 {
		return nil, fmt.Errorf("goodput: reps must be at least 1, not %d", reps)
	}
	runs := make([][][]Result, len(scenarios))
	for i := range runs {
		runs[i] = make([][]Result, len(clients))
	}
	rep := &Report{Started: time.Now().UTC(), Reps: reps}
	rep.Load[0] = loadAverage()
	for n := range reps {
		for i, s := range scenarios {
			for j, c := range clients {
				r, err := Run(ctx, s, c)
				if err != nil {
					return nil, fmt.Errorf("goodput: %s with %s: %w", s.Name, c.Name, err)
				}
				runs[i][j] = append(runs[i][j], r)
				if progress != nil {
					cut := ""
					if r.CutRuns > 0 {
						cut = " (cut)"
					}
					fmt.Fprintf(progress, "run %d/%d %-22s %-36s ok %5d/%-5d requests %6d %s %5d  wall %s%s\n",
						n+1, reps, s.Name, r.Client, r.OK, r.Calls, r.Server.Requests, s.Rejection, r.Rejected, formatDuration(r.Wall), cut)
				}
			}
		}
	}
	rep.Load[1] = loadAverage()
	for i, s := range scenarios {
		sr := ScenarioReport{Name: s.Name, Title: s.Title, Ideal: int64(s.Ideal), scenario: s}
		for j := range clients {
			m := Median(runs[i][j])
			sr.Medians = append(sr.Medians, m)
			sr.Checks = append(sr.Checks, s.Checks(m)...)
			bare := make([]Result, len(runs[i][j]))
			for k, r := range runs[i][j] {
				r.Buckets = nil
				bare[k] = r
			}
			sr.Runs = append(sr.Runs, bare)
		}
		rep.Scenarios = append(rep.Scenarios, sr)
	}
	return rep, nil
}

// WriteMarkdown writes the summary, every scenario's table, then the
// budget checks.
func (r *Report) WriteMarkdown(w io.Writer) error {
	if len(r.Scenarios) > 0 {
		if _, err := io.WriteString(w, "### Summary (medians)\n\n"); err != nil {
			return err
		}
		if err := r.WriteSummary(w); err != nil {
			return err
		}
	}
	var checks []Check
	for _, s := range r.Scenarios {
		if err := WriteTable(w, s.scenario, s.Medians); err != nil {
			return err
		}
		checks = append(checks, s.Checks...)
	}
	if len(checks) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, "### Budgets (DESIGN.md)\n\n"); err != nil {
		return err
	}
	return WriteChecks(w, checks)
}

// ReadReport reads a report that the command wrote as JSON, so that its
// table and charts can be drawn again without running the scenarios. The
// scenarios are matched by name with Scenarios(), and the budget checks
// are made again.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("goodput: reading a report: %w", err)
	}
	known := map[string]Scenario{}
	for _, s := range Scenarios() {
		known[s.Name] = s
	}
	for i := range rep.Scenarios {
		sr := &rep.Scenarios[i]
		s, ok := known[sr.Name]
		if !ok {
			return nil, fmt.Errorf("goodput: reading a report: unknown scenario %q", sr.Name)
		}
		sr.scenario = s
		sr.Checks = nil
		for _, m := range sr.Medians {
			sr.Checks = append(sr.Checks, s.Checks(m)...)
		}
	}
	return &rep, nil
}

// loadAverage reads the 1, 5 and 15 minute load averages on Linux; "" elsewhere.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
