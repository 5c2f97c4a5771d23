package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ErrUsage marks a problem with the flags or the environment: exit
// status 2. Wrapping it with %w adds its text, "usage", to the message;
// [Usage] marks an error without changing its text.
var ErrUsage = errors.New("usage")

// Usage marks err as a problem with the flags or the environment, keeping
// its text. It returns nil for nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{e.err, ErrUsage} }

// Status prints err, if any, to stderr after the program's name and
// returns the exit status: 0 for nil or flag.ErrHelp (the flag set has
// printed the usage), 2 for a usage error, 1 for a failed call.
func Status(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, name+":", err)
	if errors.Is(err, ErrUsage) {
		return 2
	}
	return 1
}
