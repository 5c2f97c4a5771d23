package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/accessapi/apierr/codes"
)

// rowJSON is a catalogue row in --json output (explain and codes). The
// first six members are the contract's; the rest say why.
type rowJSON struct {
	API           string `json:"api"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	Status        int    `json:"status"`
	Description   string `json:"description"`
	Retry         string `json:"retry"`
	RetryWhy      string `json:"retry_why"`
	RetriesGET    bool   `json:"retries_get"`
	RetriesPOST   bool   `json:"retries_post"`
	Applied       bool   `json:"applied"`
	AppliedWhy    string `json:"applied_why,omitempty"`
	Permission    bool   `json:"permission"`
	PermissionWhy string `json:"permission_why,omitempty"`
	Documented    bool   `json:"documented"`       // false for an undocumented USTA refinement
	Row           string `json:"row"`              // the table row: "202" for entrecode 2202
	Family        string `json:"family,omitempty"` // how the code relates to other codes
}

func (m match) json() rowJSON {
	code := m.code.String()
	if m.asked != "" {
		code = m.asked
	}
	get, post := retries(m.info.Retry)
	return rowJSON{
		API: m.api, Code: code, Name: m.name, Status: m.info.Status, Description: m.info.Description,
		Retry: m.info.Retry.String(), RetryWhy: retryWhy(m.info, m.retryWhy), RetriesGET: get, RetriesPOST: post,
		Applied: m.info.Applied, AppliedWhy: m.appliedWhy, Permission: m.info.Permission, PermissionWhy: m.permissionWhy,
		Documented: m.info.Known, Row: m.code.String(), Family: m.note,
	}
}

// retryWhy is the reason for a code's class: the curated one, else the
// status default the generator applied.
func retryWhy(info codes.Info, curated string) string {
	switch {
	case curated != "":
		return curated
	case info.Status != 0:
		return "the default for HTTP " + strconv.Itoa(info.Status)
	}
	return "the default: no status documented"
}

// retries says whether the client retries a GET and a POST of a given
// class, as RetryPolicy's documentation states: transient failures only
// for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or with an
// Idempotency-Key), backoff and concurrency for any method.
func retries(class codes.RetryClass) (get, post bool) {
	switch class {
	case codes.RetryBackoff, codes.RetryConcurrency:
		return true, true
	case codes.RetryTransient:
		return true, false
	}
	return false, false
}

func retriesText(class codes.RetryClass) string {
	switch get, post := retries(class); {
	case get && post:
		return "GET and POST retried"
	case get:
		return "GET retried, POST not (unless it has an Idempotency-Key)"
	}
	return "not retried"
}

func statusText(status int) string {
	if status == 0 {
		return "none documented"
	}
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}

func yesNo(b bool, why string) string {
	if !b {
		return "no"
	}
	if why == "" {
		return "yes"
	}
	return "yes: " + why
}

// writeJSON writes v indented, with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeMatches writes rows in detail (explain): a heading per row, then
// aligned fields.
func writeMatches(w io.Writer, ms []match) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, m := range ms {
		r := m.json()
		if i > 0 {
			fmt.Fprintln(tw)
		}
		// The heading has no tab, so that it does not widen the fields' column.
		fmt.Fprintf(tw, "%s %s (%s)\n", r.API, r.Code, r.Name)
		if r.Family != "" {
			label := "family"
			if r.API == "exos" {
				label = "note"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", label, r.Family)
		}
		if !r.Documented {
			fmt.Fprintf(tw, "  documented\tno: what follows is %s's row\n", r.Row)
		}
		fmt.Fprintf(tw, "  status\t%s\n", statusText(r.Status))
		fmt.Fprintf(tw, "  description\t%s\n", r.Description)
		fmt.Fprintf(tw, "  retry\t%s: %s (%s)\n", r.Retry, retriesText(m.info.Retry), r.RetryWhy)
		fmt.Fprintf(tw, "  applied\t%s\n", yesNo(r.Applied, r.AppliedWhy))
		fmt.Fprintf(tw, "  permission\t%s\n", yesNo(r.Permission, r.PermissionWhy))
	}
	return tw.Flush()
}

// writeTable writes rows one per line (codes).
func writeTable(w io.Writer, ms []match) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tCODE\tSTATUS\tRETRY\tFLAGS\tNAME\tDESCRIPTION")
	for _, m := range ms {
		r := m.json()
		var flags []string
		if r.Applied {
			flags = append(flags, "applied")
		}
		if r.Permission {
			flags = append(flags, "permission")
		}
		status := "-"
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		f := strings.Join(flags, ",")
		if f == "" {
			f = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.API, r.Code, status, r.Retry, f, r.Name, oneLine(r.Description))
	}
	return tw.Flush()
}

// oneLine keeps a cell on its line: tabs and newlines would break the
// alignment.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func jsonRows(ms []match) []rowJSON {
	out := make([]rowJSON, len(ms))
	for i, m := range ms {
		out[i] = m.json()
	}
	return out
}
