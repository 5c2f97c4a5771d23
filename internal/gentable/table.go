package gentable

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Table is a vendor's code table: the rows in the vendor's order.
type Table struct {
	Source     []string // the comment lines naming the source and the copy date
	HasMessage bool     // the table has a message column (USTA)
	Rows       []Row
}

// Row is one documented code.
type Row struct {
	Line        int    // line in the table file
	Code        string // as the vendor writes it ("000", "400241", "Duplicate")
	Status      int    // documented HTTP status; 0 when none is documented
	Message     string // the message the API sends, when the table lists it
	Description string
}

// ReadTable parses a code table: columns code, status and description, and
// optionally message. Codes must be unique, statuses 0 or 100–599.
func ReadTable(r io.Reader) (*Table, error) {
	s, err := ReadSheet(r)
	if err != nil {
		return nil, err
	}
	col, err := s.columns([]string{"code", "status", "description"}, []string{"message"})
	if err != nil {
		return nil, err
	}
	msg, hasMsg := col["message"]
	t := &Table{Source: s.Comments, HasMessage: hasMsg, Rows: make([]Row, 0, len(s.Records))}
	seen := make(map[string]int, len(s.Records))
	for _, rec := range s.Records {
		f := rec.Fields
		row := Row{Line: rec.Line, Code: f[col["code"]], Description: f[col["description"]]}
		if hasMsg {
			row.Message = f[msg]
		}
		if row.Code == "" || strings.TrimSpace(row.Code) != row.Code {
			return nil, fmt.Errorf("gentable: line %d: code %q: empty or padded", rec.Line, row.Code)
		}
		if prev, dup := seen[row.Code]; dup {
			return nil, fmt.Errorf("gentable: line %d: code %s already on line %d", rec.Line, row.Code, prev)
		}
		seen[row.Code] = rec.Line
		if row.Status, err = parseStatus(f[col["status"]]); err != nil {
			return nil, fmt.Errorf("gentable: line %d: code %s: %w", rec.Line, row.Code, err)
		}
		if strings.TrimSpace(row.Description) == "" {
			return nil, fmt.Errorf("gentable: line %d: code %s: empty description", rec.Line, row.Code)
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("gentable: table has no rows")
	}
	return t, nil
}

func parseStatus(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || (n != 0 && (n < 100 || n > 599)) {
		return 0, fmt.Errorf("status %q: want 0 (none documented) or 100-599", s)
	}
	return n, nil
}
