package cli

import (
	"fmt"
	"net/url"
	"strings"
)

// Env reads the variables a program needs and notes the ones missing, so
// that one error names them all rather than one per run.
type Env struct {
	Getenv  func(string) string
	missing []string
}

// Need returns the variable name with surrounding white space removed,
// noting it as missing when that leaves nothing.
func (e *Env) Need(name string) string {
	return strings.TrimSpace(e.NeedExact(name))
}

// NeedExact is Need for a value kept as set, such as a password, which may
// begin or end with a space.
func (e *Env) NeedExact(name string) string {
	v := e.Getenv(name)
	if strings.TrimSpace(v) == "" {
		e.missing = append(e.missing, name)
	}
	return v
}

// Missing returns nil, or an error that names the missing variables after
// when ("with -base-url").
func (e *Env) Missing(when string) error {
	if len(e.missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s these variables must be set: %s", when, strings.Join(e.missing, ", "))
}

// CheckURL reports a URL that is not absolute http or https. The message
// names the flag or variable, not the value, which may hold credentials.
func CheckURL(name, raw string) error {
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an absolute http(s) URL", name)
	}
	return nil
}
