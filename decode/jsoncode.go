package decode

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsonCode is a code or a status as sent: a JSON number (400241) or a string
// ("400241", "Duplicate"), kept undecoded; only the accessor the decoder
// needs converts it.
type jsonCode struct {
	raw   []byte // the number, or the string token (quotes included)
	isStr bool
}

// codeValue accepts a number or a string; anything else is no code.
func codeValue(val []byte) jsonCode {
	switch {
	case len(val) > 2 && val[0] == '"':
		return jsonCode{raw: val, isStr: true}
	case len(val) > 0 && (val[0] == '-' || isDigit(val[0])):
		return jsonCode{raw: val}
	}
	return jsonCode{}
}

// present reports whether a non-empty code was sent.
func (c jsonCode) present() bool { return len(c.raw) > 0 }

// maxCodeDigits keeps int parsing clear of overflow; real codes have ≤ 6.
const maxCodeDigits = 18

// int returns the code as an integer: a JSON integer, or a string holding
// only an integer. Fractions, exponents and words are not integers.
func (c jsonCode) int() (int, bool) {
	s := c.raw
	if c.isStr {
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

// text returns the code as text: a string's contents, or a number's digits.
func (c jsonCode) text() string {
	if !c.isStr {
		return string(c.raw)
	}
	s, _ := decodeString(c.raw)
	return s
}

// decodeString decodes a JSON string token (quotes included); false when tok
// is not one. Text without escapes is copied as is; escapes are decoded by
// encoding/json; invalid escapes or UTF-8 are kept leniently as valid UTF-8.
func decodeString(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	contents := tok[1 : len(tok)-1]
	if bytes.IndexByte(contents, '\\') < 0 && utf8.Valid(contents) {
		return string(contents), true
	}
	var s string
	if json.Unmarshal(tok, &s) == nil {
		return s, true
	}
	return strings.ToValidUTF8(string(contents), "\uFFFD"), true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
