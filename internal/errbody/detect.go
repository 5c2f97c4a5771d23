package errbody

import (
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/usta"
)

// API is the vendor whose error shape a body has.
type API int

// The APIs Detect tells apart; Generic is none of them.
const (
	Generic API = iota
	Tapkey
	Entrecode
	USTA
	Exos
)

// Detect tells the APIs apart by the members e holds; where only an
// integer code tells (USTA and exos both send errorCode), the catalogues
// decide. It lives here, not in decode, so that the root package can detect
// the vendor without importing decode.
func Detect(e *Envelope) API {
	switch {
	case isTapkey(e):
		return Tapkey
	case isEntrecode(e):
		return Entrecode
	}
	if n, ok := e.ErrorCode.Int(); ok {
		switch {
		case exos.Code(n).Info().Known:
			return Exos
		case e.Promoted || ustaKnown(n):
			return USTA
		case isSixDigits(n):
			return Exos
		}
	}
	if n, ok := e.Code.Int(); ok && (isSixDigits(n) || exos.Code(n).Info().Known) {
		return Exos
	}
	if e.OData {
		return Exos
	}
	return Generic
}

// isTapkey: a PascalCase ErrorCode string, or Tapkey's message members with
// no code at all (Tapkey's ErrorCode may be missing).
func isTapkey(e *Envelope) bool {
	if c := e.ErrorCode; c.Present() {
		_, numeric := c.Int()
		return c.IsStr && !numeric && c.Raw[1] >= 'A' && c.Raw[1] <= 'Z' // Raw[0] is the quote
	}
	return !e.Code.Present() && (e.ErrorMessage != "" || e.ErrorDetails != "" || e.UserErrorMessage != "")
}

// isEntrecode: HAL sub-errors, or a four-digit `code` with a title or HAL
// links.
func isEntrecode(e *Envelope) bool {
	if e.EmbeddedError != nil {
		return true
	}
	n, ok := e.Code.Int()
	return ok && n >= 1000 && n <= 9999 && (e.Title != "" || e.Links != nil)
}

// ustaKnown: USTA documents n, or the four-digit code it refines.
func ustaKnown(n int) bool {
	c := usta.Code(n)
	return c.Info().Known || c.Parent().Info().Known
}

func isSixDigits(n int) bool { return n >= 100000 && n <= 999999 }

// IntCode returns the first code that was sent, as an integer; 0 when it
// is not one.
func IntCode(preferred, other Code) int {
	c := preferred
	if !c.Present() {
		c = other
	}
	n, _ := c.Int()
	return n
}

// TextCode returns the first code that was sent, as text.
func TextCode(preferred, other Code) string {
	if preferred.Present() {
		return preferred.Text()
	}
	return other.Text()
}
