package redact

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no query", "https://api.example/v1/persons", "https://api.example/v1/persons"},
		{"harmless query", "https://api.example/x?page=2&sort=name", "https://api.example/x?page=2&sort=name"},
		{"access token", "https://api.example/x?access_token=s3cr3t&page=2", "https://api.example/x?access_token=REDACTED&page=2"},
		{"case-insensitive", "https://api.example/x?Client_Secret=s3cr3t", "https://api.example/x?Client_Secret=REDACTED"},
		{"escaped name", "https://api.example/x?access%5Ftoken=s3cr3t", "https://api.example/x?access%5Ftoken=REDACTED"},
		{"repeated", "https://api.example/x?code=a&code=b", "https://api.example/x?code=REDACTED&code=REDACTED"},
		{"password in userinfo", "https://user:pw@api.example/x", "https://user:REDACTED@api.example/x"},
		{"user without password", "https://user@api.example/x", "https://user@api.example/x"},
		{"token in fragment", "https://app.example/cb#access_token=s3cr3t&token_type=bearer", "https://app.example/cb#access_token=REDACTED&token_type=bearer"},
		{"harmless fragment", "https://api.example/doc#section-2", "https://api.example/doc#section-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, URL(u))
			assert.Equal(t, tt.in, u.String(), "URL must not modify its argument")
		})
	}
	assert.Equal(t, "", URL(nil))
}

func TestString(t *testing.T) {
	assert.Equal(t, "https://h/x?token=REDACTED", String("https://h/x?token=abc"))
	// Unparseable text loses its query rather than risk leaking it.
	assert.Equal(t, "http://[::1", String("http://[::1?token=abc"))
}

func TestHeader(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer abc"}, "Cookie": {"s=1"}, "Accept": {"application/json"}}
	got := Header(h)
	assert.Equal(t, []string{Mask}, got["Authorization"])
	assert.Equal(t, []string{Mask}, got["Cookie"])
	assert.Equal(t, []string{"application/json"}, got["Accept"])
	assert.Equal(t, "Bearer abc", h.Get("Authorization"), "Header must not modify its argument")
}

// FuzzURL checks that no secret query value survives redaction.
func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"https://h/x?access_token=SECRET", "https://u:SECRET@h/", "https://h/?a=1&token=SECRET&b=2",
		"https://h/?password=SECRET#frag", "https://h/?code=SECRET;x=1", "https://h/cb#access_token=SECRET&state=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			_ = String(raw)
			return
		}
		out := URL(u)
		r, err := url.Parse(out)
		if err != nil {
			return // the input's own oddities may not round-trip
		}
		for k, vs := range r.Query() {
			if IsSecretParam(k) {
				for _, v := range vs {
					if v != Mask && v != "" {
						t.Fatalf("secret %q=%q survived in %q", k, v, out)
					}
				}
			}
		}
		if fragment, err := url.ParseQuery(r.EscapedFragment()); err == nil {
			for k, vs := range fragment {
				for _, v := range vs {
					if IsSecretParam(k) && v != Mask && v != "" {
						t.Fatalf("secret %q=%q survived in the fragment of %q", k, v, out)
					}
				}
			}
		}
		if pw, ok := r.User.Password(); ok && pw != Mask && !strings.Contains(raw, "%") {
			t.Fatalf("password %q survived in %q", pw, out)
		}
	})
}
