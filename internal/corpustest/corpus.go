// Package corpustest is what the tests of decode and cmd/apierr share about
// the corpus of real published error bodies (../shared/corpus from the
// repository root): where it is, what SOURCES.md gives as each body's HTTP
// status, and what each body must decode to.
package corpustest

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Body is one corpus file and what it must decode to.
type Body struct {
	Name   string // the file name, the key of SOURCES.md's table
	Path   string
	Status int // SOURCES.md's HTTP status; 0 where it is not stated
	Want
}

// Dir returns the corpus folder. It is found from this file's place in the
// repository, so that any package's tests reach it alike.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "shared", "corpus")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
}

// Paths lists the corpus bodies; none when the folder is absent.
func Paths() []string {
	files, _ := filepath.Glob(filepath.Join(Dir(), "*.json"))
	return files
}

// Bodies returns every corpus body with its status and expectation. It
// skips t when there is no corpus, and fails t for a body that has no
// expectation in Expected or no row in SOURCES.md.
func Bodies(t testing.TB) []Body {
	t.Helper()
	files := Paths()
	if len(files) == 0 {
		t.Skipf("no corpus at %s", Dir())
	}
	statuses := sourcesStatuses(t)
	var out []Body
	for _, file := range files {
		name := filepath.Base(file)
		want, ok := Expected[name]
		if !ok {
			t.Errorf("no expectation for %s: add it to corpustest.Expected", name)
			continue
		}
		status, ok := statuses[name]
		if !ok {
			t.Errorf("%s is not in SOURCES.md", name)
			continue
		}
		out = append(out, Body{Name: name, Path: file, Status: status, Want: want})
	}
	return out
}

// sourcesStatuses reads the HTTP status column of SOURCES.md's table: the
// leading number of the cell, or 0 where the status is not stated.
func sourcesStatuses(t testing.TB) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), "SOURCES.md"))
	require.NoError(t, err)
	defer f.Close()
	statuses := map[string]int{}
	header := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if header < 0 {
			for i, c := range cells {
				if strings.EqualFold(c, "HTTP status") {
					header = i
				}
			}
			continue
		}
		if len(cells) <= header || !strings.HasSuffix(cells[0], ".json") {
			continue
		}
		status, _ := strconv.Atoi(strings.SplitN(cells[header]+" ", " ", 2)[0])
		statuses[cells[0]] = status
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, header, 0, "SOURCES.md has no HTTP status column")
	return statuses
}
