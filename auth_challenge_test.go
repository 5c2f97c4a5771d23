package apierr

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   []authChallenge
	}{
		{"RFC 6750 invalid_token", []string{`Bearer realm="example", error="invalid_token", error_description="The access token expired"`},
			[]authChallenge{{Scheme: "Bearer", Params: map[string]string{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}}}},
		{"RFC 6750 insufficient_scope", []string{`Bearer error="insufficient_scope", scope="write:grants read:locks"`},
			[]authChallenge{{Scheme: "Bearer", Params: map[string]string{"error": "insufficient_scope", "scope": "write:grants read:locks"}}}},
		{"bare scheme", []string{"Bearer"}, []authChallenge{{Scheme: "Bearer"}}},
		{"RFC 9110 two challenges, escaped quotes", []string{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`},
			[]authChallenge{
				{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
				{Scheme: "Basic", Params: map[string]string{"realm": "simple"}},
			}},
		{"token68 then params", []string{`Negotiate a87421000492aa874209af8bc028==, Bearer error="invalid_token"`},
			[]authChallenge{
				{Scheme: "Negotiate", Token68: "a87421000492aa874209af8bc028=="},
				{Scheme: "Bearer", Params: map[string]string{"error": "invalid_token"}},
			}},
		{"schemes without params, empty list elements", []string{`Basic, , Bearer ,DPoP algs="ES256 PS256"`},
			[]authChallenge{{Scheme: "Basic"}, {Scheme: "Bearer"}, {Scheme: "DPoP", Params: map[string]string{"algs": "ES256 PS256"}}}},
		{"several header lines", []string{`Basic realm="a"`, `Bearer scope=openid`},
			[]authChallenge{{Scheme: "Basic", Params: map[string]string{"realm": "a"}}, {Scheme: "Bearer", Params: map[string]string{"scope": "openid"}}}},
		{"case-insensitive names, blanks around =, first duplicate wins", []string{`bearer ERROR = "insufficient_scope" , Scope=a, scope=b`},
			[]authChallenge{{Scheme: "bearer", Params: map[string]string{"error": "insufficient_scope", "scope": "a"}}}},
		{"comma inside a quoted string", []string{`Bearer error_description="a, b", error=invalid_token`},
			[]authChallenge{{Scheme: "Bearer", Params: map[string]string{"error_description": "a, b", "error": "invalid_token"}}}},
		{"unterminated quoted string", []string{`Bearer error="insufficient_scope`},
			[]authChallenge{{Scheme: "Bearer", Params: map[string]string{"error": "insufficient_scope"}}}},
		{"garbage skipped", []string{`=junk, Bearer realm="x" trailing, Basic`},
			[]authChallenge{{Scheme: "junk"}, {Scheme: "Bearer", Params: map[string]string{"realm": "x"}}, {Scheme: "Basic"}}},
		{"empty", []string{"", " , "}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseChallenges(tt.values))
		})
	}
}

func TestInsufficientScope(t *testing.T) {
	scope, desc, ok := insufficientScope(parseChallenges([]string{
		`Basic realm="x", Bearer realm="tapkey", error="insufficient_scope", scope="write:grants", error_description="needs \"write:grants\""`,
	}))
	require.True(t, ok)
	assert.Equal(t, "write:grants", scope)
	assert.Equal(t, `needs "write:grants"`, desc)

	_, _, ok = insufficientScope(parseChallenges([]string{`Bearer error="invalid_token"`}))
	assert.False(t, ok)
}

// FuzzAuthChallenges: the parser never panics, always ends, and returns
// schemes that are tokens and parameter names that are lower-case tokens.
func FuzzAuthChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
		`Bearer error="insufficient_scope", scope="write:grants read:locks"`,
		`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
		`Negotiate a87421000492aa874209af8bc028==, Bearer`,
		`Bearer error="unterminated\`, `,,,=,"`, `Basic realm=, x==y`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parseChallenges([]string{s}) {
			if c.Scheme == "" || strings.IndexFunc(c.Scheme, func(r rune) bool { return r > 0x7f || !isTokenChar(byte(r)) }) >= 0 {
				t.Fatalf("scheme %q is not a token (input %q)", c.Scheme, s)
			}
			for k := range c.Params {
				if k == "" || k != strings.ToLower(k) {
					t.Fatalf("param name %q (input %q)", k, s)
				}
			}
		}
	})
}
