package errbody

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oracle is what encoding/json makes of the members Envelope.read reads:
// for valid JSON the two must agree (the walker is ours, so encoding/json
// checks it).
type oracle struct {
	Code      json.RawMessage `json:"code"`
	ErrorCode json.RawMessage `json:"errorCode"`
	Status    json.RawMessage `json:"status"`

	Type             string `json:"type"`
	Title            string `json:"title"`
	ErrorMessage     string `json:"errorMessage"`
	Message          string `json:"message"`
	ErrorDescription string `json:"error_description"`
	Detail           string `json:"detail"`
	ErrorDetails     string `json:"errorDetails"`
	Subject          string `json:"subject"`
	Pointer          string `json:"pointer"`
	UserErrorMessage string `json:"userErrorMessage"`
	RequestID        string `json:"requestID"`
	TraceID          string `json:"traceId"`

	Links    json.RawMessage `json:"_links"`
	Embedded struct {
		Error json.RawMessage `json:"error"`
	} `json:"_embedded"`
	Errors json.RawMessage `json:"errors"`
	Issues json.RawMessage `json:"issues"`
	Cause  json.RawMessage `json:"cause"`
	Error  json.RawMessage `json:"error"`
}

// asEnvelope turns the oracle into the Envelope that read should produce.
func (o *oracle) asEnvelope() Envelope {
	code := func(r json.RawMessage) Code {
		if len(r) > 2 && r[0] == '"' {
			return Code{Raw: r, IsStr: true}
		}
		if len(r) > 0 && (r[0] == '-' || (r[0] >= '0' && r[0] <= '9')) {
			return Code{Raw: r}
		}
		return Code{}
	}
	raw := func(r json.RawMessage) []byte {
		if r == nil || string(r) == "null" {
			return nil
		}
		return r
	}
	return Envelope{
		Code: code(o.Code), ErrorCode: code(o.ErrorCode), Status: code(o.Status),
		Type: o.Type, Title: o.Title, ErrorMessage: o.ErrorMessage, Message: o.Message,
		ErrorDescription: o.ErrorDescription, Detail: o.Detail, ErrorDetails: o.ErrorDetails,
		Subject: o.Subject, Pointer: o.Pointer, UserErrorMessage: o.UserErrorMessage,
		RequestID: o.RequestID, TraceID: o.TraceID,
		Links: raw(o.Links), EmbeddedError: raw(o.Embedded.Error), Errors: raw(o.Errors),
		Issues: raw(o.Issues), Cause: raw(o.Cause), Error: raw(o.Error),
	}
}

// asciiKeys reports whether the keys read (top level and _embedded) are
// ASCII: encoding/json also folds a few non-ASCII letters (ſ, K), which the
// APIs' member names never contain.
func asciiKeys(body []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return false
	}
	for k, v := range top {
		if !isASCII(k) {
			return false
		}
		var inner map[string]json.RawMessage
		if strings.EqualFold(k, "_embedded") && json.Unmarshal(v, &inner) == nil {
			for k := range inner {
				if !isASCII(k) {
					return false
				}
			}
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkAgainstOracle compares read with encoding/json on a valid object.
func checkAgainstOracle(t *testing.T, body []byte) {
	if FirstByte(body) != '{' || !json.Valid(body) || !asciiKeys(body) {
		return
	}
	var o oracle
	_ = json.Unmarshal(body, &o) // type errors leave fields as they were, as read does
	var e Envelope
	e.ReadObject(body[skipSpace(body, 0):])
	require.Equal(t, o.asEnvelope(), e, "%q", body)
}

func TestReadAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range seedBodies(t) {
		checkAgainstOracle(t, body)
	}
	checkAgainstOracle(t, []byte(`{"TITLE":"a","Title":"b","title":5,"code":"","errorCode":"x","_embedded":{"ERROR":[1],"error":null},"errors":null,"status":-1.5e3}`))
	checkAgainstOracle(t, []byte(`{"\u0074itle":"escaped key","detail":"\u00e9\ud83d\ude00\n\"","subject":"\ud800"}`))
}

// FuzzEnvelope checks the one-pass reader: no panic on any input, and the
// same members as encoding/json on valid JSON.
func FuzzEnvelope(f *testing.F) {
	for _, body := range seedBodies(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := Get()
		defer Put(e)
		e.Read(body)
		checkAgainstOracle(t, body)
	})
}

// seedBodies are the corpus bodies (when present) and bodies with odd
// members, for the tests and fuzz targets of this package.
func seedBodies(tb testing.TB) [][]byte {
	bodies := [][]byte{
		[]byte(`{"ErrorCode":400241,"Message":"Concurrency-Error"}`),
		[]byte(`{"error":{"code":"400241","message":"m"}}`),
		[]byte(`{"errors":[{"errorCode":5000,"message":"validation error","subject":"firstName","subjectType":"parameter"}]}`),
		[]byte(`{"errors":{"Name":["required"]},"traceId":"t"}`),
		[]byte(`{"title":"t" "detail":"d"}`),
		[]byte(`{"title":"\u00e9\ud83d\ude00"}`),
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	return bodies
}

func TestWalk(t *testing.T) {
	var got []string
	for el := range Elements([]byte(` [ 1 , "a,]" , {"b":[2,{"c":"}"}]} , [] ] `)) {
		got = append(got, string(el))
	}
	assert.Equal(t, []string{`1`, `"a,]"`, `{"b":[2,{"c":"}"}]}`, `[]`}, got)

	got = nil
	for k, v := range Members([]byte(`{"a" : 1, "b\"":{"x":"\\"} "c":[ ], "d":`)) {
		got = append(got, string(k)+"="+string(v))
	}
	assert.Equal(t, []string{`"a"=1`, `"b\""={"x":"\\"}`, `"c"=[ ]`}, got, "reads on over a missing comma, stops at a value that does not end")

	for _, bad := range []string{"", "[", "[1,", `["`, `{"a"`, `{"a":`, `{"a":"`, "{1:2}", "[,]", `{"a":1 x}`} {
		n := 0
		for range Elements([]byte(bad)) {
			n++
		}
		for range Members([]byte(bad)) {
			n++
		}
		assert.LessOrEqual(t, n, 1, "%q", bad)
	}
}

func TestJSONCode(t *testing.T) {
	cases := []struct {
		val     string
		n       int
		isInt   bool
		text    string
		present bool
	}{
		{`400241`, 400241, true, "400241", true},
		{`"400241"`, 400241, true, "400241", true},
		{`" 42 "`, 42, true, " 42 ", true},
		{`-7`, -7, true, "-7", true},
		{`"Duplicate"`, 0, false, "Duplicate", true},
		{`"Dup\u006cicate"`, 0, false, "Duplicate", true},
		{`1.5`, 0, false, "1.5", true},
		{`1e3`, 0, false, "1e3", true},
		{`99999999999999999999`, 0, false, "99999999999999999999", true},
		{`""`, 0, false, "", false},
		{`null`, 0, false, "", false},
		{`{"a":1}`, 0, false, "", false},
		{`true`, 0, false, "", false},
	}
	for _, c := range cases {
		t.Run(c.val, func(t *testing.T) {
			code := codeValue([]byte(c.val))
			n, ok := code.Int()
			assert.Equal(t, c.n, n)
			assert.Equal(t, c.isInt, ok)
			assert.Equal(t, c.text, code.Text())
			assert.Equal(t, c.present, code.Present())
		})
	}
}

func TestDecodeString(t *testing.T) {
	for tok, want := range map[string]string{
		`"plain"`:                 "plain",
		`"a\"b\\c\/d\n\u00e9"`:    "a\"b\\c/d\né",
		`"\ud83d\ude00"`:          "😀",
		`"\ud800"`:                "\uFFFD",
		"\"\xff\"":                "\uFFFD",
		`"bad \x escape"`:         `bad \x escape`,
		"\"bad \\x escape \xff\"": "bad \\x escape \uFFFD",
	} {
		t.Run(tok, func(t *testing.T) {
			got, ok := DecodeString([]byte(tok))
			assert.True(t, ok)
			assert.Equal(t, want, got)
		})
	}
	for _, notString := range []string{``, `"`, `x"`, `"x`, `42`} {
		t.Run("not a string "+notString, func(t *testing.T) {
			_, ok := DecodeString([]byte(notString))
			assert.False(t, ok)
		})
	}
}
