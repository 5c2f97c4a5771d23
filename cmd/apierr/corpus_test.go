package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/internal/corpustest"
)

// Every corpus body decodes through the command, as a body with --status
// and as raw HTTP, to SOURCES.md's status and the API and code it carries.
func TestCorpusDecodes(t *testing.T) {
	for _, c := range corpustest.Bodies(t) {
		t.Run(c.Name, func(t *testing.T) {
			body, err := os.ReadFile(c.Path)
			require.NoError(t, err)

			args := []string{"decode", "--json", c.Path}
			if c.Status != 0 {
				args = []string{"decode", "--json", "--status", strconv.Itoa(c.Status), c.Path}
			}
			check(t, runWith(nil, args...), c)
			if c.Status != 0 {
				raw := "HTTP/1.1 " + strconv.Itoa(c.Status) + " Whatever\r\nContent-Type: application/json\r\n\r\n" + string(body)
				check(t, runWith(strings.NewReader(raw), "decode", "--json"), c)
			}
		})
	}
}

func check(t *testing.T, r result, want corpustest.Body) {
	t.Helper()
	require.Equal(t, 0, r.code, r.stderr)
	var got []decodedJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	assert.Equal(t, want.API, got[0].API)
	assert.Equal(t, want.Code, got[0].Code)
	assert.Equal(t, want.Status, got[0].Status)
	assert.Len(t, got[0].Errors, want.SubErrors)
}
