package goodput

import (
	"fmt"
	"strconv"
)

// Check is one budget held against one result.
type Check struct {
	Scenario string `json:"scenario"`
	Client   string `json:"client"`
	Budget   string `json:"budget"`
	Measured string `json:"measured"`
	Pass     bool   `json:"pass"`
}

// Checks holds r to the scenario's budget; none for a scenario without one.
func (s Scenario) Checks(r Result) []Check {
	b := s.Budget
	var out []Check
	add := func(budget, measured string, pass bool) {
		out = append(out, Check{Scenario: s.Name, Client: r.Client, Budget: budget, Measured: measured, Pass: pass})
	}
	calls := float64(max(r.Calls, 1))
	if b.MinSuccess > 0 {
		share := float64(r.OK) / calls
		add("≥ "+limit(b.MinSuccess)+" succeed", percent(share), share >= b.MinSuccess)
	}
	if b.MaxWallRatio > 0 && s.Ideal > 0 {
		// The time the batch took counts only when the batch got done: a
		// client that fails calls fast finishes early too.
		ratio := r.Wall.Seconds() / s.Ideal.Seconds()
		done := float64(r.OK)/calls >= b.MinSuccess
		measured := fmt.Sprintf("%.2f×", ratio)
		if !done {
			measured += " (only " + percent(float64(r.OK)/calls) + " succeeded)"
		}
		add(fmt.Sprintf("wall ≤ %.2f× %s", b.MaxWallRatio, formatDuration(s.Ideal)), measured, ratio <= b.MaxWallRatio && done)
	}
	if b.MaxRejected > 0 {
		share := float64(r.Rejected) / calls
		add(s.Rejection+"s ≤ "+limit(b.MaxRejected)+" of calls", percent(share), share <= b.MaxRejected)
	}
	if b.MaxAttemptRatio > 0 {
		ratio := float64(r.Server.Requests) / calls
		add(fmt.Sprintf("attempts ≤ %.2f× calls", b.MaxAttemptRatio), fmt.Sprintf("%.2f×", ratio), ratio <= b.MaxAttemptRatio)
	}
	if b.MaxOutageShare > 0 {
		share := float64(r.SentInOutage) / float64(max(r.ArrivedInOutage, 1))
		add("sent during the outage ≤ "+limit(b.MaxOutageShare)+" of the calls due in it",
			percent(share)+" ("+thousands(int(r.SentInOutage))+" of "+thousands(r.ArrivedInOutage)+")", share <= b.MaxOutageShare)
	}
	return out
}

// percent writes a share with as many decimals as a budget like 99.9 %
// needs to be told apart from 100 %.
func percent(f float64) string {
	p := f * 100
	switch {
	case p == 100 || p == 0:
		return strconv.FormatFloat(p, 'f', 0, 64) + " %"
	case p >= 99 && p < 100:
		return strconv.FormatFloat(min(p, 99.99), 'f', 2, 64) + " %"
	default:
		return strconv.FormatFloat(p, 'f', 1, 64) + " %"
	}
}

// limit writes a budget's share as DESIGN.md does: 99.9 %, 5 %.
func limit(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + " %"
}
