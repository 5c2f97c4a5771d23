// Command gencodes writes a codes package's codes_gen.go from its table in
// codes/tables. It runs from the //go:generate line in each package's
// code.go:
//
//	go run ../internal/gencodes -api exos -type int -table ../tables/exos.tsv -out codes_gen.go
package main

import (
	"fmt"
	"os"

	"github.com/accessapi/apierr/internal/gentable"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gencodes:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
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
