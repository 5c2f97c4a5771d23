package decode_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

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

// oddBodies are what proxies, frameworks and broken servers send. Every
// decoder must turn each into a Problem that keeps the status and the body.
var oddBodies = []string{
	"", "   \r\n", "null", "true", "42", "[]", "{}", "{ }", "[1,2]", `"Bad Gateway"`, `"unterminated`,
	"{", "}", "[", `{"a":`, `{"title":"x"`, `{"title":"x",}`, `{"title":"x" "detail":"y"}`, `{'title': 'x'}`, `{title: x}`,
	`{"title":"x"} trailing`, "\xef\xbb\xbf" + `{"title":"with BOM"}`, "\xff\xfe\x00i\x00n\x00v\x00a\x00l\x00i\x00d",
	`{"title":"\ud800 lone surrogate \x bad escape"}`, `{"title":"` + "\xff" + ` invalid utf-8"}`,
	`{"code":{"nested":1},"status":"abc","errorCode":[1],"title":5,"detail":null}`,
	`{"code":99999999999999999999999999,"status":1e3,"errorCode":-1.5}`,
	`{"_embedded":[],"_links":"x","errors":"oops","issues":{},"cause":[1,"two",null]}`,
	`{"_embedded":{"error":"just text"}}`, `{"_embedded":{"error":[null,1,"x",[],{}]}}`,
	`{"errors":{"f":[1,null,{"a":1},"msg"],"g":{},"h":null}}`, `{"errors":[[],[[]],"msg",{}]}`,
	`{"error":{"error":{"error":{"code":1}}}}`, `{"error":[1,2]}`, `{"errors":[{"errors":[{"errors":[]}]}]}`,
	"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
	"<!DOCTYPE html><html><head><style>h1{color:red}</style><script>var s='<title>no</title>';</script></head><body><p>Too &amp; many requests</p></body></html>",
	"<title>unclosed", "<", "<<<<>>>>", "<h1", "<!-- never closed",
	"upstream connect error or disconnect/reset before headers. reset reason: connection failure",
	"Too Many Requests\n\n\tretry later",
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	`{"a":` + strings.Repeat(`{"a":`, 5000),
	`{"title":"` + strings.Repeat("é", 5000) + `"}`,
	`{"cause":` + strings.Repeat(`{"title":"c","cause":`, 100) + `{}` + strings.Repeat("}", 101),
}

// oddDecoders are the decoders with a check that the result has their type.
var oddDecoders = []struct {
	name    string
	decoder apierr.Decoder
	isType  func(error) bool
}{
	{"Exos", decode.Exos, isProblem[exos.Code]},
	{"Entrecode", decode.Entrecode, isProblem[entrecode.Code]},
	{"USTA", decode.USTA, isProblem[usta.Code]},
	{"Tapkey", decode.Tapkey, isProblem[tapkey.Code]},
	{"Problem", decode.Problem, isProblem[codes.Generic]},
	{"Auto", decode.Auto, func(err error) bool { _, ok := summarize(err); return ok }},
}

func isProblem[C apierr.Code](err error) bool {
	_, ok := err.(*apierr.Problem[C])
	return ok
}

func TestOddBodies(t *testing.T) {
	for _, d := range oddDecoders {
		t.Run(d.name, func(t *testing.T) {
			for _, body := range oddBodies {
				in := []byte(body)
				err := d.decoder.Decode(response(http.StatusBadGateway, nil), in)
				require.Error(t, err, "%q", body)
				require.True(t, d.isType(err), "%q gave %T", body, err)
				got, _ := summarize(err)
				assert.Equal(t, http.StatusBadGateway, got.status, "%q", body)
				assert.LessOrEqual(t, got.subErrors, 64, "%q", body)
				assert.True(t, utf8.ValidString(err.Error()), "%q", body)
			}
		})
	}
}

// What odd bodies say is still read.
func TestOddBodiesTitle(t *testing.T) {
	cases := []struct{ body, title string }{
		{`"Bad Gateway"`, "Bad Gateway"},
		{`{"title":"x" "detail":"y"}`, "x"},
		{`{"title":"x"} trailing`, "x"},
		{"\xef\xbb\xbf" + `{"title":"with BOM"}`, "with BOM"},
		{`{'title': 'x'}`, `{'title': 'x'}`},
		{`{"title":"` + "\xff" + ` invalid utf-8"}`, "\uFFFD invalid utf-8"},
		{"<!DOCTYPE html><html><head><style>h1{color:red}</style><script>var s='<title>no</title>';</script></head><body><p>Too &amp; many requests</p></body></html>", "Too & many requests"},
		{"Too Many Requests\n\n\tretry later", "Too Many Requests retry later"},
		{"<title>unclosed", "unclosed"},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			p := decodeAs[codes.Generic](t, decode.Problem, response(400, nil), []byte(c.body))
			assert.Equal(t, c.title, p.Title, "%q", c.body)
		})
	}
}

// A text body gives a bounded title; a JSON title is kept whole.
func TestTitleBound(t *testing.T) {
	text := strings.Repeat("word ", 1000)
	p := decodeAs[codes.Generic](t, decode.Problem, response(500, nil), []byte(text))
	assert.LessOrEqual(t, len(p.Title), 200)
	assert.True(t, strings.HasPrefix(p.Title, "word word"))

	long := strings.Repeat("x", 1000)
	p = decodeAs[codes.Generic](t, decode.Problem, response(500, nil), []byte(`{"title":"`+long+`"}`))
	assert.Equal(t, long, p.Title)
}

// Sub-errors are capped, so a body of many tiny errors stays cheap; the
// rest stay in the body.
func TestSubErrorCap(t *testing.T) {
	body := `{"title":"many","errors":[` + strings.Repeat(`{"detail":"d"},`, 1000) + `{}]}`
	p := decodeAs[codes.Generic](t, decode.Problem, response(400, nil), []byte(body))
	assert.Len(t, p.Errors, 64)

	body = `{"title":"many","errors":{"f":[` + strings.Repeat(`"m",`, 1000) + `"m"]}}`
	p = decodeAs[codes.Generic](t, decode.Problem, response(400, nil), []byte(body))
	assert.Len(t, p.Errors, 64)

	chain := `{"cause":` + strings.Repeat(`{"title":"c","cause":`, 100) + `{}` + strings.Repeat("}", 101)
	p = decodeAs[codes.Generic](t, decode.Problem, response(400, nil), []byte(chain))
	depth := 0
	for q := p; len(q.Errors) > 0; q = &q.Errors[0] {
		depth++
	}
	assert.Equal(t, 8, depth)
}
