package apierr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// Each misuse of the request path gets a clear "apierr:" error, and the
// tests below also count what reached the server: a misuse sends nothing.

// recordingAPI is an httptest server that counts the requests it gets and
// keeps what each one carried.
type recordingAPI struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	respond func(w http.ResponseWriter, r *http.Request) // nil: 200 {"id":"a"}
}

type recorded struct {
	method, path, contentType string
	body                      []byte
}

func newRecordingAPI(t *testing.T, respond func(w http.ResponseWriter, r *http.Request)) *recordingAPI {
	t.Helper()
	a := &recordingAPI{respond: respond}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.reqs = append(a.reqs, recorded{r.Method, r.URL.Path, r.Header.Get("Content-Type"), body})
		a.mu.Unlock()
		if a.respond != nil {
			a.respond(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"a"}`)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *recordingAPI) requests() []recorded {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]recorded(nil), a.reqs...)
}

func (a *recordingAPI) count() int { return len(a.requests()) }

func (a *recordingAPI) client(t *testing.T, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	c, err := apierr.New(append([]apierr.Option{apierr.WithBaseURL(a.URL + "/api/v1")}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Issue 11 item 4. Before: with a cached token Do after Close still sent the
// request; with a failing auth it failed with "client is closed" matching
// ErrUnauthorized; without auth it sent the request.
func TestDoAfterCloseReturnsErrClosedAndSendsNothing(t *testing.T) {
	leakCheck(t)
	notOnlyClosed := []error{apierr.ErrUnauthorized, apierr.ErrReauthRequired, apierr.ErrLoginThrottled,
		apierr.ErrInsufficientScope, apierr.ErrAlreadyApplied, context.Canceled, context.DeadlineExceeded}
	checkClosed := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, apierr.ErrClosed)
		for _, other := range notOnlyClosed {
			assert.NotErrorIs(t, err, other)
		}
		var ae *apierr.AuthError
		assert.False(t, errors.As(err, &ae), "not an AuthError: %v", err)
		var api apierr.APIError
		assert.False(t, errors.As(err, &api), "not an API error: %v", err)
		assert.True(t, strings.HasPrefix(err.Error(), "apierr: "), err.Error())
	}
	getPath := func(c *apierr.Client, path string) error {
		req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		_, err = c.Do(req, nil)
		return err
	}
	get := func(c *apierr.Client) error { return getPath(c, "Owners/o1/Grants") }

	t.Run("cached token", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		c, err := apierr.New(srv.ClientOptions()...)
		require.NoError(t, err)
		require.NoError(t, get(c), "the token is cached by this call")
		require.NoError(t, c.Close())
		sent, tokens := srv.Requests(), srv.TokenRequests()

		checkClosed(t, get(c))
		assert.Equal(t, sent, srv.Requests(), "nothing sent after Close")
		assert.Equal(t, tokens, srv.TokenRequests())
	})
	t.Run("failing auth", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		var tokenRequests atomic.Int32
		tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tokenRequests.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		}))
		defer tokens.Close()
		c := api.client(t, apierr.WithPlainHTTPAuth(), apierr.WithClientCredentials(&clientcredentials.Config{
			ClientID: "id", ClientSecret: "secret", TokenURL: tokens.URL + "/token"}))
		require.ErrorIs(t, get(c), apierr.ErrUnauthorized, "the token endpoint refuses")
		require.NoError(t, c.Close())
		before := tokenRequests.Load()

		checkClosed(t, get(c))
		assert.Equal(t, before, tokenRequests.Load(), "no token request after Close")
		assert.Zero(t, api.count(), "nothing sent to the API")
	})
	t.Run("exos session", func(t *testing.T) {
		srv := apierrtest.NewExos()
		defer srv.Close()
		c, err := apierr.New(srv.ClientOptions()...)
		require.NoError(t, err)
		require.NoError(t, getPath(c, "persons"))
		require.NoError(t, c.Close())
		require.Equal(t, 1, srv.Logouts())
		sent, logins := srv.Requests(), srv.Logins()

		checkClosed(t, getPath(c, "persons"))
		assert.Equal(t, sent, srv.Requests(), "nothing sent after Close")
		assert.Equal(t, logins, srv.Logins(), "no login after Close")
	})
	t.Run("Close during a call's wait", func(t *testing.T) {
		api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		c := api.client(t, apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 3}))
		apierr.SetWaitRecorder(c, func(time.Duration) { _ = c.Close() }) // Close runs while the call waits to retry
		err := get(c)
		require.ErrorIs(t, err, apierr.ErrClosed)
		var p apierr.APIError
		require.ErrorAs(t, err, &p, "the last response's error is kept")
		assert.Equal(t, http.StatusServiceUnavailable, p.StatusCode())
		assert.True(t, strings.HasPrefix(err.Error(), "apierr: client is closed (last response: "), err.Error())
		assert.Equal(t, 1, api.count(), "no attempt after Close")
	})
	t.Run("no auth", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		require.NoError(t, get(c))
		require.NoError(t, c.Close())

		checkClosed(t, get(c))
		checkClosed(t, get(c)) // and again
		assert.Equal(t, 1, api.count(), "only the call before Close was sent")
		require.NoError(t, c.Close(), "Close is still safe to call again")
	})
}

// Issue 11 item 5. Before: a strings.Reader was sent as {}, a ReadCloser as
// {"Reader":{}}, a bytes.Buffer as {}, []byte as a base64 JSON string and a
// json.RawMessage compacted.
func TestNewRequestSendsReadersAndBytesAsTheyAre(t *testing.T) {
	leakCheck(t)
	const doc = "{ \"name\": \"Front door\",\n  \"tags\": [\"a\"] }\n" // spaces kept as they are
	tests := []struct {
		name string
		body func() any
	}{
		{"strings.Reader", func() any { return strings.NewReader(doc) }},
		{"ReadCloser", func() any { return io.NopCloser(strings.NewReader(doc)) }},
		{"bytes.Buffer", func() any { return bytes.NewBufferString(doc) }},
		{"plain io.Reader", func() any { return io.MultiReader(strings.NewReader(doc[:5]), strings.NewReader(doc[5:])) }},
		{"[]byte", func() any { return []byte(doc) }},
		{"json.RawMessage", func() any { return json.RawMessage(doc) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable) // the retry must send the same bytes
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			c := api.client(t, apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Second}))
			req, err := c.NewRequest(context.Background(), http.MethodPut, "Locks/l1", tt.body())
			require.NoError(t, err)
			assert.EqualValues(t, len(doc), req.ContentLength)
			_, err = c.Do(req, nil)
			require.NoError(t, err)

			got := api.requests()
			require.Len(t, got, 2)
			for i, r := range got {
				assert.Equal(t, doc, string(r.body), "attempt %d", i+1)
				assert.Equal(t, "application/json", r.contentType, "attempt %d", i+1)
			}
		})
	}
	t.Run("a reader that fails", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		_, err := c.NewRequest(context.Background(), http.MethodPut, "Locks/l1",
			io.MultiReader(strings.NewReader("{"), errReader{errors.New("disk gone")}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "apierr: NewRequest: reading the body: disk gone")
		assert.Zero(t, api.count())
	})
	t.Run("other values are still encoded as JSON", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		req, err := c.NewRequest(context.Background(), http.MethodPost, "Locks", map[string]string{"name": "x"})
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.NoError(t, err)
		assert.Equal(t, `{"name":"x"}`, string(api.requests()[0].body))
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// Issue 11 item 6. Before: a non-pointer v was caught only after the
// request was sent ("json: Unmarshal(non-pointer …)"): the PUT took effect.
func TestDoChecksVBeforeSending(t *testing.T) {
	leakCheck(t)
	type grant struct{ ID string }
	var nilGrant *grant
	var nilBuffer *bytes.Buffer
	tests := []struct {
		name, want string
		v          any
	}{
		{"struct value", "apierr: Do: v must be a non-nil pointer or an io.Writer, not apierr_test.grant", grant{}},
		{"map value", "apierr: Do: v must be a non-nil pointer or an io.Writer, not map[string]interface {}", map[string]any{}},
		{"nil pointer", "apierr: Do: v must be a non-nil pointer or an io.Writer, not a nil *apierr_test.grant", nilGrant},
		{"nil io.Writer", "apierr: Do: v must be a non-nil pointer or an io.Writer, not a nil *bytes.Buffer", nilBuffer},
		{"string", "apierr: Do: v must be a non-nil pointer or an io.Writer, not string", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newRecordingAPI(t, nil)
			c := api.client(t)
			req, err := c.NewRequest(context.Background(), http.MethodPut, "Grants/g1", map[string]string{"lock": "l1"})
			require.NoError(t, err)
			resp, err := c.Do(req, tt.v)
			assert.Nil(t, resp)
			require.EqualError(t, err, tt.want)
			assert.Zero(t, api.count(), "nothing sent")
		})
	}
	t.Run("what is accepted", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		var g grant
		var m map[string]any
		var buf bytes.Buffer
		var anyV any
		for _, v := range []any{nil, &g, &m, &buf, &anyV} {
			req, err := c.NewRequest(context.Background(), http.MethodGet, "Grants/g1", nil)
			require.NoError(t, err)
			_, err = c.Do(req, v)
			require.NoError(t, err, "%T", v)
		}
		assert.Equal(t, "a", g.ID)
		assert.Equal(t, "a", m["id"])
		assert.Equal(t, `{"id":"a"}`, buf.String())
		assert.Equal(t, map[string]any{"id": "a"}, anyV)
		assert.Equal(t, 5, api.count())
	})
}

// Issue 11 item 7. Before: a 2xx body was decoded without a bound, and a
// body that was not JSON failed with "invalid character '<' looking for
// beginning of value" alone; trailing data was ignored.
func TestDoBoundsAndChecksTheSuccessBody(t *testing.T) {
	leakCheck(t)
	type item struct{ ID string }
	const limit = 1 << 10
	big := `{"id":"` + strings.Repeat("x", limit) + `"}`
	exact := `{"id":"` + strings.Repeat("x", limit-len(`{"id":""}`)) + `"}`
	require.Len(t, exact, limit)
	tests := []struct {
		name, contentType, body string
		want                    []string // in the error text
		cause                   func(t *testing.T, err error)
	}{
		{"overflows the bound", "application/json", big,
			[]string{"apierr: 200 OK", "GET", "/api/v1/things?access_token=REDACTED", `Content-Type "application/json"`, "longer than 1024 bytes"},
			func(t *testing.T, err error) { assert.ErrorIs(t, err, apierr.ErrResponseTooLarge) }},
		{"not JSON", "text/html", "<html><body>Maintenance</body></html>",
			[]string{"apierr: 200 OK", "/api/v1/things?access_token=REDACTED", `Content-Type "text/html"`, "invalid character '<'"},
			func(t *testing.T, err error) {
				var se *json.SyntaxError
				assert.ErrorAs(t, err, &se)
			}},
		{"trailing data", "application/json", `{"id":"a"} {"id":"b"}`,
			[]string{"apierr: 200 OK", "/api/v1/things?access_token=REDACTED", `Content-Type "application/json"`, "data after the JSON value"},
			func(t *testing.T, err error) { assert.NotErrorIs(t, err, apierr.ErrResponseTooLarge) }},
		{"trailing garbage", "application/json", `{"id":"a"}garbage`,
			[]string{"apierr: 200 OK", `Content-Type "application/json"`, "data after the JSON value"},
			func(t *testing.T, err error) { assert.NotErrorIs(t, err, apierr.ErrResponseTooLarge) }},
		{"wrong type", "application/json", `{"id":5}`,
			[]string{"apierr: 200 OK", `Content-Type "application/json"`, "cannot unmarshal number"},
			func(t *testing.T, err error) {
				var te *json.UnmarshalTypeError
				assert.ErrorAs(t, err, &te)
			}},
		{"no Content-Type", "", "nope",
			[]string{"apierr: 200 OK", "no Content-Type"},
			func(t *testing.T, err error) {
				var se *json.SyntaxError
				assert.ErrorAs(t, err, &se)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				if tt.contentType == "" {
					w.Header()["Content-Type"] = nil // no sniffing
				}
				_, _ = io.WriteString(w, tt.body)
			})
			c := api.client(t, apierr.WithResponseBodyLimit(limit))
			req, err := c.NewRequest(context.Background(), http.MethodGet, "things?access_token=s3cr3t", nil)
			require.NoError(t, err)
			var v item
			resp, err := c.Do(req, &v)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "s3cr3t")
			tt.cause(t, err)
			assert.Equal(t, 1, api.count(), "a 2xx is not retried")
		})
	}
	t.Run("a body of exactly the bound is decoded", func(t *testing.T) {
		api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, exact) })
		c := api.client(t, apierr.WithResponseBodyLimit(limit))
		req, err := c.NewRequest(context.Background(), http.MethodGet, "things", nil)
		require.NoError(t, err)
		var v item
		_, err = c.Do(req, &v)
		require.NoError(t, err)
		assert.Len(t, v.ID, limit-len(`{"id":""}`))
	})
	t.Run("trailing whitespace is fine", func(t *testing.T) {
		api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{\"id\":\"a\"}\r\n\t \n") })
		c := api.client(t)
		req, err := c.NewRequest(context.Background(), http.MethodGet, "things", nil)
		require.NoError(t, err)
		var v item
		_, err = c.Do(req, &v)
		require.NoError(t, err)
		assert.Equal(t, "a", v.ID)
	})
	t.Run("an io.Writer gets the body whatever its size", func(t *testing.T) {
		api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big) })
		c := api.client(t, apierr.WithResponseBodyLimit(limit))
		req, err := c.NewRequest(context.Background(), http.MethodGet, "things", nil)
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = c.Do(req, &buf)
		require.NoError(t, err)
		assert.Equal(t, big, buf.String())
	})
	t.Run("the option is checked", func(t *testing.T) {
		for _, n := range []int64{0, -1} {
			_, err := apierr.New(apierr.WithBaseURL("https://example.test/"), apierr.WithResponseBodyLimit(n))
			assert.EqualError(t, err, "apierr: WithResponseBodyLimit: limit must be positive")
		}
	})
}

// Issue 11 item 9. Before: a relative URL failed with `Get "/Owners":
// unsupported protocol scheme ""`, and a second Do of a request with a body
// failed with "http: Request.ContentLength=40 with nil Body".
func TestDoRequestFromHTTPNewRequest(t *testing.T) {
	leakCheck(t)
	t.Run("relative URL", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		for _, u := range []string{"/Owners", "Owners", "//host.test/x"} {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			require.Error(t, err, u)
			assert.Contains(t, err.Error(), "apierr: Do: the request URL must be absolute (http or https), not "+`"`+u+`"`+"; NewRequest resolves a path against the base URL")
		}
		assert.Zero(t, api.count())
	})
	t.Run("other scheme", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		req, err := http.NewRequest(http.MethodGet, "ftp://user:pw@host.test/x", nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "apierr: Do: the request URL must be absolute (http or https)")
		assert.NotContains(t, err.Error(), "pw")
		assert.Zero(t, api.count())
	})
	t.Run("a second Do replays the body with GetBody", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		const doc = `{"lock":"l1","from":"2025-01-01T00:00Z"}`
		req, err := http.NewRequest(http.MethodPut, api.URL+"/api/v1/Grants/g1", strings.NewReader(doc))
		require.NoError(t, err)
		for i := 0; i < 2; i++ {
			_, err = c.Do(req, nil)
			require.NoError(t, err, "Do %d", i+1)
		}
		got := api.requests()
		require.Len(t, got, 2)
		assert.Equal(t, doc, string(got[0].body))
		assert.Equal(t, doc, string(got[1].body))
	})
	t.Run("a second Do without GetBody", func(t *testing.T) {
		api := newRecordingAPI(t, nil)
		c := api.client(t)
		const doc = `{"lock":"l1"}`
		req, err := http.NewRequest(http.MethodPut, api.URL+"/api/v1/Grants/g1", io.MultiReader(strings.NewReader(doc)))
		require.NoError(t, err)
		req.ContentLength = int64(len(doc))
		_, err = c.Do(req, nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.EqualError(t, err, "apierr: Do: the request body was already read (ContentLength 13, no GetBody to replay it); build the request again")
		require.Len(t, api.requests(), 1, "the empty body was not sent")
	})
}

// Issue 11 item 8: one rule, url.ResolveReference's, in NewRequest and for
// LoginURL and LogoutURL. Before: NewRequest dropped a leading "/" (so
// "/login" stayed under the base path) while LoginURL and LogoutURL went to
// the host's root.
func TestOnePathRuleForNewRequestAndExosSession(t *testing.T) {
	leakCheck(t)
	var mu sync.Mutex
	var posts []string // paths of the login and logout POSTs
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			posts = append(posts, r.URL.Path)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"Value":{"Identifier":"session-1"}}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	base := srv.URL + "/ExosApi/api/v1.1"
	tests := []struct{ path, want string }{
		{"login", "/ExosApi/api/v1.1/login"},
		{"/login", "/login"},
		{"/ExosAuth/api/v1/login", "/ExosAuth/api/v1/login"},
		{"../v1.0/logins/logoutMyself", "/ExosApi/api/v1.0/logins/logoutMyself"},
		{"../../../ExosAuth/api/v1/login", "/ExosAuth/api/v1/login"},
		{"/ExosApi/api/v1.1/./x/../login", "/ExosApi/api/v1.1/login"},
		{srv.URL + "/ExosAuth/api/v1/login", "/ExosAuth/api/v1/login"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			mu.Lock()
			posts = nil
			mu.Unlock()
			c, err := apierr.New(apierr.WithBaseURL(base), apierr.WithPlainHTTPAuth(), apierr.WithExosSession(apierr.ExosSession{
				LoginURL: tt.path, LogoutURL: tt.path, Legacy: true, APIKey: "key", UserName: "u", Password: "pw"}))
			require.NoError(t, err)
			req, err := c.NewRequest(context.Background(), http.MethodPost, tt.path, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, req.URL.Path, "NewRequest")

			req, err = c.NewRequest(context.Background(), http.MethodGet, "Persons", nil)
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			require.NoError(t, err)
			require.NoError(t, c.Close())
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{tt.want, tt.want}, posts, "the login and the logout")
		})
	}
}

// Issue 11 item 10. Before: RetryPolicy{MaxAttempts: 1} was refused with
// "MaxWait must be positive", and RetryBudget{Capacity: 50} with "RetryCost
// must be positive".
func TestRetryPolicyZeroFieldsTakeTheDefaults(t *testing.T) {
	leakCheck(t)
	var calls atomic.Int32
	api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	t.Run("MaxAttempts 1", func(t *testing.T) {
		c := api.client(t, apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 1}))
		req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
		require.NoError(t, err)
		before := api.count()
		_, err = c.Do(req, nil)
		var p apierr.APIError
		require.ErrorAs(t, err, &p)
		assert.Equal(t, http.StatusServiceUnavailable, p.StatusCode())
		assert.Equal(t, 1, api.count()-before, "no retry")
	})
	t.Run("MaxWait alone", func(t *testing.T) {
		// MaxAttempts takes the default (4); MinWait is capped by MaxWait.
		c := api.client(t, apierr.WithRetryPolicy(apierr.RetryPolicy{MaxWait: time.Millisecond}))
		req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
		require.NoError(t, err)
		before := api.count()
		start := time.Now()
		_, err = c.Do(req, nil)
		require.Error(t, err)
		assert.Equal(t, 4, api.count()-before, "the default MaxAttempts")
		assert.Less(t, time.Since(start), 2*time.Second, "waits of at most MaxWait, not the 250 ms default MinWait")
	})
	t.Run("RetryBudget with only a capacity", func(t *testing.T) {
		c := api.client(t, apierr.WithRetryBudget(apierr.RetryBudget{Capacity: 5}),
			apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
		before := api.count()
		for i := 0; i < 2; i++ {
			req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			require.Error(t, err)
		}
		// The default RetryCost (5) empties a capacity of 5 after one retry.
		assert.Equal(t, 2+1, api.count()-before)
	})
	t.Run("negative fields are still refused", func(t *testing.T) {
		for _, p := range []apierr.RetryPolicy{{MaxAttempts: -1}, {MinWait: -1}, {MaxWait: -1}, {MaxRetryAfter: -1},
			{MinWait: time.Second, MaxWait: time.Millisecond}} {
			_, err := apierr.New(apierr.WithBaseURL(api.URL), apierr.WithRetryPolicy(p))
			assert.ErrorContains(t, err, "apierr: RetryPolicy.", "%+v", p)
		}
		for _, b := range []apierr.RetryBudget{{Capacity: -1}, {Capacity: 5, RetryCost: -1}, {Capacity: 5, TimeoutCost: -1}, {Capacity: 5, Refund: -1}} {
			_, err := apierr.New(apierr.WithBaseURL(api.URL), apierr.WithRetryBudget(b))
			assert.ErrorContains(t, err, "apierr: RetryBudget.", "%+v", b)
		}
	})
}

// Issue 11 item 1: a user who forgot WithDecoder still gets the vendor's
// code: errors.Is with the code, errors.As into the vendor's Problem, and
// retries by the code's class. Before (ahead of the request path redesign,
// which made the default decoder decode.Auto's): a *Problem[codes.Generic]
// that matched neither, and an exos 400241 that was not retried.
func TestWithoutWithDecoderTheClientDecodesAsAuto(t *testing.T) {
	leakCheck(t)
	t.Run("tapkey Duplicate", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), srv.AuthOption())
		require.NoError(t, err)
		defer c.Close()
		srv.Fail(tapkey.Duplicate, 1)
		req, err := c.NewRequest(context.Background(), http.MethodGet, "Owners/o1/BoundLocks", nil)
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		assert.ErrorIs(t, err, tapkey.Duplicate)
		var p *apierr.Problem[tapkey.Code]
		require.ErrorAs(t, err, &p)
		assert.Equal(t, tapkey.Duplicate, p.Code)
		assert.Equal(t, 1, p.Attempts)
	})
	t.Run("exos 400241 is retried by its code", func(t *testing.T) {
		srv := apierrtest.NewExos()
		defer srv.Close()
		c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), srv.AuthOption(), apierr.WithRetryPolicy(apierrtest.FastRetryPolicy()))
		require.NoError(t, err)
		defer c.Close()
		srv.Fail(exos.Code(400241), 1)
		req, err := c.NewRequest(context.Background(), http.MethodPost, "persons", map[string]string{"FirstName": "Ada", "LastName": "Lovelace"})
		require.NoError(t, err)
		_, err = c.Do(req, nil)
		require.NoError(t, err, "a POST is retried: 400241 is a concurrency conflict")
		assert.Equal(t, 2, srv.Attempts("/ExosApi/api/v1.1/persons"))
	})
	t.Run("the same errors as decode.Auto", func(t *testing.T) {
		bodies := []struct {
			status      int
			contentType string
			body        string
		}{
			{409, "application/json", `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant"}`},
			{400, "application/json", `{"ErrorCode":400026,"Message":"Person already blocked"}`},
			{422, "application/json", `{"code":2201,"title":"invalid entry","_embedded":{"error":[{"code":2211}]}}`},
			{400, "application/json", `{"errors":[{"errorCode":200601,"message":"USPTA number must be unique"}]}`},
			{404, "application/problem+json", `{"type":"https://example.test/p","title":"Not Found","status":404}`},
			{502, "text/html", `<html>Bad Gateway</html>`},
		}
		for _, b := range bodies {
			t.Run(b.body, func(t *testing.T) {
				var errs [2]string
				for i, opts := range [][]apierr.Option{nil, {apierr.WithDecoder(decode.Auto)}} {
					api := newRecordingAPI(t, func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", b.contentType)
						w.WriteHeader(b.status)
						_, _ = io.WriteString(w, b.body)
					})
					c := api.client(t, append(opts, apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 1}))...)
					req, err := c.NewRequest(context.Background(), http.MethodGet, "x", nil)
					require.NoError(t, err)
					_, err = c.Do(req, nil)
					require.Error(t, err)
					var api2 apierr.APIError
					require.ErrorAs(t, err, &api2)
					errs[i] = fmt.Sprintf("%T %d %q %v", api2, api2.StatusCode(), api2.ErrorCode(), strings.ReplaceAll(err.Error(), api.URL, "URL"))
				}
				assert.Equal(t, errs[1], errs[0], "the default decoder and decode.Auto")
				assert.NotContains(t, errs[0], "codes.Generic] 409", "a vendor's body gets the vendor's type")
			})
		}
	})
}
