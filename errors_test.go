package apierr

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

func TestProblemErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{
			"tapkey duplicate",
			&Problem[tapkey.Code]{Status: 409, Code: tapkey.Code("Duplicate"),
				Title:  "only one grant allowed per lock and user/card",
				Method: "PUT", URL: "https://example.tapkey.io/api/v1/Owners/o1/Grants?x=1"},
			"tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card (PUT /api/v1/Owners/o1/Grants)",
		},
		{
			"detail follows title",
			&Problem[entrecode.Code]{Status: 400, Code: 2202, Title: "Missing property in query string", Detail: "count"},
			"entrecode: 400 Bad Request: 2202: Missing property in query string: count",
		},
		{
			"no code, no request",
			&Problem[codes.Generic]{Status: 502},
			"apierr: 502 Bad Gateway",
		},
		{
			"generic code",
			&Problem[codes.Generic]{Status: 403, Code: "https://example.com/probs/out-of-credit", Title: "You do not have enough credit."},
			"apierr: 403 Forbidden: https://example.com/probs/out-of-credit: You do not have enough credit.",
		},
		{
			"unknown status",
			&Problem[usta.Code]{Status: 599, Code: 9999},
			"usta: 599: 9999",
		},
		{
			"no status",
			&Problem[exos.Code]{Method: "GET"},
			"exos: error (GET)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestProblemErrorTextFallsBackToDescription(t *testing.T) {
	p := &Problem[exos.Code]{Status: 400, Code: 400241}
	// The row of 400241 in the exos seed (000_d4d7cbf225bcb31d.txt), not the
	// catalogue under test.
	const seed = "Concurrency-Error. The action you tried to execute probably relied on data that has been changed"
	assert.Equal(t, "exos: 400 Bad Request: 400241: "+seed, p.Error())
}

func TestProblemIsStatusSentinels(t *testing.T) {
	sentinels := map[error][]int{
		ErrBadRequest: {400}, ErrUnauthorized: {401}, ErrPaymentRequired: {402}, ErrForbidden: {403},
		ErrNotFound: {404}, ErrMethodNotAllowed: {405}, ErrConflict: {409}, ErrUnsupportedMediaType: {415},
		ErrTooManyRequests: {429}, ErrServer: {500, 502, 503, 504, 599},
	}
	for sentinel, statuses := range sentinels {
		t.Run(sentinel.Error(), func(t *testing.T) {
			for _, s := range []int{0, 200, 400, 401, 402, 403, 404, 405, 409, 415, 429, 500, 502, 503, 504, 599, 600} {
				var err error = fmt.Errorf("wrapped: %w", &Problem[tapkey.Code]{Status: s})
				want := false
				for _, m := range statuses {
					want = want || m == s
				}
				assert.Equal(t, want, errors.Is(err, sentinel), "status %d", s)
			}
		})
	}
}

func TestProblemIsCode(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"tapkey same code", &Problem[tapkey.Code]{Status: 409, Code: "Duplicate"}, tapkey.Code("Duplicate"), true},
		{"tapkey other code", &Problem[tapkey.Code]{Status: 409, Code: "Duplicate"}, tapkey.Code("Generic"), false},
		{"code of another API", &Problem[usta.Code]{Status: 404, Code: 3001}, exos.Code(3001), false},
		{"entrecode family", &Problem[entrecode.Code]{Status: 400, Code: 2202}, entrecode.Code(202), true},
		{"entrecode exact", &Problem[entrecode.Code]{Status: 400, Code: 2202}, entrecode.Code(2202), true},
		{"entrecode other system", &Problem[entrecode.Code]{Status: 400, Code: 1202}, entrecode.Code(2202), false},
		{"usta sub-code", &Problem[usta.Code]{Status: 400, Code: 200601}, usta.Code(2006), true},
		{"usta parent is not the sub-code", &Problem[usta.Code]{Status: 400, Code: 2006}, usta.Code(200601), false},
		{"no code matches no code sentinel", &Problem[entrecode.Code]{Status: 500}, entrecode.Code(0), false},
		{"no code still matches status", &Problem[entrecode.Code]{Status: 500}, ErrServer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errors.Is(fmt.Errorf("ctx: %w", tt.err), tt.target))
		})
	}
}

func TestProblemAs(t *testing.T) {
	var err error = fmt.Errorf("call failed: %w", &Problem[tapkey.Code]{Status: 409, Code: "Duplicate", UserMessage: "Schon vergeben"})
	var p *Problem[tapkey.Code]
	require.True(t, errors.As(err, &p))
	assert.Equal(t, "Schon vergeben", p.UserMessage)
	var wrongType *Problem[exos.Code]
	assert.False(t, errors.As(err, &wrongType), "the target must use the decoder's code type")
}

func TestProblemMembers(t *testing.T) {
	p := &Problem[codes.Generic]{Body: []byte(`{"title":"Out of credit","balance":30,"accounts":["/a/1"]}`)}
	m, err := p.Members()
	require.NoError(t, err)
	assert.JSONEq(t, `30`, string(m["balance"]))
	assert.JSONEq(t, `["/a/1"]`, string(m["accounts"]))

	_, err = (&Problem[codes.Generic]{Body: []byte("<html>Bad Gateway</html>")}).Members()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "apierr: "))
}

func TestNewProblem(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://api.example/v1/x?access_token=s3cr3t&page=1", nil)
	require.NoError(t, err)
	resp := &http.Response{
		StatusCode: 429,
		Header: http.Header{
			"X-Request-Id": {"req-1"},
			"Retry-After":  {"7"},
		},
		Body:    io.NopCloser(strings.NewReader("")),
		Request: req,
	}
	body := []byte(`{"x":1}`)
	p := NewProblem[tapkey.Code](resp, body)
	assert.Equal(t, 429, p.Status)
	assert.Equal(t, "req-1", p.RequestID)
	assert.Equal(t, 7*time.Second, p.RetryAfter)
	assert.Equal(t, "GET", p.Method)
	assert.Equal(t, "https://api.example/v1/x?access_token=REDACTED&page=1", p.URL)
	assert.Equal(t, body, p.Body)
	assert.NotContains(t, p.Error(), "s3cr3t")

	assert.Equal(t, &Problem[tapkey.Code]{Body: body}, NewProblem[tapkey.Code](nil, body))
}

func TestRequestIDHeaders(t *testing.T) {
	for _, h := range requestIDHeaders {
		t.Run(h, func(t *testing.T) {
			hdr := http.Header{}
			hdr.Set(h, "id-"+h)
			assert.Equal(t, "id-"+h, requestID(hdr))
		})
	}
	assert.Equal(t, "", requestID(nil))
}

func TestURLPath(t *testing.T) {
	assert.Equal(t, "/a/b%20c", urlPath((&url.URL{Scheme: "https", Host: "h", Path: "/a/b c"}).String()))
	assert.Equal(t, "", urlPath(""))
}
