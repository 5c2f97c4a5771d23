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
