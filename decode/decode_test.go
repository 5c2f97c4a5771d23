package decode_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
)

// decodeCase is one body and the Problem a decoder must make of it (Body is
// checked separately: it must be the input, unchanged).
type decodeCase[C apierr.Code] struct {
	name   string
	status int
	header http.Header
	body   string
	want   apierr.Problem[C]
}

func response(status int, header http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header}
}

// decodeAs decodes body and requires a *apierr.Problem[C] that keeps body.
func decodeAs[C apierr.Code](t *testing.T, d apierr.Decoder, resp *http.Response, body []byte) *apierr.Problem[C] {
	t.Helper()
	err := d.Decode(resp, body)
	var p *apierr.Problem[C]
	require.ErrorAs(t, err, &p)
	require.Equal(t, body, p.Body, "Body must be the input, unchanged")
	return p
}

func runCases[C apierr.Code](t *testing.T, d apierr.Decoder, cases []decodeCase[C]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := decodeAs[C](t, d, response(c.status, c.header), []byte(c.body))
			got := *p
			got.Body = nil
			assert.Equal(t, c.want, got)
		})
	}
}

func TestExos(t *testing.T) {
	runCases(t, decode.Exos, []decodeCase[exos.Code]{
		{name: "documented ErrorCode and message", status: 400, body: exosDocBody,
			want: apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError,
				Title: "Concurrency-Error. The action you tried to execute probably relied on data that has been changed"}},
		{name: "errorCode as a string, content type with parameters", status: 401,
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			body:   `{"errorCode":"300008","message":"Unknown API key or Identifier"}`,
			want:   apierr.Problem[exos.Code]{Status: 401, Code: exos.UnknownAPIKeyOrIdentifier, Title: "Unknown API key or Identifier"}},
		{name: "code and ErrorMessage, Retry-After", status: 429, header: http.Header{"Retry-After": {"30"}},
			body: `{"code":300016,"ErrorMessage":"Number of maximum failed logins allowed is reached"}`,
			want: apierr.Problem[exos.Code]{Status: 429, Code: exos.MaximumFailedLoginsReached, RetryAfter: 30 * time.Second,
				Title: "Number of maximum failed logins allowed is reached"}},
		{name: "OData error object", status: 400,
			body: `{"error":{"code":"400241","message":"Concurrency-Error"}}`,
			want: apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError, Title: "Concurrency-Error"}},
		{name: "upper-case keys and the stray 405", status: 400, body: `{"ERRORCODE":405,"MESSAGE":"Method not allowed"}`,
			want: apierr.Problem[exos.Code]{Status: 400, Code: exos.MethodNotAllowed, Title: "Method not allowed"}},
		{name: "truncated", status: 500, body: `{"ErrorCode":999999,"Message":"Unkno`,
			want: apierr.Problem[exos.Code]{Status: 500, Code: exos.UnknownError}},
		{name: "undocumented code", status: 400, body: `{"ErrorCode":123456}`,
			want: apierr.Problem[exos.Code]{Status: 400, Code: 123456}},
		{name: "code that is not a number", status: 400, body: `{"error":{"code":"BadArgument","message":"bad"}}`,
			want: apierr.Problem[exos.Code]{Status: 400, Title: "bad"}},
		{name: "plain text", status: 500, body: "Unknown error\r\n",
			want: apierr.Problem[exos.Code]{Status: 500, Title: "Unknown error"}},
		{name: "empty", status: 503, want: apierr.Problem[exos.Code]{Status: 503}},
	})
}

func TestEntrecode(t *testing.T) {
	sub2201 := apierr.Problem[entrecode.Code]{Code: 2201, Title: "Missing property in JSON Body",
		Type: "https://entrecode.de/doc/errors/2201", Detail: "property"}
	want2202 := apierr.Problem[entrecode.Code]{Status: 400, Code: 2202, Title: "Missing property in query string",
		Type: "https://entrecode.de/doc/errors/2202", Detail: "count", Errors: []apierr.Problem[entrecode.Code]{sub2201}}
	withRequestID := want2202
	withRequestID.RequestID = "header-id"
	sub100 := apierr.Problem[entrecode.Code]{Status: 400, Code: 1100, Title: "embedded1"}

	runCases(t, decode.Entrecode, []decodeCase[entrecode.Code]{
		{name: "documented example, comma fixed", status: 400, body: entrecodeDocBody, want: want2202},
		{name: "documented example as published (invalid JSON)", status: 400, body: entrecodePublished, want: want2202},
		{name: "status from the body when the response has none", body: entrecodeDocBody, want: want2202},
		{name: "request ID header wins over the body", status: 400, header: http.Header{"X-Request-Id": {"header-id"}},
			body: `{"requestID":"body-id",` + entrecodeDocBody[1:], want: withRequestID},
		{name: "request ID from the body", status: 400,
			body: `{"status":400,"code":1100,"title":"title","requestID":"id","_embedded":{"error":[{"status":400,"code":1100,"title":"embedded1"},{"status":400,"code":1100,"title":"embedded1"}]}}`,
			want: apierr.Problem[entrecode.Code]{Status: 400, Code: 1100, Title: "title", RequestID: "id",
				Errors: []apierr.Problem[entrecode.Code]{sub100, sub100}}},
		{name: "code as a string", status: 401, body: `{"status":401,"code":"2401","title":"Invalid Access Token"}`,
			want: apierr.Problem[entrecode.Code]{Status: 401, Code: 2401, Title: "Invalid Access Token"}},
		{name: "truncated inside _links", status: 404,
			body: `{"status":404,"code":2100,"title":"Resource not found","_links":{"up":{"title":"Data`,
			want: apierr.Problem[entrecode.Code]{Status: 404, Code: 2100, Title: "Resource not found"}},
	})
}

func TestUSTA(t *testing.T) {
	runCases(t, decode.USTA, []decodeCase[usta.Code]{
		{name: "documented errors array", status: 404, body: `{"errors":[{"errorCode":3001, "message":"entity not found"}]}`,
			want: apierr.Problem[usta.Code]{Status: 404, Code: usta.EntityNotFound, Title: "entity not found"}},
		{name: "documented validation error with subject", status: 400, body: ustaDocBody,
			want: apierr.Problem[usta.Code]{Status: 400, Code: usta.ValidationError, Title: "validation error", Detail: "firstName"}},
		{name: "documented bare object", status: 404, body: `{"errorCode": 3001, "message": "entity not found"}`,
			want: apierr.Problem[usta.Code]{Status: 404, Code: usta.EntityNotFound, Title: "entity not found"}},
		{name: "further errors", status: 400,
			body: `{"errors":[{"errorCode":5000,"message":"validation error","subject":"firstName"},{"errorCode":5000,"message":"validation error","subject":"lastName"},{"errorCode":200601,"message":"entity saving error: USPTA number must be unique"}]}`,
			want: apierr.Problem[usta.Code]{Status: 400, Code: usta.ValidationError, Title: "validation error", Detail: "firstName",
				Errors: []apierr.Problem[usta.Code]{
					{Code: usta.ValidationError, Title: "validation error", Detail: "lastName"},
					{Code: usta.USPTANumberNotUnique, Title: "entity saving error: USPTA number must be unique"},
				}}},
		{name: "a bare array", status: 400, body: `[{"errorCode":"6007","message":"wrong password"}]`,
			want: apierr.Problem[usta.Code]{Status: 400, Code: usta.WrongPassword, Title: "wrong password"}},
	})
}

func TestTapkey(t *testing.T) {
	runCases(t, decode.Tapkey, []decodeCase[tapkey.Code]{
		{name: "documented body", status: 409, body: tapkeyDocBody,
			want: apierr.Problem[tapkey.Code]{Status: 409, Code: tapkey.Duplicate, Title: "only one grant allowed per lock and user/card"}},
		{name: "no ErrorCode, localised user message", status: 403, header: http.Header{"Content-Language": {"de"}},
			body: `{"ErrorMessage":"lock already bound","ErrorDetails":"lock 42","UserErrorMessage":"Das Schloss ist bereits gebunden."}`,
			want: apierr.Problem[tapkey.Code]{Status: 403, Title: "lock already bound", Detail: "lock 42",
				UserMessage: "Das Schloss ist bereits gebunden."}},
		{name: "camelCase keys and escapes", status: 402,
			body: `{"errorCode":"InsufficientAccountLevel","errorMessage":"plan \"free\" \u2013 upgrade"}`,
			want: apierr.Problem[tapkey.Code]{Status: 402, Code: tapkey.InsufficientAccountLevel, Title: `plan "free" – upgrade`}},
		{name: "undocumented code", status: 400, body: `{"ErrorCode":"SomethingNew","ErrorMessage":"new"}`,
			want: apierr.Problem[tapkey.Code]{Status: 400, Code: "SomethingNew", Title: "new"}},
	})
}

func TestProblem(t *testing.T) {
	runCases(t, decode.Problem, []decodeCase[codes.Generic]{
		{name: "RFC 9457 with extensions", status: 403, header: http.Header{"Content-Type": {"application/problem+json"}},
			body: `{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30}`,
			want: apierr.Problem[codes.Generic]{Status: 403, Code: "https://example.com/probs/out-of-credit", Type: "https://example.com/probs/out-of-credit",
				Title: "You do not have enough credit.", Detail: "Your current balance is 30, but that costs 50."}},
		{name: "RFC 9457 errors array", status: 422, body: problemDocBody,
			want: apierr.Problem[codes.Generic]{Status: 422, Code: "https://example.net/validation-error", Type: "https://example.net/validation-error",
				Title: "Your request is not valid.", Errors: []apierr.Problem[codes.Generic]{
					{Title: "must be a positive integer", Detail: "#/age"},
					{Title: "must be 'green', 'red' or 'blue'", Detail: "#/profile/color"},
				}}},
		{name: "ASP.NET errors map and traceId", status: 400,
			body: `{"errors":{"Name":["required","too short"],"Age":"must be positive"},"title":"One or more validation errors occurred.","status":400,"traceId":"|e43b.4fc1_"}`,
			want: apierr.Problem[codes.Generic]{Status: 400, Title: "One or more validation errors occurred.", RequestID: "|e43b.4fc1_",
				Errors: []apierr.Problem[codes.Generic]{
					{Title: "required", Detail: "Name"}, {Title: "too short", Detail: "Name"}, {Title: "must be positive", Detail: "Age"},
				}}},
		{name: "about:blank is no code, a code member is", status: 400,
			body: `{"type":"about:blank","title":"Bad Request","code":"E42"}`,
			want: apierr.Problem[codes.Generic]{Status: 400, Code: "E42", Type: "about:blank", Title: "Bad Request"}},
		{name: "zalando cause chain", status: 400,
			body: `{"type":"https://example.org/order-failed","title":"Order failed","status":400,"cause":{"type":"https://example.org/out-of-stock","title":"Out of Stock","status":400,"detail":"Item B00027Y5QG is no longer available"}}`,
			want: apierr.Problem[codes.Generic]{Status: 400, Code: "https://example.org/order-failed", Type: "https://example.org/order-failed", Title: "Order failed",
				Errors: []apierr.Problem[codes.Generic]{{Status: 400, Code: "https://example.org/out-of-stock", Type: "https://example.org/out-of-stock",
					Title: "Out of Stock", Detail: "Item B00027Y5QG is no longer available"}}}},
		{name: "belgif issues", status: 400,
			body: `{"type":"urn:problem-type:belgif:badRequest","title":"Bad Request","status":400,"issues":[{"type":"urn:problem-type:belgif:input-validation:schemaViolation","title":"Input value is invalid","detail":"must not be null","in":"body"}]}`,
			want: apierr.Problem[codes.Generic]{Status: 400, Code: "urn:problem-type:belgif:badRequest", Type: "urn:problem-type:belgif:badRequest", Title: "Bad Request",
				Errors: []apierr.Problem[codes.Generic]{{Code: "urn:problem-type:belgif:input-validation:schemaViolation",
					Type: "urn:problem-type:belgif:input-validation:schemaViolation", Title: "Input value is invalid", Detail: "must not be null"}}}},
		{name: "OAuth 2 error", status: 401, body: `{"error":"invalid_token","error_description":"The access token expired"}`,
			want: apierr.Problem[codes.Generic]{Status: 401, Code: "invalid_token", Title: "The access token expired"}},
		{name: "status from the body", body: `{"title":"Not Found","status":"404"}`,
			want: apierr.Problem[codes.Generic]{Status: 404, Title: "Not Found"}},
		{name: "nginx 502 page", status: 502, header: http.Header{"Content-Type": {"text/html"}},
			body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			want: apierr.Problem[codes.Generic]{Status: 502, Title: "502 Bad Gateway"}},
	})
}

// The error text of the contract, for a Tapkey 409 on a PUT.
func TestTapkeyErrorText(t *testing.T) {
	u, err := url.Parse("https://my.tapkey.com/api/v1/Owners/o1/Grants?access_token=secret")
	require.NoError(t, err)
	resp := &http.Response{StatusCode: http.StatusConflict, Header: http.Header{},
		Request: &http.Request{Method: http.MethodPut, URL: u}}
	p := decodeAs[tapkey.Code](t, decode.Tapkey, resp, []byte(tapkeyDocBody))
	assert.Equal(t, "tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card (PUT /api/v1/Owners/o1/Grants)", p.Error())
	assert.NotContains(t, p.URL, "secret")
}

// errors.Is matches per-code sentinels, code families and status sentinels,
// and errors.As finds each API's Problem type through wrapping.
func TestErrorsIsAndAs(t *testing.T) {
	type check struct {
		name    string
		decoder apierr.Decoder
		status  int
		body    string
		is      []error
		isNot   []error
		as      func(error) bool
	}
	asType := func(target any) func(error) bool {
		return func(err error) bool { return errors.As(err, target) }
	}
	checks := []check{
		{"exos", decode.Exos, 400, exosDocBody,
			[]error{exos.ConcurrencyError, apierr.ErrBadRequest}, []error{exos.UnknownError, apierr.ErrServer},
			asType(new(*apierr.Problem[exos.Code]))},
		{"entrecode family", decode.Entrecode, 400, entrecodeDocBody,
			[]error{entrecode.MissingPropertyInQueryString, entrecode.Code(2202), apierr.ErrBadRequest},
			[]error{entrecode.Code(1202), entrecode.MissingPropertyInJSONBody, apierr.ErrNotFound},
			asType(new(*apierr.Problem[entrecode.Code]))},
		{"usta sub-code family", decode.USTA, 400, `{"errors":[{"errorCode":200601,"message":"entity saving error: USPTA number must be unique"}]}`,
			[]error{usta.USPTANumberNotUnique, usta.EntitySavingError, apierr.ErrBadRequest},
			[]error{usta.PTRNumberNotUnique, apierr.ErrConflict},
			asType(new(*apierr.Problem[usta.Code]))},
		{"tapkey", decode.Tapkey, 409, tapkeyDocBody,
			[]error{tapkey.Duplicate, apierr.ErrConflict}, []error{tapkey.Generic, apierr.ErrBadRequest},
			asType(new(*apierr.Problem[tapkey.Code]))},
		{"problem", decode.Problem, 503, `{"title":"Service Unavailable","status":503}`,
			[]error{apierr.ErrServer}, []error{apierr.ErrTooManyRequests},
			asType(new(*apierr.Problem[codes.Generic]))},
		{"auto picks entrecode", decode.Auto, 401, `{"title":"Outdated Access Token","code":2402,"status":401}`,
			[]error{entrecode.OutdatedAccessToken, apierr.ErrUnauthorized}, []error{entrecode.InvalidAccessToken},
			asType(new(*apierr.Problem[entrecode.Code]))},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			err := c.decoder.Decode(response(c.status, nil), []byte(c.body))
			wrapped := errors.Join(errors.New("call failed"), err)
			for _, target := range c.is {
				assert.ErrorIs(t, wrapped, target)
			}
			for _, target := range c.isNot {
				assert.NotErrorIs(t, wrapped, target)
			}
			assert.True(t, c.as(wrapped), "errors.As to the API's Problem type")
			assert.False(t, errors.As(wrapped, new(*apierr.Problem[codes.Generic])) && c.name != "problem",
				"errors.As to another API's type must fail")
		})
	}
}

// Members reaches the members the Problem has no field for.
func TestMembers(t *testing.T) {
	body := []byte(`{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","balance":30,"accounts":["/account/12345"]}`)
	p := decodeAs[codes.Generic](t, decode.Problem, response(403, nil), body)
	m, err := p.Members()
	require.NoError(t, err)
	assert.JSONEq(t, `30`, string(m["balance"]))
	assert.JSONEq(t, `["/account/12345"]`, string(m["accounts"]))
}

func TestNilResponse(t *testing.T) {
	p := decodeAs[tapkey.Code](t, decode.Tapkey, nil, []byte(tapkeyDocBody))
	assert.Equal(t, tapkey.Duplicate, p.Code)
	assert.Zero(t, p.Status)
}
