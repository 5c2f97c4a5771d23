// Command gencodes writes a codes package's codes_gen.go from its table in
// codes/tables. It runs from the //go:generate line in each package's
// code.go:
//
//	go run ../internal/gencodes -api exos -type int -table ../tables/exos.tsv -out codes_gen.go
//
// With -command it writes the support command's catalogue file instead
// (the constant names and the curated reasons of all four tables), from
// the //go:generate line in cmd/apierr:
//
//	go run ../../codes/internal/gencodes -command -tables ../../codes/tables -out catalogue_gen.go
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/accessapi/apierr/internal/gentable"
)

// commandAPIs are the catalogues the support command lists, in its order.
var commandAPIs = []gentable.CommandAPI{
	{API: "exos"}, {API: "entrecode"}, {API: "usta"}, {API: "tapkey", String: true},
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gencodes:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "-command" {
		return runCommand(".", args[1:])
	}
	cfg, err := gentable.ParseArgs(".", args)
	if err != nil {
		return err
	}
	src, err := gentable.Generate(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(cfg.OutPath(), src, 0o644)
}

// commandConfig is a -command run: paths relative to dir.
type commandConfig struct {
	tables, pkg, out string
}

func parseCommandArgs(args []string) (commandConfig, error) {
	var cfg commandConfig
	fs := flag.NewFlagSet("gencodes -command", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.tables, "tables", "", "the folder of the code tables and override files")
	fs.StringVar(&cfg.pkg, "package", "main", "the Go package of the file to write")
	fs.StringVar(&cfg.out, "out", "", "the Go file to write")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("gencodes: %w", err)
	}
	if fs.NArg() > 0 || cfg.tables == "" || cfg.out == "" {
		return cfg, errors.New("gencodes: -command needs -tables and -out, and no other arguments")
	}
	return cfg, nil
}

// renderCommand returns the command's catalogue file, as runCommand would
// write it from dir.
func renderCommand(dir string, args []string) (commandConfig, []byte, error) {
	cfg, err := parseCommandArgs(args)
	if err != nil {
		return cfg, nil, err
	}
	tables := cfg.tables
	if !filepath.IsAbs(tables) {
		tables = filepath.Join(dir, tables)
	}
	src, err := gentable.GenerateCommand(tables, cfg.pkg, commandAPIs)
	return cfg, src, err
}

func runCommand(dir string, args []string) error {
	cfg, src, err := renderCommand(dir, args)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, cfg.out), src, 0o644)
}
