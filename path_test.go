package apierr

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzResolvePath: the fast path gives what url.ResolveReference gives, for
// every path and for bases with and without a path.
func FuzzResolvePath(f *testing.F) {
	for _, p := range []string{"Owners", "/Owners", "Owners/o1/Grants?$top=5", "", "../v2/x", "//other.test/y",
		"https://other.test/x", "a:b", "%zz", "x#frag", "?q=1", "a/./b", "/", "a b/ü", "%7Euser"} {
		f.Add("https://example.test/api/v1/", p)
		f.Add("http://example.test:8080/a%2Fb/", p)
	}
	f.Fuzz(func(t *testing.T, rawBase, path string) {
		base, err := parseBaseURL(rawBase)
		if err != nil {
			return
		}
		got, err := resolvePath(base, base.String(), path)
		ref, perr := url.Parse(path)
		if perr != nil { // refused here or, with the fast path, by the URL's parser
			if err == nil {
				_, err = url.Parse(got)
			}
			require.Error(t, err, "%q", path)
			return
		}
		require.NoError(t, err, "%q", path)
		assert.Equal(t, base.ResolveReference(ref).String(), got, "%q + %q", base, path)
	})
}
