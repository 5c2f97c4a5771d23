package main

import (
	"fmt"
	"io"
)

const explainSynopsis = `Shows every catalogue row that CODE names, in every API (or in --api's):
status, description, retry class and why, family, and whether the code
means the request's state already holds (applied) or is a refusal of
permission rather than of the token (permission).

CODE is a number, looked up by each API's rules (entrecode: a three-digit
family such as 202, or a four-digit code such as 2202 whose first digit is
the system; USTA: six-digit codes refine four-digit ones), or a constant
name such as Duplicate or ConcurrencyError, in any case.`

const explainExamples = `  apierr explain 400241            exos's concurrency error
  apierr explain 202               entrecode family x202 (1202, 2202, 3202)
  apierr explain 2202 --json       entrecode's Data Manager 202, as JSON
  apierr explain duplicate         Tapkey's Duplicate, by name
  apierr explain 405 --api exos    exos's stray three-digit row`

func runExplain(args []string, stdout, stderr io.Writer) int {
	c := newCommand("explain", "CODE [--api NAME] [--json]", explainSynopsis, explainExamples, stdout, stderr)
	api := c.fs.String("api", "", "look in this API only: exos, entrecode, usta or tapkey")
	asJSON := c.fs.Bool("json", false, "print a JSON array of rows")
	pos, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(pos) != 1 {
		return c.usageError(fmt.Sprintf("want one CODE, got %d arguments", len(pos)))
	}
	a, err := checkAPI(*api)
	if err != nil {
		return c.usageError(err.Error())
	}
	ms := lookup(pos[0], a)
	if *asJSON {
		if err := writeJSON(stdout, jsonRows(ms)); err != nil {
			return writeFailed(stderr, err)
		}
	} else if len(ms) > 0 {
		if err := writeMatches(stdout, ms); err != nil {
			return writeFailed(stderr, err)
		}
	}
	if len(ms) == 0 {
		where := "any API"
		if a != "" {
			where = a
		}
		fmt.Fprintf(stderr, "apierr explain: %s is not documented in %s\n", quote(pos[0]), where)
		return exitNoMatch
	}
	return exitFound
}

// writeFailed reports that output could not be written (a closed pipe).
func writeFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "apierr: writing output: %v\n", err)
	return exitNoMatch
}
