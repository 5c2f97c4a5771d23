package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's "apierr command" section shows the command's real output:
// each console block that runs apierr alone is run again and compared.
func TestReadmeSectionOutput(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(raw), "\n## apierr command\n")
	require.True(t, ok, "README.md has no \"## apierr command\" section")
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := strings.Split(section, "```console\n")[1:]
	ran := 0
	for _, b := range blocks {
		b = b[:strings.Index(b, "```")]
		cmdLine, want, _ := strings.Cut(b, "\n")
		var stdin io.Reader
		if pipe := strings.Index(b, "| apierr "); strings.HasPrefix(cmdLine, "$ curl -si") && pipe >= 0 {
			// The curl example: its output as captured from apierrtest's
			// Tapkey fake, piped into the command on the block's last
			// command line.
			f, err := os.Open(filepath.Join("testdata", "tapkey-409.http"))
			require.NoError(t, err)
			defer f.Close()
			stdin = f
			cmd, out, _ := strings.Cut(b[pipe+len("| "):], "\n")
			cmdLine, want = "$ "+cmd, out
		}
		if !strings.HasPrefix(cmdLine, "$ apierr ") {
			t.Fatalf("a console block that runs something else: %q", cmdLine)
		}
		t.Run(cmdLine, func(t *testing.T) {
			r := runWith(stdin, strings.Fields(strings.TrimPrefix(cmdLine, "$ apierr "))...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, want, r.stdout)
		})
		ran++
	}
	assert.Equal(t, 3, ran, "the three examples")
}
