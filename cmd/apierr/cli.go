package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// command is one subcommand's flag set with its help text.
type command struct {
	fs     *flag.FlagSet
	stdout io.Writer
	stderr io.Writer
}

// newCommand returns the subcommand name's flag set (args is its synopsis
// line after the name) whose -h prints usage (synopsis, flags,
// examples) to stdout, and whose errors go to stderr.
func newCommand(name, args, synopsis, examples string, stdout, stderr io.Writer) *command {
	c := &command{fs: flag.NewFlagSet("apierr "+name, flag.ContinueOnError), stdout: stdout, stderr: stderr}
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {
		out := c.fs.Output()
		fmt.Fprintf(out, "Usage: apierr %s %s\n\n%s\n\nFlags:\n", name, args, synopsis)
		c.fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(out, "  --%-12s %s\n", f.Name, f.Usage)
		})
		fmt.Fprintf(out, "\nExamples:\n%s\nExit status: 0 found, 1 nothing matched, 2 usage error.\n", examples)
	}
	return c
}

// parse reads flags wherever they stand among the arguments (flag stops at
// the first non-flag, but "apierr explain 400241 --json" is natural) and
// returns the positional arguments. ok is false when the command should
// end with status: 0 after -h, 2 after a usage error (reported).
func (c *command) parse(args []string) (pos []string, status int, ok bool) {
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.fs.SetOutput(c.stdout)
				c.fs.Usage()
				return nil, exitFound, false
			}
			return nil, c.usageError(err.Error()), false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// usageError reports a usage error with the command's usage, and returns
// the exit status for it.
func (c *command) usageError(msg string) int {
	fmt.Fprintf(c.stderr, "%s: %s\n\n", c.fs.Name(), msg)
	c.fs.SetOutput(c.stderr)
	c.fs.Usage()
	return exitUsage
}

// checkAPI validates an --api value: empty (every API) or a known name,
// case-insensitively; it returns the canonical name.
func checkAPI(api string, extra ...string) (string, error) {
	a := strings.ToLower(strings.TrimSpace(api))
	if a == "" || slices.Contains(apiNames, a) || slices.Contains(extra, a) {
		return a, nil
	}
	return "", fmt.Errorf("unknown API %s: want %s", quote(api), strings.Join(append(slices.Clone(apiNames), extra...), ", "))
}

func quote(s string) string { return strconv.Quote(s) }
