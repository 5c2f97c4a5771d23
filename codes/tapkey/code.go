// Package tapkey holds the error codes of the Tapkey Management API, one
// constant per row of the vendor's three Error Codes tables (see
// tables/tapkey.tsv for the source).
package tapkey

import (
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/internal/errtext"
)

//go:generate go run ../internal/gencodes -api tapkey -type string -table ../tables/tapkey.tsv -out codes_gen.go

// Code is a Tapkey ErrorCode, such as "Duplicate".
type Code string

// Error returns "tapkey: <code>" followed by the documented description.
func (c Code) Error() string { return errtext.Of("tapkey", string(c), c.Info()) }

// String returns the code as Tapkey sends it.
func (c Code) String() string { return string(c) }

// API returns "tapkey".
func (c Code) API() string { return "tapkey" }

// Info returns what the Tapkey documents say about c; Known is false for a
// code they do not list. Tapkey documents no status per code.
func (c Code) Info() codes.Info {
	info, _ := lookup(c)
	return info
}

// All returns every documented code, in table order.
func All() []Code { return append([]Code(nil), all...) }
