package gentable

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Config is one gencodes run, as its //go:generate line spells it. Paths
// are relative to Dir, the package directory go generate runs in.
type Config struct {
	Dir   string
	API   string // package name, and the api column of the override files
	Type  string // "int" or "string": the underlying type of Code
	Table string
	Names string // names.tsv; default: beside Table
	Retry string // retry.tsv; default: beside Table
	// Applied and Permission are the flag files applied.tsv and
	// permission.tsv; default: beside Table.
	Applied    string
	Permission string
	Out        string
}

// ParseArgs reads gencodes' flags: -api, -type, -table, -out, and
// optionally -names, -retry, -applied and -permission.
func ParseArgs(dir string, args []string) (Config, error) {
	cfg := Config{Dir: dir}
	fs := flag.NewFlagSet("gencodes", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.API, "api", "", "package name, as in the override files' api column")
	fs.StringVar(&cfg.Type, "type", "", "underlying type of Code: int or string")
	fs.StringVar(&cfg.Table, "table", "", "the code table (TSV)")
	fs.StringVar(&cfg.Names, "names", "", "curated constant names (default: names.tsv beside the table)")
	fs.StringVar(&cfg.Retry, "retry", "", "curated retry classes (default: retry.tsv beside the table)")
	fs.StringVar(&cfg.Applied, "applied", "", "curated Applied codes (default: applied.tsv beside the table)")
	fs.StringVar(&cfg.Permission, "permission", "", "curated Permission codes (default: permission.tsv beside the table)")
	fs.StringVar(&cfg.Out, "out", "", "the Go file to write")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("gentable: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("gentable: unexpected arguments %q", fs.Args())
	case cfg.API == "" || cfg.Table == "" || cfg.Out == "":
		return cfg, errors.New("gentable: -api, -table and -out are required")
	case cfg.Type != "int" && cfg.Type != "string":
		return cfg, fmt.Errorf("gentable: -type %q: want int or string", cfg.Type)
	}
	for _, f := range [...]struct {
		path *string
		name string
	}{{&cfg.Names, "names.tsv"}, {&cfg.Retry, "retry.tsv"}, {&cfg.Applied, "applied.tsv"}, {&cfg.Permission, "permission.tsv"}} {
		if *f.path == "" {
			*f.path = filepath.Join(filepath.Dir(cfg.Table), f.name)
		}
	}
	return cfg, nil
}

// Generate reads the files cfg names and returns the rendered Go source.
func Generate(cfg Config) ([]byte, error) {
	c, err := build(cfg)
	if err != nil {
		return nil, err
	}
	return Render(c)
}

// build reads the files cfg names into a Catalogue.
func build(cfg Config) (*Catalogue, error) {
	source, err := fromModuleRoot(cfg.path(cfg.Table))
	if err != nil {
		return nil, err
	}
	t, err := ReadTableFile(cfg.path(cfg.Table))
	if err != nil {
		return nil, err
	}
	var cur Curation
	for _, f := range [...]struct {
		into        *Overrides
		path, value string
	}{
		{&cur.Names, cfg.Names, "name"},
		{&cur.Retry, cfg.Retry, "class"},
		{&cur.Applied, cfg.Applied, ""},
		{&cur.Permission, cfg.Permission, ""},
	} {
		f.into.File = filepath.ToSlash(f.path)
		if err := readFile(cfg.path(f.path), func(r io.Reader) (err error) { f.into.Entries, err = ReadOverrides(r, f.value); return err }); err != nil {
			return nil, err
		}
	}
	return Build(cfg.API, cfg.Type == "string", source, t, cur)
}

// OutPath is where the generated file goes.
func (cfg Config) OutPath() string { return cfg.path(cfg.Out) }

func (cfg Config) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(cfg.Dir, p)
}

// ReadTableFile reads the code table at path; errors name the file.
func ReadTableFile(path string) (*Table, error) {
	var t *Table
	err := readFile(path, func(r io.Reader) (err error) { t, err = ReadTable(r); return err })
	return t, err
}

func readFile(path string, parse func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("gentable: %w", err)
	}
	defer f.Close()
	if err := parse(f); err != nil {
		return fmt.Errorf("%s: %w", filepath.ToSlash(path), err)
	}
	return nil
}

// fromModuleRoot returns path relative to the directory holding go.mod, in
// slash form, so the generated header reads the same on every machine.
func fromModuleRoot(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("gentable: %w", err)
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, abs)
			if err != nil {
				return "", fmt.Errorf("gentable: %w", err)
			}
			return filepath.ToSlash(rel), nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("gentable: no go.mod above %s", abs)
		}
	}
}
