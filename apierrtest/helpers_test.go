package apierrtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// answer is what a test reads of a response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(a.body, &m), "body: %s", a.body)
	return m
}

// send makes one request with the given header pairs (key, value, …).
func send(t testing.TB, c *http.Client, method, url, body string, header ...string) answer {
	t.Helper()
	a, err := trySend(context.Background(), c, method, url, body, header...)
	require.NoError(t, err)
	return a
}

func trySend(ctx context.Context, c *http.Client, method, url, body string, header ...string) (answer, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}, err
}

// oauthFake is what the OAuth2 fakes have in common, whatever their code type.
type oauthFake interface {
	URL() string
	TokenURL() string
	Client() *http.Client
	ClientCredentials(scopes ...string) *clientcredentials.Config
	MintToken(scopes ...string) *oauth2.Token
	OAuth2Config(scopes ...string) *oauth2.Config
	TokenRequests() int
	RefreshRequests() int
	RevokeAll()
	RevokeRefreshTokens()
	Revoke(string) bool
	Sessions() int
	Close()
}

// ccToken gets a client-credentials access token from an OAuth2 fake.
func ccToken(t testing.TB, s oauthFake) string {
	t.Helper()
	tok, err := s.ClientCredentials().Token(oauthCtx(s.Client()))
	require.NoError(t, err)
	return tok.AccessToken
}

// bodyCode returns the code of an error body of api as text, "" when the
// body has none.
func bodyCode(t testing.TB, api string, a answer) string {
	t.Helper()
	m := a.json(t)
	var c any
	switch api {
	case "tapkey", "exos":
		c = m["ErrorCode"]
	case "entrecode":
		c = m["code"]
	case "usta":
		c = m["errorCode"]
		if errs, ok := m["errors"].([]any); ok {
			require.Len(t, errs, 1)
			c = errs[0].(map[string]any)["errorCode"]
		}
	}
	if c == nil {
		return ""
	}
	return fmt.Sprint(c)
}

// basic returns a Basic Authorization value.
func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// bearer returns the Authorization header pair for tok.
func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// oauthCtx makes golang.org/x/oauth2 use c.
func oauthCtx(c *http.Client) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, c)
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
