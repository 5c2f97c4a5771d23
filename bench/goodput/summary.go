package goodput

import (
	"fmt"
	"io"
	"strings"
)

// summaryCell tells one client's result in a scenario in a few words.
func (s Scenario) summaryCell(r Result) string {
	switch {
	case s.Load == Timed:
		return fmt.Sprintf("%s ok/s, %s token requests", thousands(int(r.OKPerSecond+0.5)), thousands(int(r.TokenRequests)))
	case s.OutageLen > 0:
		return fmt.Sprintf("%s ok, %s failed, %s sent in the outage", thousands(r.OK), thousands(r.Failed), thousands(int(r.SentInOutage)))
	default:
		return fmt.Sprintf("%s ok, %s failed in %s%s, %s %ss, %s attempts", thousands(r.OK), thousands(r.Failed),
			formatDuration(r.Wall), cutNote(r), thousands(int(r.Rejected)), s.Rejection, thousands(int(r.Server.Requests)))
	}
}

// summaryIdeal is what the server would allow at best.
func (s Scenario) summaryIdeal() string {
	switch {
	case s.Load == Timed:
		return "—"
	case s.OutageLen > 0:
		return fmt.Sprintf("%s ok, none sent in the outage", thousands(int(s.Rate*s.Duration.Seconds())))
	default:
		return fmt.Sprintf("%s ok in %s, %s attempts", thousands(s.Calls), formatDuration(s.Ideal), thousands(s.Calls))
	}
}

// WriteSummary writes one row per scenario with a cell per client, and what
// the server allows at best, as a Markdown table.
func (r *Report) WriteSummary(w io.Writer) error {
	if len(r.Scenarios) == 0 {
		return nil
	}
	var b strings.Builder
	clients := r.Scenarios[0].Medians
	b.WriteString("| scenario |")
	for _, c := range clients {
		b.WriteString(" " + c.Client + " |")
	}
	b.WriteString(" the limit |\n|---|")
	b.WriteString(strings.Repeat("---|", len(clients)+1) + "\n")
	for _, sr := range r.Scenarios {
		s := sr.scenario
		b.WriteString("| " + s.Name + " |")
		for _, m := range sr.Medians {
			b.WriteString(" " + s.summaryCell(m) + " |")
		}
		b.WriteString(" " + s.summaryIdeal() + " |\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
