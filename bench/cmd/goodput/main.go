// Command goodput runs the goodput scenarios with apierr, go-retryablehttp
// and resty side by side and prints a Markdown table per scenario (the
// median of -reps runs) and the budget checks. It also writes the results as
// JSON and, for the 429 + Retry-After and the outage scenarios, a chart per
// client of what the server counted per 100 ms.
//
//	cd bench && go run ./cmd/goodput                       # everything, 3 runs each
//	go run ./cmd/goodput -scenarios outage,token -reps 1   # a quick look
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/accessapi/apierr/bench/goodput"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "goodput:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad flag or argument.
type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("goodput", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("scenarios", "", "comma-separated scenarios to run (default all): "+strings.Join(scenarioNames(), ", "))
	clientNames := fs.String("clients", "", "comma-separated clients to run (default all): "+strings.Join(clientNames(), ", "))
	reps := fs.Int("reps", 3, "runs per scenario and client; the table shows medians")
	out := fs.String("out", filepath.Join("..", "docs"), "directory for goodput.json and the charts; empty: write neither")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	from := fs.String("from", "", "run nothing: print the table and draw the charts of this goodput.json")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *reps < 1 {
		return usageError{fmt.Errorf("-reps must be at least 1, not %d", *reps)}
	}
	scenarios, err := pickScenarios(*names)
	if err != nil {
		return usageError{err}
	}
	clients, err := pickClients(*clientNames)
	if err != nil {
		return usageError{err}
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}

	if *from != "" {
		return redraw(*from, *out, stdout)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var progress io.Writer = stderr
	if *quiet {
		progress = nil
	}
	fmt.Fprintf(stdout, "goodput: %d run(s) per scenario and client, GOMAXPROCS=%d, %s\n\n", *reps, runtime.GOMAXPROCS(0), runtime.Version())
	report, err := goodput.RunAll(ctx, scenarios, clients, *reps, progress)
	if err != nil {
		return err
	}
	if report.Load[0] != "" {
		fmt.Fprintf(stdout, "load average (1, 5, 15 min): %s at the start, %s at the end\n\n", report.Load[0], report.Load[1])
	}
	if err := report.WriteMarkdown(stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	return writeFiles(*out, report, stdout)
}

// redraw prints the table of a report written before and draws its charts.
func redraw(path, dir string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	report, err := goodput.ReadReport(f)
	if err != nil {
		return err
	}
	if err := report.WriteMarkdown(stdout); err != nil {
		return err
	}
	if dir == "" {
		return nil
	}
	_, err = writeCharts(dir, report, stdout)
	return err
}

// writeFiles writes the JSON and the charts.
func writeFiles(dir string, report *goodput.Report, stdout io.Writer) error {
	data, err := json.Marshal(report) // compact: the buckets make it long
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "goodput.json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	charts, err := writeCharts(dir, report, nil)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s\n", strings.Join(append([]string{path}, charts...), ", "))
	return err
}

// writeCharts draws the charts of the 429 + Retry-After and the outage
// scenarios, when the report has them; with stdout, it says so.
func writeCharts(dir string, report *goodput.Report, stdout io.Writer) ([]string, error) {
	var written []string
	for _, s := range report.Scenarios {
		if s.Name != "limit" && s.Name != "outage" {
			continue
		}
		path := filepath.Join(dir, "goodput-"+s.Name+".png")
		if err := goodput.WriteChart(path, s.Scenario(), s.Medians); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	if stdout != nil && len(written) > 0 {
		if _, err := fmt.Fprintf(stdout, "wrote %s\n", strings.Join(written, ", ")); err != nil {
			return nil, err
		}
	}
	return written, nil
}

func scenarioNames() []string {
	var n []string
	for _, s := range goodput.Scenarios() {
		n = append(n, s.Name)
	}
	return n
}

func clientNames() []string {
	var n []string
	for _, c := range goodput.Clients() {
		n = append(n, c.Name)
	}
	return n
}

// pickScenarios returns the named scenarios in their usual order; all
// for an empty list.
func pickScenarios(list string) ([]goodput.Scenario, error) {
	all := goodput.Scenarios()
	want, err := names(list, scenarioNames())
	if err != nil {
		return nil, fmt.Errorf("-scenarios: %w", err)
	}
	var out []goodput.Scenario
	for _, s := range all {
		if want == nil || want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

// pickClients returns the named clients in their usual order; all for an
// empty list.
func pickClients(list string) ([]goodput.Client, error) {
	want, err := names(list, clientNames())
	if err != nil {
		return nil, fmt.Errorf("-clients: %w", err)
	}
	var out []goodput.Client
	for _, c := range goodput.Clients() {
		if want == nil || want[c.Name] {
			out = append(out, c)
		}
	}
	return out, nil
}

// names parses a comma-separated list against the known names; nil for an
// empty list.
func names(list string, known []string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		ok := false
		for _, k := range known {
			ok = ok || k == n
		}
		if !ok {
			return nil, fmt.Errorf("unknown name %q (known: %s)", n, strings.Join(known, ", "))
		}
		want[n] = true
	}
	return want, nil
}
