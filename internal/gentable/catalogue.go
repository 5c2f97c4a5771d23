package gentable

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/accessapi/apierr/codes"
)

// Catalogue is what one codes package is generated from: the table's rows
// with their constant names, retry classes and flags settled.
type Catalogue struct {
	Package string // Go package name, also the api column of the override files
	String  bool   // the Code type is a string (Tapkey); else an int
	Source  string // the table's path from the module root, for the header
	Entries []Entry
}

// Entry is a row with its constant name, retry class and flags.
type Entry struct {
	Row
	Name          string
	Retry         codes.RetryClass
	RetryWhy      string // from retry.tsv; empty when the class is the status default
	AppliedWhy    string // from applied.tsv; non-empty exactly when codes.Info.Applied is true
	PermissionWhy string // from permission.tsv; non-empty exactly when codes.Info.Permission is true
}

// Overrides are the entries of one override file, for every API.
type Overrides struct {
	File    string // for error messages
	Entries []Override
}

// Curation is what people decided about codes, beyond the vendor's table:
// one override file each.
type Curation struct {
	Names      Overrides // constant names (value column "name")
	Retry      Overrides // retry classes (value column "class")
	Applied    Overrides // codes.Info.Applied (a flag file)
	Permission Overrides // codes.Info.Permission (a flag file)
}

// Build settles names, retry classes and flags for t, read from source. Only
// pkg's override entries are used, and each must match a row. All problems
// are reported together, so one run shows everything the override files need.
func Build(pkg string, isString bool, source string, t *Table, cur Curation) (*Catalogue, error) {
	names, retry := cur.Names, cur.Retry
	c := &Catalogue{Package: pkg, String: isString, Source: source, Entries: make([]Entry, len(t.Rows))}
	var errs []error
	failIn := func(file string, line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
	}
	fail := func(line int, format string, args ...any) { failIn(source, line, format, args...) }
	byCode := make(map[string]*Entry, len(t.Rows))
	seenInt := make(map[int]string, len(t.Rows))
	for i, row := range t.Rows {
		e := &c.Entries[i]
		e.Row, e.Retry = row, DefaultRetry(row.Status)
		byCode[row.Code] = e
		if isString {
			e.Name = row.Code
			continue
		}
		n, err := strconv.Atoi(row.Code)
		if err != nil || n < 0 {
			fail(row.Line, "code %q is not a non-negative integer", row.Code)
		} else if prev, dup := seenInt[n]; dup {
			fail(row.Line, "code %s is the same number as %s", row.Code, prev)
		} else {
			seenInt[n] = row.Code
		}
		text := row.Description
		if t.HasMessage {
			text = row.Message
		}
		e.Name = DeriveName(text)
	}
	for _, o := range names.Entries {
		if o.API != pkg {
			continue
		}
		if e := byCode[o.Code]; e == nil {
			failIn(names.File, o.Line, "%s %s is not in %s", o.API, o.Code, source)
		} else if isString {
			failIn(names.File, o.Line, "%s names are the codes themselves", pkg)
		} else {
			e.Name = o.Value
		}
	}
	for _, o := range retry.Entries {
		if o.API != pkg {
			continue
		}
		e := byCode[o.Code]
		class, err := ParseRetryClass(o.Value)
		switch {
		case e == nil:
			failIn(retry.File, o.Line, "%s %s is not in %s", o.API, o.Code, source)
		case err != nil:
			failIn(retry.File, o.Line, "%v", err)
		default:
			e.Retry, e.RetryWhy = class, o.Why
		}
	}
	for _, flag := range [...]struct {
		file Overrides
		why  func(*Entry) *string
	}{
		{cur.Applied, func(e *Entry) *string { return &e.AppliedWhy }},
		{cur.Permission, func(e *Entry) *string { return &e.PermissionWhy }},
	} {
		for _, o := range flag.file.Entries {
			if o.API != pkg {
				continue
			}
			if e := byCode[o.Code]; e == nil {
				failIn(flag.file.File, o.Line, "%s %s is not in %s", o.API, o.Code, source)
			} else {
				*flag.why(e) = o.Why
			}
		}
	}
	seenName := make(map[string]string, len(c.Entries))
	for _, e := range c.Entries {
		switch prev, dup := seenName[e.Name]; {
		case !validName(e.Name):
			fail(e.Line, "code %s: name %q is not an exported Go identifier free to use; add a row to %s", e.Code, e.Name, names.File)
		case len(e.Name) > MaxNameLen:
			fail(e.Line, "code %s: name %s is longer than %d characters; add a row to %s", e.Code, e.Name, MaxNameLen, names.File)
		case dup:
			fail(e.Line, "code %s: name %s is also code %s's; add a row to %s", e.Code, e.Name, prev, names.File)
		}
		seenName[e.Name] = e.Code
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}
