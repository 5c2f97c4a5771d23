package apierr

import (
	"errors"
	"net/url"
	"strings"
)

// This file holds the one rule by which a path becomes a URL, for
// NewRequest and for ExosSession's LoginURL and LogoutURL alike. The rule is
// documented once, on WithBaseURL.

// resolvePath returns the URL of path against base (whose text, ending in
// "/", is baseURL), as url.ResolveReference does. For a plain relative
// path, the common case, that is base + path, made without parsing and
// printing a URL once more.
func resolvePath(base *url.URL, baseURL, path string) (string, error) {
	if !strings.HasPrefix(path, "/") && plainPath(path) {
		return baseURL + path, nil
	}
	ref, err := url.Parse(path)
	if err != nil {
		return "", redactError(err)
	}
	return base.ResolveReference(ref).String(), nil
}

// plainPath reports a relative path made of characters that need no
// escaping, without a scheme, dot segments or a fragment (an empty one
// would be dropped by the slow path: never sent, but the URL would differ).
func plainPath(p string) bool {
	if strings.IndexByte(p, '#') >= 0 {
		return false
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	for i := 0; i < len(p); i++ {
		if !plainPathByte[p[i]] {
			return false
		}
	}
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// plainPathByte: unreserved, sub-delims, "@", "/" and "%" (RFC 3986); not
// ":", which may end a scheme.
var plainPathByte = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=@/%") {
		t[c] = true
	}
	return t
}()

// resolveAuthURL resolves an exos login or logout URL by the same rule.
func resolveAuthURL(base *url.URL, what, raw string, allowPlain bool) (*url.URL, error) {
	if !strings.HasSuffix(base.Path, "/") { // as WithBaseURL leaves it
		b := *base
		b.Path += "/"
		if b.RawPath != "" {
			b.RawPath += "/"
		}
		base = &b
	}
	s, err := resolvePath(base, base.String(), strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("apierr: WithExosSession: " + what + ": " + err.Error())
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("apierr: WithExosSession: " + what + ": " + redactError(err).Error())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("apierr: WithExosSession: " + what + ": need an http or https URL")
	}
	if err := checkPlainHTTP(what, u, allowPlain); err != nil {
		return nil, err
	}
	return u, nil
}
