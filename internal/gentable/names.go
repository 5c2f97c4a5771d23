package gentable

import (
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest constant name the generator accepts; a longer
// derived name needs an entry in names.tsv.
const MaxNameLen = 40

// fillerPrefixes open many exos descriptions without naming anything; they
// are removed in this order.
var fillerPrefixes = []string{"returned if ", "if ", "there is ", "there was "}

// stopWords carry no meaning in a constant name.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "were": true,
}

// phrases shortens wording before the split: "(s)" plurals stay plurals,
// asides in parentheses go, and "maximum number of" says no more than
// "maximum".
var phrases = strings.NewReplacer("(s)", "s", "n't", " not", "'s", "s", "maximum number of", "maximum",
	"Maximum number of", "Maximum")

// initialisms are written the Go way (ID, API, JSON …) whatever the table's
// casing.
var initialisms = map[string]string{
	"api": "API", "csv": "CSV", "eacm": "EACM", "email": "Email", "hal": "HAL",
	"http": "HTTP", "ical": "ICAL", "id": "ID", "json": "JSON", "mq": "MQ",
	"oauth": "OAuth", "oss": "OSS", "ptr": "PTR", "qr": "QR", "sap": "SAP",
	"sso": "SSO", "tcp": "TCP", "uid": "UID", "url": "URL", "uspta": "USPTA",
}

// DeriveName turns a description into a constant name: its first sentence,
// without filler such as "Returned if" and articles, in CamelCase with Go
// initialisms. "Concurrency-Error. The action …" gives ConcurrencyError,
// "Unknown API key or Identifier" gives UnknownAPIKeyOrIdentifier. The
// result may be empty or too long; Generate checks it.
func DeriveName(desc string) string {
	s := strings.TrimSpace(desc)
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	for _, p := range fillerPrefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
		}
	}
	s = dropAsides(phrases.Replace(s))
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isIdentRune(r) }) {
		if stopWords[strings.ToLower(w)] {
			continue
		}
		b.WriteString(camelWord(w))
	}
	return b.String()
}

// dropAsides removes text in parentheses, "(only 2358 is defined)".
func dropAsides(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
			b.WriteByte(' ')
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isIdentRune(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// camelWord capitalises w, keeping an inner CamelCase ("dateTime" →
// "DateTime") and writing initialisms and a trailing Id/Uid the Go way.
func camelWord(w string) string {
	if v, ok := initialisms[strings.ToLower(w)]; ok {
		return v
	}
	w = strings.ToUpper(w[:1]) + w[1:]
	for _, suf := range [...]string{"Uid", "Id"} {
		if len(w) > len(suf) && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)] + strings.ToUpper(suf)
		}
	}
	return w
}

// validName reports whether name can be an exported constant that does not
// clash with what the hand-written code.go files declare.
func validName(name string) bool {
	return token.IsIdentifier(name) && token.IsExported(name) && !reservedNames[name]
}

// reservedNames are declared by every codes package's code.go.
var reservedNames = map[string]bool{"Code": true, "All": true}
