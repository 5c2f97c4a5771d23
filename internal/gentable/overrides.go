package gentable

import (
	"fmt"
	"io"
	"strings"

	"github.com/accessapi/apierr/codes"
)

// Override is one curated entry for a code: a constant name (names.tsv), a
// retry class (retry.tsv), or a flag that holds for the code (applied.tsv,
// permission.tsv), with the reason it exists.
type Override struct {
	Line  int
	API   string
	Code  string
	Value string // the name, or the retry class as codes.RetryClass.String spells it; empty for a flag
	Why   string
}

// ReadOverrides parses an override file with columns api, code, the value
// column (e.g. "name" or "class") and why. Every entry needs a reason, and a
// code appears at most once per API. An empty valueColumn reads a flag file:
// columns api, code and why, a row for each code the flag holds for.
func ReadOverrides(r io.Reader, valueColumn string) ([]Override, error) {
	s, err := ReadSheet(r)
	if err != nil {
		return nil, err
	}
	want := []string{"api", "code", "why"}
	if valueColumn != "" {
		want = []string{"api", "code", valueColumn, "why"}
	}
	col, err := s.columns(want, nil)
	if err != nil {
		return nil, err
	}
	seen := make(map[[2]string]int, len(s.Records))
	out := make([]Override, 0, len(s.Records))
	for _, rec := range s.Records {
		o := Override{Line: rec.Line, API: rec.Fields[col["api"]], Code: rec.Fields[col["code"]], Why: rec.Fields[col["why"]]}
		checks := [][2]string{{"api", o.API}, {"code", o.Code}, {"why", o.Why}}
		if valueColumn != "" {
			o.Value = rec.Fields[col[valueColumn]]
			checks = append(checks, [2]string{valueColumn, o.Value})
		}
		for _, f := range checks {
			if strings.TrimSpace(f[1]) == "" {
				return nil, fmt.Errorf("gentable: line %d: empty %s", rec.Line, f[0])
			}
		}
		key := [2]string{o.API, o.Code}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("gentable: line %d: %s %s already on line %d", rec.Line, o.API, o.Code, prev)
		}
		seen[key] = rec.Line
		out = append(out, o)
	}
	return out, nil
}

// ParseRetryClass reads a class name as codes.RetryClass.String writes it.
func ParseRetryClass(s string) (codes.RetryClass, error) {
	for c := codes.RetryNever; c <= codes.RetryTransient; c++ {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("retry class %q: want never, backoff, concurrency or transient", s)
}

// DefaultRetry is the class of a code without an override, from its
// documented status: 429 asks us to slow down, 502/503/504 are failures in
// front of or behind the server; everything else will fail again as sent.
func DefaultRetry(status int) codes.RetryClass {
	switch status {
	case 429:
		return codes.RetryBackoff
	case 502, 503, 504:
		return codes.RetryTransient
	}
	return codes.RetryNever
}
