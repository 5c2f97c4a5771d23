package cli

import (
	"flag"
	"fmt"
	"io"
)

// NewFlagSet returns a flag set that reports errors instead of exiting and
// writes to stderr. Its usage is "usage: " + synopsis, the flags, then
// each note on a line of its own.
func NewFlagSet(name string, stderr io.Writer, synopsis string, notes ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: "+synopsis)
		fs.PrintDefaults()
		for _, n := range notes {
			fmt.Fprintln(stderr, n)
		}
	}
	return fs
}

// Parse parses args into fs and refuses an argument left over: the
// programs take flags only.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	return nil
}
