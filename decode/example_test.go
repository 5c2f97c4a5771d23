package decode_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
)

// The Tapkey body from its "response codes" page. errors.Is matches the
// code constant and the status sentinel; errors.As needs the decoder's
// code type, tapkey.Code.
func Example_tapkey() {
	req, _ := http.NewRequest("PUT", "https://my.tapkey.com/api/v1/Owners/o1/Grants", nil)
	resp := &http.Response{StatusCode: 409, Header: http.Header{"Content-Type": {"application/json"}}, Request: req}
	body := []byte(`{
   "ErrorCode":"Duplicate",
   "ErrorMessage":"only one grant allowed per lock and user/card",
   "ErrorDetails":"",
   "UserErrorMessage":""
}`)

	err := decode.Tapkey.Decode(resp, body)
	fmt.Println(err)
	fmt.Println(errors.Is(err, tapkey.Duplicate), errors.Is(err, apierr.ErrConflict), errors.Is(err, apierr.ErrNotFound))
	var p *apierr.Problem[tapkey.Code]
	if errors.As(err, &p) {
		fmt.Printf("%d %s %q\n", p.Status, p.Code.String(), p.Title)
	}
	// Output:
	// tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card (PUT /api/v1/Owners/o1/Grants)
	// true true false
	// 409 Duplicate "only one grant allowed per lock and user/card"
}

// exos publishes no body, only that every error carries an ErrorCode; the
// decoder reads it in any casing, as a number or a string, and from an
// OData {"error":{…}} envelope.
func Example_exos() {
	for _, body := range []string{
		`{"ErrorCode":400241,"Message":"Concurrency-Error. The action you tried to execute probably relied on data that has been changed"}`,
		`{"error":{"code":"400241","message":"Concurrency-Error"}}`,
	} {
		resp := &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
		err := decode.Exos.Decode(resp, []byte(body))
		var p *apierr.Problem[exos.Code]
		if errors.As(err, &p) {
			fmt.Println(int(p.Code), p.Code.Info().Retry, errors.Is(err, exos.ConcurrencyError), errors.Is(err, apierr.ErrBadRequest))
		}
	}
	// Output:
	// 400241 concurrency true true
	// 400241 concurrency true true
}

// entrecode's documented example (with the comma it lacks after _links).
// Code is the four-digit code as sent; the three-digit constant matches it
// in every system, Code(2202) only in the Data Manager. The embedded
// sub-error becomes Errors.
func Example_entrecode() {
	resp := &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/problem+json"}}}
	body := []byte(`{
    "status": 400,
    "code": 2202,
    "title": "Missing property in query string",
    "type": "https://entrecode.de/doc/errors/2202",
    "detail": "count",
    "_links": {
        "up": {"title": "Data Manager Home Page", "href": "https://datamanager.entrecode.de"},
        "describedby": {"title": "Error Description", "href": "https://entrecode.de/doc/errors/2202"}
    },
    "_embedded": {
        "error": {
            "code": 2201,
            "title": "Missing property in JSON Body",
            "type": "https://entrecode.de/doc/errors/2201",
            "detail": "property"
        }
    }
}`)

	err := decode.Entrecode.Decode(resp, body)
	fmt.Println(errors.Is(err, entrecode.MissingPropertyInQueryString), errors.Is(err, entrecode.Code(2202)), errors.Is(err, entrecode.Code(1202)))
	var p *apierr.Problem[entrecode.Code]
	if errors.As(err, &p) {
		fmt.Println(int(p.Code), p.Title, p.Detail, p.Type)
		for _, sub := range p.Errors {
			fmt.Println("sub-error:", int(sub.Code), sub.Title, sub.Detail)
		}
	}
	// Output:
	// true true false
	// 2202 Missing property in query string count https://entrecode.de/doc/errors/2202
	// sub-error: 2201 Missing property in JSON Body property
}

// USTA sends an errors array or a bare object. message becomes Title and
// subject Detail; a six-digit code matches its four-digit parent.
func Example_usta() {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{400, `{"errors":[{"errorCode":5000, "message":"validation error", "subject":"firstName", "subjectType":"parameter"}]}`},
		{404, `{"errorCode":3001,"message":"entity not found"}`},
		{400, `{"errors":[{"errorCode":200601,"message":"entity saving error: USPTA number must be unique"}]}`},
	} {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {"application/json"}}}
		err := decode.USTA.Decode(resp, []byte(tc.body))
		var p *apierr.Problem[usta.Code]
		if errors.As(err, &p) {
			fmt.Printf("%d %d %q %q\n", p.Status, int(p.Code), p.Title, p.Detail)
		}
		fmt.Println(errors.Is(err, usta.ValidationError), errors.Is(err, usta.EntityNotFound), errors.Is(err, apierr.ErrNotFound), errors.Is(err, usta.EntitySavingError))
	}
	// Output:
	// 400 5000 "validation error" "firstName"
	// true false false false
	// 404 3001 "entity not found" ""
	// false true true false
	// 400 200601 "entity saving error: USPTA number must be unique" ""
	// false false false true
}

// RFC 9457's first example. Without a code member the code is the type
// URI, as codes.Generic, which no catalogue knows; extension members are
// decoded on demand with Members.
func Example_problem() {
	resp := &http.Response{StatusCode: 403, Header: http.Header{
		"Content-Type": {"application/problem+json"}, "Content-Language": {"en"}}}
	body := []byte(`{
 "type": "https://example.com/probs/out-of-credit",
 "title": "You do not have enough credit.",
 "detail": "Your current balance is 30, but that costs 50.",
 "instance": "/account/12345/msgs/abc",
 "balance": 30,
 "accounts": ["/account/12345",
              "/account/67890"]
}`)

	err := decode.Problem.Decode(resp, body)
	fmt.Println(errors.Is(err, apierr.ErrForbidden))
	var p *apierr.Problem[codes.Generic]
	if errors.As(err, &p) {
		fmt.Println(string(p.Code), p.Code.Info().Known)
		fmt.Println(p.Title, p.Detail)
		members, _ := p.Members()
		fmt.Println(string(members["balance"]))
	}
	// Output:
	// true
	// https://example.com/probs/out-of-credit false
	// You do not have enough credit. Your current balance is 30, but that costs 50.
	// 30
}

// Auto picks the vendor's Problem type by the body's shape, and falls back
// to *apierr.Problem[codes.Generic] for anything else, such as a proxy's
// HTML page. errors.Is with a code or a status sentinel works whatever the
// type.
func Example_auto() {
	for _, tc := range []struct {
		status      int
		contentType string
		body        string
	}{
		{409, "application/json", `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`},
		{404, "application/json", `{"errorCode":3001,"message":"entity not found"}`},
		{400, "application/json", `{"ErrorCode":400241,"Message":"Concurrency-Error"}`},
		{502, "text/html", `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`},
	} {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {tc.contentType}}}
		err := decode.Auto.Decode(resp, []byte(tc.body))
		switch p := err.(type) {
		case *apierr.Problem[tapkey.Code]:
			fmt.Println("tapkey:", p.Code.String(), errors.Is(err, tapkey.Duplicate))
		case *apierr.Problem[usta.Code]:
			fmt.Println("usta:", int(p.Code), errors.Is(err, usta.EntityNotFound))
		case *apierr.Problem[exos.Code]:
			fmt.Println("exos:", int(p.Code), errors.Is(err, exos.ConcurrencyError))
		case *apierr.Problem[codes.Generic]:
			fmt.Printf("generic: %q %q %t\n", string(p.Code), p.Title, errors.Is(err, apierr.ErrServer))
		}
	}
	// Output:
	// tapkey: Duplicate true
	// usta: 3001 true
	// exos: 400241 true
	// generic: "" "502 Bad Gateway" true
}
