package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/accessapi/apierr/codes"
)

const codesSynopsis = `Lists the catalogue: every documented code, in table order, filtered by
API, retry class, and the applied and permission flags.`

const codesExamples = `  apierr codes --api tapkey                 Tapkey's 14 codes
  apierr codes --applied                    codes meaning "already in the requested state"
  apierr codes --retry transient --json     codes a client retries for idempotent requests
  apierr codes --api entrecode --permission permission refusals (the token is kept)`

func runCodes(args []string, stdout, stderr io.Writer) int {
	c := newCommand("codes", "[--api NAME] [--retry CLASS] [--applied] [--permission] [--json]", codesSynopsis, codesExamples, stdout, stderr)
	api := c.fs.String("api", "", "list this API only: exos, entrecode, usta or tapkey")
	retry := c.fs.String("retry", "", "only codes of this retry class: never, backoff, concurrency or transient")
	applied := c.fs.Bool("applied", false, "only codes meaning the requested state already holds")
	permission := c.fs.Bool("permission", false, "only codes that refuse a permission, not the token")
	asJSON := c.fs.Bool("json", false, "print a JSON array of rows")
	pos, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		return c.usageError(fmt.Sprintf("unexpected arguments %q", pos))
	}
	a, err := checkAPI(*api)
	if err != nil {
		return c.usageError(err.Error())
	}
	class, err := parseClass(*retry)
	if err != nil {
		return c.usageError(err.Error())
	}
	var ms []match
	for _, e := range catalogue() {
		info := e.code.Info()
		if (a != "" && e.api != a) || (class != nil && info.Retry != *class) ||
			(*applied && !info.Applied) || (*permission && !info.Permission) {
			continue
		}
		ms = append(ms, match{entry: e, info: info})
	}
	if *asJSON {
		if err := writeJSON(stdout, jsonRows(ms)); err != nil {
			return writeFailed(stderr, err)
		}
	} else if len(ms) > 0 {
		if err := writeTable(stdout, ms); err != nil {
			return writeFailed(stderr, err)
		}
	}
	if len(ms) == 0 {
		fmt.Fprintln(stderr, "apierr codes: no code matches")
		return exitNoMatch
	}
	return exitFound
}

// parseClass reads --retry; nil when it is empty.
func parseClass(s string) (*codes.RetryClass, error) {
	if s == "" {
		return nil, nil
	}
	for c := codes.RetryNever; c <= codes.RetryTransient; c++ {
		if strings.EqualFold(s, c.String()) {
			return &c, nil
		}
	}
	return nil, fmt.Errorf("unknown retry class %s: want never, backoff, concurrency or transient", quote(s))
}
