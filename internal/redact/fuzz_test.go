package redact

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzString checks redaction differentially: two URLs that differ only in
// the value of a secret query parameter must redact to the same text, so no
// part of the value can survive, whatever the rest of the URL looks like.
func FuzzString(f *testing.F) {
	f.Add("https://my.tapkey.com/api/v1/Owners", "access_token", "eyJhbGciOiJSUzI1NiJ9.e30.sig")
	f.Add("https://h/%zz", "token", "SECRETVALUE")
	f.Fuzz(func(t *testing.T, base, key, secret string) {
		if !IsSecretParam(key) {
			key = secretParams[len(key)%len(secretParams)]
		}
		if strings.Contains(base, "#") {
			return // what follows '#' is a fragment, not a query parameter
		}
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		build := func(v string) string {
			return base + sep + url.QueryEscape(key) + "=" + url.QueryEscape(v)
		}
		other := "x" + secret + "x" // differs from secret in every case
		a, b := String(build(secret)), String(build(other))
		if a != b {
			t.Fatalf("the value of %q shows through:\n%q\n%q", key, a, b)
		}
	})
}

// FuzzHeader checks that a credential header's value never survives
// Header, whatever the key's case, and that the input is left alone.
func FuzzHeader(f *testing.F) {
	f.Add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig")
	f.Add("authorization", "Basic YXBpa2V5OmlkZW50aWZpZXI=")
	f.Fuzz(func(t *testing.T, name, value string) {
		secret := false
		for _, k := range secretHeaders {
			secret = secret || strings.EqualFold(k, name)
		}
		for _, h := range []http.Header{{name: {value}}, {http.CanonicalHeaderKey(name): {value}}} {
			out := Header(h)
			for k, vs := range out {
				if !strings.EqualFold(k, name) {
					continue
				}
				want := value
				if secret {
					want = Mask
				}
				if len(vs) != 1 || vs[0] != want {
					t.Fatalf("Header(%q: %q) gave %q, want %q", name, value, vs, want)
				}
			}
			for k, vs := range h {
				if strings.EqualFold(k, name) && (len(vs) != 1 || vs[0] != value) {
					t.Fatal("Header modified its argument")
				}
			}
		}
	})
}
