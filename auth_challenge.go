package apierr

import "strings"

// authChallenge is one challenge of a WWW-Authenticate header (RFC 9110
// section 11.6.1): a scheme followed by either a token68 or auth-params.
type authChallenge struct {
	Scheme  string            // as sent; compare with strings.EqualFold
	Token68 string            // the token68 form, when the challenge has one
	Params  map[string]string // auth-params, names lower-cased, values unquoted
}

// parseChallenges reads every challenge from the WWW-Authenticate header
// values. One value may hold several challenges separated by commas, which
// also separate the auth-params, so a new challenge is recognised by a token
// that is not followed by "=". Malformed parts are skipped, never fatal.
func parseChallenges(values []string) []authChallenge {
	var out []authChallenge
	for _, v := range values {
		p := challengeParser{s: v}
		out = p.parse(out)
	}
	return out
}

// insufficientScope returns the scope and description of the first
// challenge that reports error="insufficient_scope" (RFC 6750 section 3.1).
func insufficientScope(challenges []authChallenge) (scope, description string, ok bool) {
	for _, c := range challenges {
		if c.Params["error"] == "insufficient_scope" {
			return c.Params["scope"], c.Params["error_description"], true
		}
	}
	return "", "", false
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) parse(out []authChallenge) []authChallenge {
	for p.i < len(p.s) {
		p.skip(" \t,")
		if p.i >= len(p.s) {
			break
		}
		scheme := p.token()
		if scheme == "" {
			p.i++ // not a challenge: step over the stray byte
			continue
		}
		c := authChallenge{Scheme: scheme}
		p.skip(" \t")
		if t68, ok := p.token68(); ok {
			c.Token68 = t68
		} else {
			c.Params = p.params()
		}
		out = append(out, c)
	}
	return out
}

// params reads auth-params until the next challenge or the end.
func (p *challengeParser) params() map[string]string {
	var m map[string]string
	for p.i < len(p.s) {
		start := p.i
		name := p.token()
		if name == "" {
			p.skipTo(',')
			if !p.comma() {
				return m
			}
			continue
		}
		p.skip(" \t")
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			p.i = start // a token without "=": the next challenge's scheme
			return m
		}
		p.i++
		p.skip(" \t")
		var value string
		if p.i < len(p.s) && p.s[p.i] == '"' {
			value = p.quoted()
		} else {
			value = p.token()
		}
		if m == nil {
			m = make(map[string]string, 4)
		}
		name = strings.ToLower(name)
		if _, dup := m[name]; !dup {
			m[name] = value
		}
		p.skip(" \t")
		if p.i < len(p.s) && p.s[p.i] != ',' {
			p.skipTo(',') // garbage after the value
		}
		if !p.comma() {
			return m
		}
	}
	return m
}

// comma consumes one comma and the blanks and empty list elements after it.
func (p *challengeParser) comma() bool {
	if p.i >= len(p.s) || p.s[p.i] != ',' {
		return false
	}
	p.skip(" \t,")
	return true
}

// token68 reads a token68 credential if one ends the challenge here.
func (p *challengeParser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && isToken68Char(p.s[j]) {
		j++
	}
	if j == p.i {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	end := j
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	if j < len(p.s) && p.s[j] != ',' {
		return "", false
	}
	t := p.s[p.i:end]
	p.i = j
	return t, true
}

func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string starting at the opening quote and returns
// its content with backslash escapes resolved. An unterminated string runs
// to the end.
func (p *challengeParser) quoted() string {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String()
		case '\\':
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
				p.i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *challengeParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

// skipTo advances to the next c outside a quoted-string, or to the end.
func (p *challengeParser) skipTo(c byte) {
	for p.i < len(p.s) && p.s[p.i] != c {
		if p.s[p.i] == '"' {
			p.quoted()
			continue
		}
		p.i++
	}
}

// isTokenChar reports whether c is a tchar (RFC 9110 section 5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isToken68Char reports whether c may appear in a token68 before its
// trailing "=" padding (RFC 9110 section 11.2).
func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}
