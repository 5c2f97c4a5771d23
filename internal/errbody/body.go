package errbody

// Read fills e from body, whatever body holds: a JSON object (read in
// one pass; what precedes a syntax error is kept), a JSON array of errors, a
// JSON string, HTML or plain text, or nothing.
func (e *Envelope) Read(body []byte) {
	i := skipSpace(body, skipBOM(body))
	if i >= len(body) {
		return
	}
	switch body[i] {
	case '{':
		if e.ReadObject(body[i:]) == 0 && !isEmptyObject(body[i:]) {
			e.Title = textTitle(body) // {error} or {'a': 1}: not JSON after all
		}
	case '[':
		e.Errors = body[i:]
	case '"':
		if s, ok := DecodeString(body[i:valueEndOr(body, i)]); ok {
			e.Title = plainTitle([]byte(s))
		} else {
			e.Title = textTitle(body)
		}
	default:
		e.Title = textTitle(body)
	}
	e.normalize()
}

// valueEndOr returns the end of the JSON value at body[i], or len(body).
func valueEndOr(body []byte, i int) int {
	if end := valueEnd(body, i); end >= 0 {
		return end
	}
	return len(body)
}

// isEmptyObject reports whether obj is `{}`, spaces allowed.
func isEmptyObject(obj []byte) bool {
	i := skipSpace(obj, 1)
	return i < len(obj) && obj[i] == '}'
}

// skipBOM returns the length of a UTF-8 byte order mark at the start of b.
func skipBOM(b []byte) int {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return 3
	}
	return 0
}
