// Package entrecode holds the error codes of the entrecode APIs, one constant
// per row of the vendor's table (see tables/entrecode.tsv for the source).
//
// entrecode sends four digits: the system (1 Account Server, 2 Data Manager,
// 3 App Manager) followed by the three-digit code the table documents. The
// constants are the three-digit families; a family matches the code in every
// system, so errors.Is(err, entrecode.MissingPropertyInQueryString) holds for
// 1202, 2202 and 3202, while Code(2202) matches only 2202.
package entrecode

import (
	"fmt"
	"strconv"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/internal/errtext"
)

//go:generate go run ../internal/gencodes -api entrecode -type int -table ../tables/entrecode.tsv -out codes_gen.go

// Code is an entrecode error code: a documented three-digit family, or the
// four-digit code as sent (system digit first).
type Code int

// Error returns "entrecode: <code>" followed by the documented description.
func (c Code) Error() string { return errtext.Of("entrecode", c.String(), c.Info()) }

// String returns the code as entrecode writes it: a family keeps its three
// digits (Code(0) is "000").
func (c Code) String() string {
	if c >= 0 && c < 1000 {
		return fmt.Sprintf("%03d", int(c))
	}
	return strconv.Itoa(int(c))
}

// API returns "entrecode".
func (c Code) API() string { return "entrecode" }

// Family returns the three-digit code that c belongs to (2202 → 202).
func (c Code) Family() Code {
	if c >= 1000 && c < 10000 {
		return c % 1000
	}
	return c
}

// System returns the system digit of a four-digit code (2202 → 2), or 0.
func (c Code) System() int {
	if c >= 1000 && c < 10000 {
		return int(c) / 1000
	}
	return 0
}

// Info returns what the documents say about c's family: a four-digit code's
// Info is that of its last three digits (1451 → 451).
func (c Code) Info() codes.Info {
	info, _ := lookup(c.Family())
	return info
}

// Is reports whether target is the three-digit family of c, so that
// errors.Is(Code(2202), Code(202)) holds.
func (c Code) Is(target error) bool {
	t, ok := target.(Code)
	return ok && c >= 1000 && t >= 0 && t < 1000 && c.Family() == t
}

// All returns every documented code family, in table order.
func All() []Code { return append([]Code(nil), all...) }
