package errbody

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"
)

// maxTitle bounds a Title taken from a text or HTML body, in bytes.
const maxTitle = 200

// textTitle returns a short Title for a body that is not JSON: a proxy's
// HTML error page gives its <title> (else its first <h1>, else its first
// text), plain text gives its first words.
func textTitle(body []byte) string {
	b := body[skipBOM(body):]
	b = b[skipSpace(b, 0):]
	if len(b) == 0 || b[0] != '<' {
		return plainTitle(b)
	}
	for _, name := range [...]string{"title", "h1"} {
		if inner, ok := elementContent(b, name); ok {
			if t := htmlText(inner); t != "" {
				return t
			}
		}
	}
	return htmlText(b)
}

// htmlText returns the text of an HTML fragment as a title: tags, comments,
// scripts and styles removed, entities decoded.
func htmlText(b []byte) string {
	return plainTitle([]byte(html.UnescapeString(string(stripTags(b)))))
}

// stripTags returns the text outside tags, enough of it for a title.
func stripTags(b []byte) []byte {
	const enough = 4 * maxTitle
	var out []byte
	for i := 0; i < len(b) && len(out) < enough; {
		if b[i] != '<' {
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				j = len(b) - i
			}
			out = append(out, b[i:min(i+j, i+enough)]...)
			out = append(out, ' ')
			i += j
			continue
		}
		i = skipTag(b, i)
	}
	return out
}

// skipTag returns the index after the tag, comment, script or style element
// that starts at b[i] ('<').
func skipTag(b []byte, i int) int {
	rest := b[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return skipPast(b, i+4, "-->")
	case hasPrefixFold(rest, "<script"):
		return skipPast(b, skipPast(b, i+7, "</script"), ">")
	case hasPrefixFold(rest, "<style"):
		return skipPast(b, skipPast(b, i+6, "</style"), ">")
	}
	return skipPast(b, i+1, ">")
}

// skipPast returns the index after the first end at or after b[i] (compared
// case-insensitively), or len(b).
func skipPast(b []byte, i int, end string) int {
	if i > len(b) {
		return len(b)
	}
	if j := indexFold(b[i:], end); j >= 0 {
		return i + j + len(end)
	}
	return len(b)
}

// elementContent returns what lies between <name …> and </name, compared
// case-insensitively, outside comments, scripts and styles; an unclosed
// element runs to the end.
func elementContent(b []byte, name string) ([]byte, bool) {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return nil, false
		}
		i += j
		end := i + 1 + len(name)
		if !hasPrefixFold(b[i+1:], name) || (end < len(b) && b[end] != '>' && b[end] != '/' && !isSpace(b[end])) {
			i = skipTag(b, i) // another tag (<titlex> too), a comment, a script
			continue
		}
		gt := bytes.IndexByte(b[end:], '>')
		if gt < 0 {
			return nil, false
		}
		inner := b[end+gt+1:]
		if k := indexFold(inner, "</"+name); k >= 0 {
			inner = inner[:k]
		}
		return inner, true
	}
	return nil, false
}

// plainTitle collapses whitespace and control characters to single spaces
// and cuts the text to maxTitle bytes on a rune boundary, as valid UTF-8.
func plainTitle(b []byte) string {
	out := make([]byte, 0, maxTitle)
	space := false
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			space = len(out) > 0
			continue
		}
		if len(out)+1 >= maxTitle && (space || len(out) >= maxTitle) {
			out = trimPartialRune(out)
			break
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	if utf8.Valid(out) {
		return string(out)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// trimPartialRune drops a multi-byte rune cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			return b
		}
	}
	return b
}

// indexFold is bytes.Index ignoring ASCII case; sub is lower case.
func indexFold(b []byte, sub string) int {
	if len(sub) == 0 {
		return 0
	}
	first := sub[0]
	for i := 0; i+len(sub) <= len(b); i++ {
		if lower(b[i]) == first && hasPrefixFold(b[i:], sub) {
			return i
		}
	}
	return -1
}

// hasPrefixFold is bytes.HasPrefix ignoring ASCII case; prefix is lower case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(b[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
