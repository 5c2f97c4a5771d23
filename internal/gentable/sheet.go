// Package gentable reads the code tables kept in codes/tables and renders
// the Go catalogue that the codes packages compile: one constant per row, the
// table order and a lookup of what each row documents. gencodes is its
// command; the tests call it directly to compare with the committed files.
package gentable

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sheet is a tab-separated file as written in codes/tables: '#' comment
// lines naming the source, one line of column names, then one record a line.
type Sheet struct {
	Comments []string // the comment lines before the column names, without "#"
	Columns  []string
	Records  []Record
}

// Record is one data line of a Sheet.
type Record struct {
	Line   int // 1-based line number in the file, for error messages
	Fields []string
}

// maxLine bounds one line of a table; real rows are far shorter.
const maxLine = 64 << 10

// ReadSheet parses a Sheet. Blank lines are skipped; a '#' line after the
// column names is a comment too. Every record must have exactly one field
// per column.
func ReadSheet(r io.Reader) (*Sheet, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	s := &Sheet{}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(text) == "":
			continue
		case strings.HasPrefix(text, "#"):
			if s.Columns == nil {
				s.Comments = append(s.Comments, strings.TrimPrefix(strings.TrimPrefix(text, "#"), " "))
			}
			continue
		}
		if err := checkText(text); err != nil {
			return nil, fmt.Errorf("gentable: line %d: %w", line, err)
		}
		fields := strings.Split(text, "\t")
		if s.Columns == nil {
			if err := checkColumns(fields); err != nil {
				return nil, fmt.Errorf("gentable: line %d: %w", line, err)
			}
			s.Columns = fields
			continue
		}
		if len(fields) != len(s.Columns) {
			return nil, fmt.Errorf("gentable: line %d: %d fields, want %d (%s)",
				line, len(fields), len(s.Columns), strings.Join(s.Columns, ", "))
		}
		s.Records = append(s.Records, Record{Line: line, Fields: fields})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gentable: line %d: %w", line+1, err)
	}
	if s.Columns == nil {
		return nil, fmt.Errorf("gentable: no column names")
	}
	return s, nil
}

// checkText rejects what cannot go into a Go comment or string literal as
// read: invalid UTF-8, control characters other than tab, a byte order mark.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if r != '\t' && (unicode.IsControl(r) || r == '\uFEFF') {
			return fmt.Errorf("character %U not allowed", r)
		}
	}
	return nil
}

func checkColumns(names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" || strings.TrimSpace(n) != n {
			return fmt.Errorf("column name %q: empty or padded", n)
		}
		if seen[n] {
			return fmt.Errorf("column %q named twice", n)
		}
		seen[n] = true
	}
	return nil
}

// columns returns the index of each wanted column; a required one that is
// missing, or a column that is neither required nor optional, is an error.
func (s *Sheet) columns(required, optional []string) (map[string]int, error) {
	idx := make(map[string]int, len(s.Columns))
	for i, c := range s.Columns {
		idx[c] = i
	}
	for _, c := range required {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("gentable: missing column %q", c)
		}
	}
	for c := range idx {
		if !slices.Contains(required, c) && !slices.Contains(optional, c) {
			return nil, fmt.Errorf("gentable: unknown column %q", c)
		}
	}
	return idx, nil
}
