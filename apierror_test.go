package apierr_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
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

func TestAPIErrorStatusAndCode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    apierr.APIError
		status int
		code   string
	}{
		{"tapkey", &apierr.Problem[tapkey.Code]{Status: 409, Code: tapkey.Duplicate}, 409, "Duplicate"},
		{"exos", &apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError}, 400, "400241"},
		{"exos stray 405", &apierr.Problem[exos.Code]{Status: 400, Code: exos.MethodNotAllowed}, 400, "405"},
		{"entrecode internal error as sent", &apierr.Problem[entrecode.Code]{Status: 500, Code: 2000}, 500, "2000"},
		{"entrecode code 0 is no code", &apierr.Problem[entrecode.Code]{Status: 500, Code: entrecode.InternalError}, 500, ""},
		{"entrecode as sent", &apierr.Problem[entrecode.Code]{Status: 401, Code: 2410}, 401, "2410"},
		{"usta refinement", &apierr.Problem[usta.Code]{Status: 400, Code: 200601}, 400, "200601"},
		{"generic", &apierr.Problem[codes.Generic]{Status: 403, Code: "https://example.com/probs/out-of-credit"}, 403, "https://example.com/probs/out-of-credit"},
		{"no code", &apierr.Problem[exos.Code]{Status: 502}, 502, ""},
		{"no code, string type", &apierr.Problem[tapkey.Code]{Status: 404}, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apierr.APIError
			require.True(t, errors.As(fmt.Errorf("wrapped: %w", tc.err), &e))
			assert.Equal(t, tc.status, e.StatusCode())
			assert.Equal(t, tc.code, e.ErrorCode())
			assert.Equal(t, codes.Generic(tc.code), e.Generic().Code)
		})
	}
}

func TestGenericCopiesEveryField(t *testing.T) {
	sub := apierr.Problem[entrecode.Code]{Status: 400, Code: 2201, Title: "missing property", Detail: "name"}
	p := &apierr.Problem[entrecode.Code]{
		Status: 400, Code: 2202, Type: "https://doc.entrecode.de/errors/2202", Title: "Missing property in query string",
		Detail: "size", UserMessage: "Bitte Größe angeben", Errors: []apierr.Problem[entrecode.Code]{sub},
		RequestID: "req-1", RetryAfter: 3 * time.Second, Attempts: 2, Method: "GET",
		URL: "https://datamanager.entrecode.de/api/x", Body: []byte(`{"code":2202}`),
	}
	g := p.Generic()
	assert.Equal(t, &apierr.Problem[codes.Generic]{
		Status: 400, Code: "2202", Type: "https://doc.entrecode.de/errors/2202", Title: "Missing property in query string",
		Detail: "size", UserMessage: "Bitte Größe angeben",
		Errors:    []apierr.Problem[codes.Generic]{{Status: 400, Code: "2201", Title: "missing property", Detail: "name"}},
		RequestID: "req-1", RetryAfter: 3 * time.Second, Attempts: 2, Method: "GET",
		URL: "https://datamanager.entrecode.de/api/x", Body: []byte(`{"code":2202}`),
	}, g)

	// Every field of the original is set above, so every field of the copy
	// must be: a field added to Problem and forgotten in Generic fails here.
	v := reflect.ValueOf(*g)
	for i := 0; i < v.NumField(); i++ {
		assert.False(t, v.Field(i).IsZero(), "Generic drops field %s", v.Type().Field(i).Name)
	}
	assert.Equal(t, reflect.TypeOf(*p).NumField(), v.NumField())

	assert.True(t, errors.Is(g, apierr.ErrBadRequest), "the copy keeps its status sentinel")
	assert.False(t, errors.Is(g, entrecode.MissingPropertyInQueryString), "the copy's code has no catalogue")
	assert.Nil(t, (&apierr.Problem[exos.Code]{Status: 502}).Generic().Errors)
}

func TestErrAlreadyApplied(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"exos person already blocked", &apierr.Problem[exos.Code]{Status: 400, Code: exos.PersonAlreadyBlocked}, true},
		{"exos access right already assigned", &apierr.Problem[exos.Code]{Status: 400, Code: exos.AccessRightAlreadyAssigned}, true},
		{"exos personal number already in use", &apierr.Problem[exos.Code]{Status: 400, Code: 400036}, false},
		{"exos concurrency error", &apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError}, false},
		{"tapkey duplicate: the grant may differ", &apierr.Problem[tapkey.Code]{Status: 409, Code: tapkey.Duplicate}, false},
		{"usta same entity exists", &apierr.Problem[usta.Code]{Status: 400, Code: 3002}, false},
		{"no code", &apierr.Problem[exos.Code]{Status: 409}, false},
		{"generic code", &apierr.Problem[codes.Generic]{Status: 409, Code: "400026"}, false},
		{"the generic copy of an applied code", (&apierr.Problem[exos.Code]{Status: 400, Code: exos.PersonAlreadyBlocked}).Generic(), false},
		{"a bare code is no Problem", exos.PersonAlreadyBlocked, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errors.Is(fmt.Errorf("ensure: %w", tc.err), apierr.ErrAlreadyApplied))
		})
	}
	applied := &apierr.Problem[exos.Code]{Status: 400, Code: exos.PersonAlreadyBlocked}
	assert.True(t, errors.Is(applied, apierr.ErrBadRequest), "its status sentinel still matches")
	assert.True(t, errors.Is(applied, exos.PersonAlreadyBlocked), "its code sentinel still matches")
	assert.False(t, errors.Is(apierr.ErrAlreadyApplied, apierr.ErrBadRequest))
	assert.False(t, errors.Is(applied, apierr.ErrClosed))
}

func TestErrClosedMatchesNothingElse(t *testing.T) {
	closed := fmt.Errorf("do: %w", apierr.ErrClosed)
	for _, target := range []error{apierr.ErrUnauthorized, apierr.ErrReauthRequired, apierr.ErrServer, apierr.ErrAlreadyApplied} {
		assert.False(t, errors.Is(closed, target), "%v", target)
	}
	assert.True(t, errors.Is(closed, apierr.ErrClosed))
	assert.True(t, strings.HasPrefix(apierr.ErrClosed.Error(), "apierr: "))
	var e apierr.APIError
	assert.False(t, errors.As(apierr.ErrClosed, &e), "nothing was sent, so there is no response to read")
}

// TestEveryDecoderYieldsAnAPIError feeds each decoder bodies of every shape,
// and odd ones, and reads each result through APIError.
func TestEveryDecoderYieldsAnAPIError(t *testing.T) {
	bodies := []struct {
		name, contentType, body string
		status                  int
		code                    string // what Auto reads
	}{
		{"tapkey", "application/json", `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant"}`, 409, "Duplicate"},
		{"entrecode", "application/problem+json", `{"status":401,"code":2410,"title":"Insufficient rights"}`, 401, "2410"},
		{"usta", "application/json", `{"errors":[{"errorCode":200601,"message":"USPTA number must be unique"}]}`, 400, "200601"},
		{"exos", "application/json", `{"ErrorCode":400026,"Message":"Person already blocked"}`, 400, "400026"},
		{"rfc 9457", "application/problem+json", `{"type":"https://example.com/probs/out-of-credit","title":"no credit","status":403}`, 403, "https://example.com/probs/out-of-credit"},
		{"html 502", "text/html", "<html><body>502 Bad Gateway</body></html>", 502, ""},
		{"empty", "", "", 503, ""},
		{"truncated json", "application/json", `{"ErrorCode":"Dupl`, 409, ""},
		{"binary", "application/octet-stream", "\x00\xff\xfe{\x01", 500, ""},
	}
	decoders := map[string]apierr.Decoder{
		"Auto": decode.Auto, "Exos": decode.Exos, "Entrecode": decode.Entrecode,
		"USTA": decode.USTA, "Tapkey": decode.Tapkey, "Problem": decode.Problem,
	}
	for dname, d := range decoders {
		for _, b := range bodies {
			t.Run(dname+"/"+b.name, func(t *testing.T) {
				resp := &http.Response{StatusCode: b.status, Header: http.Header{"Content-Type": {b.contentType}, "X-Request-Id": {"r-7"}}}
				err := d.Decode(resp, []byte(b.body))
				require.Error(t, err)
				var e apierr.APIError
				require.True(t, errors.As(err, &e), "%T is no APIError", err)
				assert.Equal(t, b.status, e.StatusCode())
				assert.Equal(t, "r-7", e.Generic().RequestID)
				assert.Equal(t, b.body, string(e.Generic().Body))
				if dname == "Auto" {
					assert.Equal(t, b.code, e.ErrorCode())
				}
			})
		}
	}
}
