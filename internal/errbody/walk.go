package errbody

import "iter"

// These helpers step through a JSON array or object without decoding it: to
// read sub-errors one at a time up to a cap, and to find the members of an
// invalid body. They check structure only (values are validated by
// encoding/json afterwards), stop early on malformed input and never index
// out of range.

// elements yields each element of the JSON array raw.
func Elements(raw []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		i := skipSpace(raw, 0)
		if i >= len(raw) || raw[i] != '[' {
			return
		}
		i = skipSpace(raw, i+1)
		if i < len(raw) && raw[i] == ']' {
			return
		}
		for i < len(raw) {
			end := valueEnd(raw, i)
			if end < 0 || !yield(raw[i:end]) {
				return
			}
			i = skipSpace(raw, end)
			if i >= len(raw) || raw[i] != ',' {
				return
			}
			i = skipSpace(raw, i+1)
		}
	}
}

// members yields each member of the JSON object Raw: its key (a JSON string,
// quotes included) and its value. It reads on over a missing comma between
// members, and stops at the first member that does not end.
func Members(raw []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(key, val []byte) bool) {
		i := skipSpace(raw, 0)
		if i >= len(raw) || raw[i] != '{' {
			return
		}
		i = skipSpace(raw, i+1)
		for i < len(raw) && raw[i] == '"' {
			kend := valueEnd(raw, i)
			if kend < 0 {
				return
			}
			j := skipSpace(raw, kend)
			if j >= len(raw) || raw[j] != ':' {
				return
			}
			j = skipSpace(raw, j+1)
			vend := valueEnd(raw, j)
			if vend < 0 || !yield(raw[i:kend], raw[j:vend]) {
				return
			}
			i = skipSpace(raw, vend)
			switch {
			case i < len(raw) && raw[i] == ',':
				i = skipSpace(raw, i+1)
			case i < len(raw) && raw[i] == '"':
				// A missing comma, as in entrecode's published example:
				// read on, since the next member is plainly there.
			default:
				return
			}
		}
	}
}

// firstElement returns the first element of the JSON array raw.
func firstElement(raw []byte) ([]byte, bool) {
	for e := range Elements(raw) {
		return e, true
	}
	return nil, false
}

// valueEnd returns the index just past the JSON value that starts at raw[i],
// or -1 when the value does not end within raw.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return -1
	}
	switch raw[i] {
	case '"':
		return stringEnd(raw, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(raw); j++ {
			switch raw[j] {
			case '"':
				end := stringEnd(raw, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(raw) && !isDelimiter(raw[j]) {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// stringEnd returns the index just past the JSON string that starts at
// raw[i] (a quote), or -1.
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

func isDelimiter(b byte) bool {
	switch b {
	case ',', ']', '}', ':', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	return i
}
