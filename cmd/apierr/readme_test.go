package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README section's examples show the command's real output: each
// console block that runs apierr alone is run again and compared.
func TestReadmeSectionOutput(t *testing.T) {
	raw, err := os.ReadFile("README-section.md")
	require.NoError(t, err)
	blocks := strings.Split(string(raw), "```console\n")[1:]
	ran := 0
	for _, b := range blocks {
		b = b[:strings.Index(b, "```")]
		cmdLine, want, _ := strings.Cut(b, "\n")
		if !strings.HasPrefix(cmdLine, "$ apierr ") {
			continue // fed from another command (curl): not reproducible here
		}
		t.Run(cmdLine, func(t *testing.T) {
			r := runWith(nil, strings.Fields(strings.TrimPrefix(cmdLine, "$ apierr "))...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, want, r.stdout)
		})
		ran++
	}
	assert.GreaterOrEqual(t, ran, 2)
}
