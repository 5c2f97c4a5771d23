package gentable

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTable(t *testing.T) {
	in := "# Source: seed 002\ncode\tstatus\tmessage\tdescription\n2006\t0\tentity saving error\tError occurred.\n3001\t404\tentity not found\tEntity was not found.\n"
	tb, err := ReadTable(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []string{"Source: seed 002"}, tb.Source)
	assert.True(t, tb.HasMessage)
	assert.Equal(t, []Row{
		{Line: 3, Code: "2006", Status: 0, Message: "entity saving error", Description: "Error occurred."},
		{Line: 4, Code: "3001", Status: 404, Message: "entity not found", Description: "Entity was not found."},
	}, tb.Rows)
}

func TestReadTableColumnsInAnyOrder(t *testing.T) {
	tb, err := ReadTable(strings.NewReader("description\tcode\tstatus\nConcurrency\t400241\t400\n"))
	require.NoError(t, err)
	assert.False(t, tb.HasMessage)
	assert.Equal(t, []Row{{Line: 2, Code: "400241", Status: 400, Description: "Concurrency"}}, tb.Rows)
}

func TestReadTableErrors(t *testing.T) {
	const head = "code\tstatus\tdescription\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"missing column", "code\tdescription\n1\tx\n", `missing column "status"`},
		{"unknown column", "code\tstatus\tdescription\tnote\n1\t400\tx\ty\n", `unknown column "note"`},
		{"no rows", head, "table has no rows"},
		{"empty code", head + "\t400\tx\n", `line 2: code "": empty or padded`},
		{"padded code", head + " 1\t400\tx\n", `line 2: code " 1": empty or padded`},
		{"duplicate code", head + "1\t400\tx\n1\t404\ty\n", "line 3: code 1 already on line 2"},
		{"status not a number", head + "1\tfour\tx\n", `line 2: code 1: status "four"`},
		{"status out of range", head + "1\t600\tx\n", `status "600": want 0 (none documented) or 100-599`},
		{"status below range", head + "1\t99\tx\n", `status "99"`},
		{"empty description", head + "1\t400\t \n", "line 2: code 1: empty description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTable(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
