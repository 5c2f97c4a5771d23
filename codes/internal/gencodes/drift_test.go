package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accessapi/apierr/internal/gentable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packages are the codes packages gencodes writes, relative to this directory.
var packages = []string{"exos", "entrecode", "usta", "tapkey"}

const generatePrefix = "//go:generate go run ../internal/gencodes "

// generateArgs returns the gencodes arguments of the package's one
// //go:generate line, so the test checks what go generate would run.
func generateArgs(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "code.go"))
	require.NoError(t, err)
	defer f.Close()
	var args [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, generatePrefix) {
			args = append(args, strings.Fields(strings.TrimPrefix(line, generatePrefix)))
		}
	}
	require.NoError(t, sc.Err())
	require.Len(t, args, 1, "%s/code.go needs exactly one %q line", dir, generatePrefix)
	return args[0]
}

// TestGeneratedFilesMatchTables is the drift test: rendering each table in
// memory must give the committed codes_gen.go byte for byte, so a hand
// edit, a table change without go generate, or a stale override fails.
func TestGeneratedFilesMatchTables(t *testing.T) {
	for _, api := range packages {
		t.Run(api, func(t *testing.T) {
			dir := filepath.Join("..", "..", api)
			cfg, err := gentable.ParseArgs(dir, generateArgs(t, dir))
			require.NoError(t, err)
			assert.Equal(t, api, cfg.API)
			want, err := gentable.Generate(cfg)
			require.NoError(t, err)
			got, err := os.ReadFile(cfg.OutPath())
			require.NoError(t, err)
			if string(got) != string(want) {
				t.Errorf("%s is stale or edited by hand: run `go generate ./codes/...` (first difference at line %d)",
					cfg.OutPath(), firstDiffLine(string(got), string(want)))
			}
		})
	}
}

func firstDiffLine(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return i + 1
		}
	}
	return len(la) + 1
}

// TestRunWritesWhatGenerateRenders runs the command's body with the exos
// arguments, writing to a temporary file.
func TestRunWritesWhatGenerateRenders(t *testing.T) {
	out := filepath.Join(t.TempDir(), "codes_gen.go")
	require.NoError(t, run([]string{"-api", "exos", "-type", "int", "-table", "../../tables/exos.tsv", "-out", out}))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	committed, err := os.ReadFile(filepath.Join("..", "..", "exos", "codes_gen.go"))
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(got))
}

func TestRunRejectsBadArguments(t *testing.T) {
	assert.ErrorContains(t, run([]string{"-api", "exos"}), "-api, -table and -out are required")
	assert.ErrorContains(t, run([]string{"-api", "x", "-type", "int", "-table", "missing.tsv", "-out", "o.go"}), "missing.tsv")
}

const commandDir = "../../../cmd/apierr"

// TestCommandCatalogueMatchesTables is the drift test of the support
// command's generated file, run with the arguments of its //go:generate line.
func TestCommandCatalogueMatchesTables(t *testing.T) {
	f, err := os.ReadFile(filepath.Join(commandDir, "generate.go"))
	require.NoError(t, err)
	const prefix = "//go:generate go run ../../codes/internal/gencodes "
	var args []string
	for _, line := range strings.Split(string(f), "\n") {
		if strings.HasPrefix(line, prefix) {
			require.Nil(t, args, "one //go:generate line")
			args = strings.Fields(strings.TrimPrefix(line, prefix))
		}
	}
	require.NotEmpty(t, args)
	require.Equal(t, "-command", args[0])
	cfg, want, err := renderCommand(commandDir, args[1:])
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(commandDir, cfg.out))
	require.NoError(t, err)
	if string(got) != string(want) {
		t.Errorf("cmd/apierr/%s is stale or edited by hand: run `go generate ./cmd/apierr` (first difference at line %d)",
			cfg.out, firstDiffLine(string(got), string(want)))
	}
}

func TestRunCommandWritesWhatItRenders(t *testing.T) {
	dir := t.TempDir()
	tables, err := filepath.Abs(filepath.Join("..", "..", "tables"))
	require.NoError(t, err)
	require.NoError(t, runCommand(dir, []string{"-tables", tables, "-out", "c.go"}))
	got, err := os.ReadFile(filepath.Join(dir, "c.go"))
	require.NoError(t, err)
	committed, err := os.ReadFile(filepath.Join(commandDir, "catalogue_gen.go"))
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(got))

	for _, bad := range [][]string{{"-tables", tables}, {"-out", "x.go"}, {"-tables", tables, "-out", "x.go", "extra"}, {"-bogus"}} {
		assert.Error(t, runCommand(dir, bad), "%q", bad)
	}
	assert.ErrorContains(t, runCommand(dir, []string{"-tables", dir, "-out", "x.go"}), "exos.tsv")
}
