package apierr

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
)

// retryCode is a code type whose catalogue the tests choose, so that the
// retry rules are tested apart from the vendors' generated tables.
type retryCode string

func (c retryCode) Error() string { return "retrytest: " + string(c) }

func (c retryCode) Info() codes.Info {
	switch c {
	case "slow":
		return codes.Info{Known: true, Status: 429, Retry: codes.RetryBackoff}
	case "race":
		return codes.Info{Known: true, Status: 400, Retry: codes.RetryConcurrency}
	case "flaky":
		return codes.Info{Known: true, Status: 500, Retry: codes.RetryTransient}
	case "config":
		return codes.Info{Known: true, Status: 500, Retry: codes.RetryNever}
	}
	return codes.Info{}
}

// retryDecoder reads the whole body as the code.
var retryDecoder = DecoderFunc(func(resp *http.Response, body []byte) error {
	p := NewProblem[retryCode](resp, body)
	p.Code = retryCode(strings.TrimSpace(string(body)))
	return p
})

// reply is one scripted answer of a mocked API.
type reply struct {
	status int
	body   string
	header http.Header
	err    error // a transport error instead of a response
}

// sent is what a mocked API saw of one attempt.
type sent struct {
	method string
	header http.Header
	body   string
}

// script answers the replies in order, repeating the last, and records
// every attempt.
type script struct {
	mu      sync.Mutex
	replies []reply
	seen    []sent
}

func (s *script) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, sent{req.Method, req.Header.Clone(), string(body)})
	r := s.replies[min(n, len(s.replies)-1)]
	s.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	resp := httpmock.NewStringResponse(r.status, r.body)
	for k, v := range r.header {
		resp.Header[k] = v
	}
	resp.Request = req
	return resp, nil
}

// reset starts the script again with new replies.
func (s *script) reset(replies ...reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies, s.seen = replies, nil
}

func (s *script) attempts() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.seen...)
}

// testBase is the base URL of the mocked API.
const testBase = "https://api.example.test/v1/"

// fastPolicy retries up to 4 times with waits the tests can compute.
var fastPolicy = RetryPolicy{MaxAttempts: 4, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second, MaxRetryAfter: time.Minute}

// mockedClient is a Client over httpmock that records the waits it would
// sleep instead of sleeping, with the jitter fixed at r.
type mockedClient struct {
	*Client
	script *script
	waits  []time.Duration
}

func newMockedClient(t *testing.T, r float64, replies []reply, opts ...Option) *mockedClient {
	t.Helper()
	mt := httpmock.NewMockTransport()
	sc := &script{replies: replies}
	mt.RegisterNoResponder(sc.respond)
	all := append([]Option{
		WithBaseURL(testBase),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithDecoder(retryDecoder),
		WithRetryPolicy(fastPolicy),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	m := &mockedClient{Client: c, script: sc}
	// The clock stands still: the limiter's moves only by the waits
	// recorded below, so the gate's closures come out exact however long a
	// loaded machine takes between an answer and its retry.
	frozen := time.Now()
	c.now = func() time.Time { return frozen }
	c.jitter = func() float64 { return r }
	c.sleep = func(d time.Duration) time.Duration {
		m.waits = append(m.waits, d)
		return 0
	}
	t.Cleanup(func() { _ = c.Close() })
	return m
}

// do sends method path with body through the mocked client.
func (m *mockedClient) do(t *testing.T, ctx context.Context, method, path string, body any, header http.Header) (*http.Response, error) {
	t.Helper()
	req, err := m.NewRequest(ctx, method, path, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	return m.Do(req, nil)
}

// recordingAuth is an authenticator that hands out "Bearer t1", "Bearer
// t2", … and records what the client asked of it.
type recordingAuth struct {
	mu         sync.Mutex
	issued     int
	rejections []string // credentials reported as rejected
	probs      []error
	reject     error // what rejected returns
	failAfter  int   // authorize fails once this many were issued (0: never)
	closed     int
}

func (a *recordingAuth) authorize(_ context.Context, req *http.Request) (*credential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failAfter > 0 && a.issued >= a.failAfter {
		return nil, errors.New("stub auth: no token")
	}
	a.issued++
	v := "Bearer t" + strconv.Itoa(a.issued)
	req.Header.Set("Authorization", v)
	return &credential{gen: uint64(a.issued), value: v, header: []string{v}}, nil
}

func (a *recordingAuth) rejected(_ context.Context, sent *credential, _ *http.Response, prob error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	cred := ""
	if sent != nil {
		cred = sent.value
	}
	a.rejections = append(a.rejections, cred)
	a.probs = append(a.probs, prob)
	return a.reject
}

func (a *recordingAuth) close(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed++
	return nil
}

// fakeClock is the tests' one fake clock: it moves only when told. Set
// its now as a clock's now (clock.go).
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
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// budgetLeft returns the tokens left in c's retry budget.
func budgetLeft(c *Client) int64 {
	n, _ := c.lim.Budget().Left()
	return n
}
