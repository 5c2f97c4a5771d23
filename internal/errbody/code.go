package errbody

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Code is a code or a status as sent: a JSON number (400241) or a string
// ("400241", "Duplicate"), kept undecoded; only the accessor the decoder
// needs converts it.
type Code struct {
	Raw   []byte // the number, or the string token (quotes included)
	IsStr bool   // sent as a JSON string
}

// codeValue accepts a number or a string; anything else is no code.
func codeValue(val []byte) Code {
	switch {
	case len(val) > 2 && val[0] == '"':
		return Code{Raw: val, IsStr: true}
	case len(val) > 0 && (val[0] == '-' || isDigit(val[0])):
		return Code{Raw: val}
	}
	return Code{}
}

// Present reports whether a non-empty code was sent.
func (c Code) Present() bool { return len(c.Raw) > 0 }

// maxCodeDigits keeps int parsing clear of overflow; real codes have ≤ 6.
const maxCodeDigits = 18

// Int returns the code as an integer: a JSON integer, or a string holding
// only an integer. Fractions, exponents and words are not integers.
func (c Code) Int() (int, bool) {
	s := c.Raw
	if c.IsStr {
		s = bytes.TrimSpace(s[1 : len(s)-1])
	}
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > maxCodeDigits {
		return 0, false
	}
	n := 0
	for _, d := range s {
		if !isDigit(d) {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Text returns the code as text: a string's contents, or a number's digits.
func (c Code) Text() string {
	if !c.IsStr {
		return string(c.Raw)
	}
	s, _ := DecodeString(c.Raw)
	return s
}

// DecodeString decodes a JSON string token (quotes included); false when tok
// is not one. It decodes as encoding/json does (an invalid UTF-8 byte or a
// lone surrogate becomes U+FFFD) and keeps an invalid escape as sent.
func DecodeString(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	contents := tok[1 : len(tok)-1]
	if bytes.IndexByte(contents, '\\') < 0 && utf8.Valid(contents) {
		return string(contents), true
	}
	return unescape(contents), true
}

// unescape decodes the contents of a JSON string that has escapes or
// invalid UTF-8, in one allocation: escapes only shrink, and each invalid
// byte grows by two (to U+FFFD).
func unescape(s []byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2*invalidBytes(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			r, n := unescapeAt(s[i:])
			if n == 0 { // not an escape: keep the backslash
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteRune(r)
			i += n
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			b.WriteRune(r) // RuneError for an invalid byte
			i += n
		}
	}
	return b.String()
}

// unescapeAt decodes the escape at the start of s (a backslash) and returns
// the rune and the bytes it took; 0 bytes when it is not a valid escape.
func unescapeAt(s []byte) (rune, int) {
	switch s[1] {
	case '"', '\\', '/':
		return rune(s[1]), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(s[2:])
		if r < 0 {
			return 0, 0
		}
		if !utf16.IsSurrogate(r) {
			return r, 6
		}
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if pair := utf16.DecodeRune(r, hex4(s[8:])); pair != utf8.RuneError {
				return pair, 12
			}
		}
		return utf8.RuneError, 6 // a lone surrogate
	}
	return 0, 0
}

// hex4 reads four hex digits, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// invalidBytes counts the bytes of s that are not valid UTF-8.
func invalidBytes(s []byte) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			n++
		}
		i += size
	}
	return n
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
