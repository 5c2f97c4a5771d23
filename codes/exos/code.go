// Package exos holds the error codes of the dormakaba exos 9300 API, one
// constant per row of the vendor's table (see tables/exos.tsv for the source).
package exos

import (
	"strconv"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/internal/errtext"
)

//go:generate go run ../internal/gencodes -api exos -type int -table ../tables/exos.tsv -out codes_gen.go

// Code is an exos ErrorCode: six digits, plus one stray three-digit 405.
type Code int

// Error returns "exos: <code>" followed by the documented description.
func (c Code) Error() string { return errtext.Of("exos", c.String(), c.Info()) }

// String returns the code as exos sends it.
func (c Code) String() string { return strconv.Itoa(int(c)) }

// API returns "exos".
func (c Code) API() string { return "exos" }

// Info returns what the exos documents say about c; Known is false for a
// code they do not list.
func (c Code) Info() codes.Info {
	info, _ := lookup(c)
	return info
}

// All returns every documented code, in table order.
func All() []Code { return append([]Code(nil), all...) }
