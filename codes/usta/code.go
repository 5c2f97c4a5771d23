// Package usta holds the error codes of the USTA API, one constant per row of
// the vendor's table (see tables/usta.tsv for the source).
//
// USTA codes have four digits; a six-digit code refines one of them
// (200601 is a kind of 2006), and errors.Is(err, usta.EntitySavingError)
// holds for both.
package usta

import (
	"strconv"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/internal/errtext"
)

//go:generate go run ../internal/gencodes -api usta -type int -table ../tables/usta.tsv -out codes_gen.go

// Code is a USTA errorCode.
type Code int

// Error returns "usta: <code>" followed by the documented description.
func (c Code) Error() string { return errtext.Of("usta", c.String(), c.Info()) }

// String returns the code as USTA sends it.
func (c Code) String() string { return strconv.Itoa(int(c)) }

// API returns "usta".
func (c Code) API() string { return "usta" }

// Parent returns the four-digit code that a six-digit code refines
// (200601 → 2006), or c itself.
func (c Code) Parent() Code {
	if c >= 100000 && c < 1000000 {
		return c / 100
	}
	return c
}

// Info returns what the documents say about c. An undocumented six-digit
// code is not Known but carries its parent's status, description and class.
func (c Code) Info() codes.Info {
	if info, ok := lookup(c); ok {
		return info
	}
	info, _ := lookup(c.Parent())
	info.Known = false
	return info
}

// Is reports whether target is the four-digit code that c refines, so that
// errors.Is(Code(200601), Code(2006)) holds.
func (c Code) Is(target error) bool {
	t, ok := target.(Code)
	return ok && c != t && c.Parent() == t
}

// All returns every documented code, in table order.
func All() []Code { return append([]Code(nil), all...) }
