package decode_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/internal/benchcpu"
)

// Each decoder's documented body, and the struct that exactly fits it for
// the encoding/json baseline.
var benchCases = []struct {
	name    string
	decoder apierr.Decoder
	status  int
	body    string
	exact   func() any
}{
	{"Exos", decode.Exos, 400, exosDocBody, func() any {
		return new(struct {
			ErrorCode int
			Message   string
		})
	}},
	{"Entrecode", decode.Entrecode, 400, entrecodeDocBody, func() any {
		type link struct{ Title, Href string }
		return new(struct {
			Status   int                            `json:"status"`
			Code     int                            `json:"code"`
			Title    string                         `json:"title"`
			Type     string                         `json:"type"`
			Detail   string                         `json:"detail"`
			Links    struct{ Up, Describedby link } `json:"_links"`
			Embedded struct {
				Error struct {
					Code                int
					Title, Type, Detail string
				} `json:"error"`
			} `json:"_embedded"`
		})
	}},
	{"USTA", decode.USTA, 400, ustaDocBody, func() any {
		return new(struct {
			Errors []struct {
				ErrorCode                     int `json:"errorCode"`
				Message, Subject, SubjectType string
			} `json:"errors"`
		})
	}},
	{"Tapkey", decode.Tapkey, 409, tapkeyDocBody, func() any {
		return new(struct{ ErrorCode, ErrorMessage, ErrorDetails, UserErrorMessage string })
	}},
	{"Problem", decode.Problem, 422, problemDocBody, func() any {
		return new(struct {
			Type, Title string
			Errors      []struct{ Detail, Pointer string }
		})
	}},
}

func benchResponse(status int) *http.Response {
	u, _ := url.Parse("https://api.example.com/api/v1/Owners/o1/Grants?x=1")
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Request:    &http.Request{Method: http.MethodPut, URL: u},
	}
}

// BenchmarkDecode runs, for each API's documented body, encoding/json into
// the exact struct (impl=json, the baseline), the API's decoder and Auto as
// sub-benchmarks of one benchmark, so that benchstat -col /impl gives the
// ratios to the baseline; see BENCHMARKS.md for the command.
func BenchmarkDecode(b *testing.B) {
	for _, c := range benchCases {
		resp, body := benchResponse(c.status), []byte(c.body)
		b.Run("api="+c.name+"/impl=json", func(b *testing.B) {
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for i := 0; i < b.N; i++ {
				if err := json.Unmarshal(body, c.exact()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("api="+c.name+"/impl=decoder", func(b *testing.B) {
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for i := 0; i < b.N; i++ {
				if c.decoder.Decode(resp, body) == nil {
					b.Fatal("nil error")
				}
			}
		})
		b.Run("api="+c.name+"/impl=auto", func(b *testing.B) {
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for i := 0; i < b.N; i++ {
				if decode.Auto.Decode(resp, body) == nil {
					b.Fatal("nil error")
				}
			}
		})
	}
}
