package goodput

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// column is one column of a scenario's table.
type column struct {
	head string
	cell func(Result) string
}

// columns are the figures that tell a scenario's story.
func (s Scenario) columns() []column {
	cols := []column{
		{"client", func(r Result) string { return r.Client }},
		{"ok", func(r Result) string { return thousands(r.OK) }},
		{"failed", func(r Result) string { return thousands(r.Failed) }},
	}
	if s.Load == Timed {
		cols = append(cols,
			column{"ok calls/s", func(r Result) string { return thousands(int(r.OKPerSecond + 0.5)) }},
			column{"token requests", func(r Result) string { return thousands(int(r.TokenRequests)) }},
		)
	}
	cols = append(cols,
		column{s.Rejection + "s", func(r Result) string { return thousands(int(r.Rejected)) }},
		column{"attempts (per call)", func(r Result) string {
			return fmt.Sprintf("%s (%.2f)", thousands(int(r.Server.Requests)), float64(r.Server.Requests)/float64(max(r.Calls, 1)))
		}},
	)
	if s.OutageLen > 0 {
		cols = append(cols, column{"sent in outage / due in it", func(r Result) string {
			return thousands(int(r.SentInOutage)) + " / " + thousands(r.ArrivedInOutage)
		}})
	}
	if s.Ideal > 0 {
		cols = append(cols,
			column{"wall", func(r Result) string {
				return formatDuration(r.Wall) + cutNote(r)
			}},
			column{"× ideal", func(r Result) string { return fmt.Sprintf("%.2f×", r.Wall.Seconds()/s.Ideal.Seconds()) }},
		)
	}
	return append(cols,
		column{"p50", func(r Result) string { return formatDuration(r.P50) }},
		column{"p99", func(r Result) string { return formatDuration(r.P99) }},
	)
}

// WriteTable writes a scenario's results as a Markdown table under a
// heading that names the scenario and its ideal.
func WriteTable(w io.Writer, s Scenario, results []Result) error {
	var b strings.Builder
	b.WriteString("### " + s.Title)
	if s.Ideal > 0 {
		b.WriteString(" — ideal " + formatDuration(s.Ideal))
	}
	if len(results) > 0 && results[0].Runs > 1 {
		b.WriteString(" — median of " + strconv.Itoa(results[0].Runs) + " runs")
	}
	b.WriteString("\n\n")
	cols := s.columns()
	row := func(cells []string) {
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	heads := make([]string, len(cols))
	rule := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
		rule[i] = "---"
		if i > 0 {
			rule[i] = "---:"
		}
	}
	row(heads)
	row(rule)
	for _, r := range results {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = c.cell(r)
		}
		row(cells)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteChecks writes budget checks as a Markdown table.
func WriteChecks(w io.Writer, checks []Check) error {
	var b strings.Builder
	b.WriteString("| scenario | client | budget | measured | result |\n|---|---|---|---:|---|\n")
	for _, c := range checks {
		res := "miss"
		if c.Pass {
			res = "pass"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Scenario, c.Client, c.Budget, c.Measured, res)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// formatDuration writes d with three significant figures or so: 0.42 ms,
// 312 ms, 15.2 s.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 0, 64) + " ms"
	case d < 100*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) + " s"
	}
}

// cutNote says when the cut ended a result's runs: " (cut)" when it ended
// all of them.
func cutNote(r Result) string {
	switch {
	case r.CutRuns <= 0:
		return ""
	case r.CutRuns >= r.Runs:
		return " (cut)"
	default:
		return fmt.Sprintf(" (%d of %d runs cut)", r.CutRuns, r.Runs)
	}
}
