// Package redact removes secrets from URLs and headers before they reach an
// error text or a log line.
package redact

import (
	"net/http"
	"net/url"
	"strings"
)

// Mask replaces a secret value.
const Mask = "REDACTED"

// secretParams are query parameters whose values are credentials, compared
// case-insensitively.
var secretParams = []string{
	"access_token", "refresh_token", "id_token", "token", "client_secret",
	"password", "passwd", "code", "code_verifier", "api_key", "apikey",
	"key", "secret", "signature", "sig", "assertion", "identifier", "session",
}

// IsSecretParam reports whether a query parameter's value is a credential.
func IsSecretParam(name string) bool {
	for _, s := range secretParams {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// URL returns u as a string with the password and every secret query value
// replaced by Mask. It does not modify u.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	fragment := u.EscapedFragment()
	if u.User == nil && !hasSecretParam(u.RawQuery) && !hasSecretParam(fragment) {
		return u.String()
	}
	c := *u
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), Mask)
		}
	}
	if hasSecretParam(c.RawQuery) {
		c.RawQuery = query(c.RawQuery)
	}
	if hasSecretParam(fragment) { // the OAuth2 implicit flow returns tokens there
		c.RawFragment = query(fragment)
		c.Fragment, _ = url.PathUnescape(c.RawFragment)
	}
	return c.String()
}

// String parses raw as a URL and redacts it; text that does not parse is
// returned with its query removed, as it cannot be redacted safely.
func String(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	return URL(u)
}

func hasSecretParam(rawQuery string) bool {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, _, _ := strings.Cut(kv, "=")
		if ku, err := url.QueryUnescape(k); err == nil {
			k = ku
		}
		if IsSecretParam(k) {
			return true
		}
	}
	return false
}

// query masks secret values while keeping the parameters' order and encoding.
func query(rawQuery string) string {
	parts := strings.Split(rawQuery, "&")
	for i, kv := range parts {
		k, _, hasValue := strings.Cut(kv, "=")
		name := k
		if ku, err := url.QueryUnescape(k); err == nil {
			name = ku
		}
		if hasValue && IsSecretParam(name) {
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

// secretHeaders carry credentials; their values never reach a log.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"}

// Header returns a copy of h with credential values replaced by Mask. Keys
// are compared case-insensitively: a Header built as a map literal may hold
// "authorization" rather than the canonical key.
func Header(h http.Header) http.Header {
	c := h.Clone()
	for k := range c {
		if IsSecretHeader(k) {
			c[k] = []string{Mask}
		}
	}
	return c
}

// IsSecretHeader reports whether the header name carries credentials,
// compared case-insensitively.
func IsSecretHeader(name string) bool {
	for _, s := range secretHeaders {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}
