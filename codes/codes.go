// Package codes describes what the vendors' error documents say about an
// error code: its HTTP status, its description and how a client should retry
// it. The per-API packages below it hold one generated constant per
// documented code.
package codes

import "strconv"

// RetryClass says how a client should react when a response carries a code.
type RetryClass int

// The retry classes, from "never retry" to "retry idempotent requests".
const (
	// RetryNever: the request is wrong or forbidden; sending it again cannot help.
	RetryNever RetryClass = iota
	// RetryBackoff: the server asks us to slow down (429 and its equivalents);
	// wait with exponential backoff, honouring Retry-After.
	RetryBackoff
	// RetryConcurrency: a concurrent change won the race; a short randomised
	// pause and a new attempt usually succeed, whatever the method.
	RetryConcurrency
	// RetryTransient: the server or the network failed; retry only requests
	// that are safe to repeat.
	RetryTransient
)

var retryClassNames = [...]string{"never", "backoff", "concurrency", "transient"}

// String returns the class's name, such as "backoff".
func (r RetryClass) String() string {
	if r >= 0 && int(r) < len(retryClassNames) {
		return retryClassNames[r]
	}
	return "RetryClass(" + strconv.Itoa(int(r)) + ")"
}

// Info is what a documentation row says about a code, with what we curated
// about it (Retry, Applied and Permission: each decision is in
// codes/tables with its reason).
type Info struct {
	Known       bool       // the code is listed in the vendor's documents
	Status      int        // the documented HTTP status, 0 when none is given
	Description string     // the documented description
	Retry       RetryClass // how to retry a request that failed with this code
	// Applied: the state the request asked for already holds ("Person
	// already blocked", "Access right already assigned"), so an ensure-style
	// caller may treat the request as done. Not set for codes where something
	// else exists ("Personal number already in use", Tapkey Duplicate: the
	// existing grant may differ). Curated per row in codes/tables/applied.tsv.
	Applied bool
	// Permission: a refusal of the permission, not of the token: the client
	// keeps its token and does not replay, even when the code comes with a
	// 401 (entrecode 2410 "Insufficient rights", exos 300010). Curated per
	// row in codes/tables/permission.tsv.
	Permission bool
}

// Generic is a code from an API with no catalogue: an RFC 9457 `type` or a
// `code` member, as text. Its Info is never Known.
type Generic string

// Error returns "apierr: " followed by the code as sent. (A generic code has
// no API name or description to add, unlike the catalogue codes' Error.)
func (g Generic) Error() string { return "apierr: " + string(g) }

// String returns the code as sent.
func (g Generic) String() string { return string(g) }

// Info returns the zero Info: a generic code has no documentation.
func (g Generic) Info() Info { return Info{} }

// API returns the empty string: a generic code belongs to no known API.
func (g Generic) API() string { return "" }
