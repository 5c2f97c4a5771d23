package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// FlagSet is a flag.FlagSet in the one usage style of the programs:
//
//   - -h or -help prints the usage text to stderr: "usage: " + synopsis,
//     the notes (what the program does, what it reads from the
//     environment), then the flags; Parse returns flag.ErrHelp and Status
//     makes that exit status 0;
//   - a bad flag or an argument left over is an error that Status prints
//     once, after the program's name, with a pointer to -h: exit status 2.
//
// The flag package on its own prints a bad flag's error and the whole usage
// text itself, and the program then printed the error a second time.
type FlagSet struct {
	*flag.FlagSet
	stderr   io.Writer
	synopsis string
	notes    []string
}

// NewFlagSet returns a flag set named name whose usage text goes to stderr.
func NewFlagSet(name string, stderr io.Writer, synopsis string, notes ...string) *FlagSet {
	fs := &FlagSet{
		FlagSet:  flag.NewFlagSet(name, flag.ContinueOnError),
		stderr:   stderr,
		synopsis: synopsis,
		notes:    notes,
	}
	fs.SetOutput(io.Discard) // the errors reach stderr once, through Status
	fs.Usage = func() {}     // printed by Parse for -h only
	return fs
}

// PrintUsage writes the usage text to stderr.
func (f *FlagSet) PrintUsage() {
	fmt.Fprintln(f.stderr, "usage: "+f.synopsis)
	if len(f.notes) > 0 {
		fmt.Fprintln(f.stderr)
		for _, n := range f.notes {
			fmt.Fprintln(f.stderr, n)
		}
	}
	fmt.Fprintln(f.stderr)
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprintln(f.stderr, "It takes no flags other than -h.")
		return
	}
	fmt.Fprintln(f.stderr, "flags:")
	f.SetOutput(f.stderr)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// Parse parses args. It returns flag.ErrHelp after printing the usage text
// for -h, and a usage error (see Usage) for a bad flag or an argument left
// over: the programs take flags only.
func (f *FlagSet) Parse(args []string) error {
	err := f.FlagSet.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.PrintUsage()
		return flag.ErrHelp
	case err != nil:
		return Usage(fmt.Errorf("%w (see %s -h)", err, f.Name()))
	case f.NArg() > 0:
		return Usage(fmt.Errorf("unexpected argument %q (see %s -h)", f.Arg(0), f.Name()))
	}
	return nil
}
