package gentable

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadSheet(t *testing.T) {
	in := "# source: a vendor\n#\n#plain\n\ncode\tstatus\r\n1\t400\r\n\n# a later note\n2\t404\n"
	s, err := ReadSheet(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []string{"source: a vendor", "", "plain"}, s.Comments)
	assert.Equal(t, []string{"code", "status"}, s.Columns)
	assert.Equal(t, []Record{{Line: 6, Fields: []string{"1", "400"}}, {Line: 9, Fields: []string{"2", "404"}}}, s.Records)
}

func TestReadSheetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "no column names"},
		{"only comments", "# x\n\n", "no column names"},
		{"too few fields", "a\tb\n1\n", "line 2: 1 fields, want 2 (a, b)"},
		{"too many fields", "a\tb\n1\t2\t3\n", "line 2: 3 fields, want 2"},
		{"duplicate column", "a\ta\n", `line 1: column "a" named twice`},
		{"empty column", "a\t\n", `line 1: column name "": empty or padded`},
		{"padded column", "a\t b\n", `column name " b": empty or padded`},
		{"NUL", "a\nx\x00y\n", "line 2: character U+0000 not allowed"},
		{"invalid UTF-8", "a\n\xff\n", "line 2: not valid UTF-8"},
		{"byte order mark", "\ufeffa\n", "line 1: character U+FEFF not allowed"},
		{"line too long", "a\n" + strings.Repeat("x", maxLine+1) + "\n", "line 2: bufio.Scanner: token too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSheet(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "gentable: "), err.Error())
		})
	}
}
