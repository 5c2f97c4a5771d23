package errbody

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// summary is what a caller takes from an Envelope: the API, both codes and
// the main texts.
type summary struct {
	api                 API
	code, errorCode     string
	title, detail, user string
	subErrors           bool
}

func summarize(body []byte) summary {
	e := Get()
	defer Put(e)
	e.Read(body)
	return summary{
		api: Detect(e), code: e.Code.Text(), errorCode: e.ErrorCode.Text(),
		title: e.MainTitle(), detail: e.MainDetail(), user: e.UserErrorMessage,
		subErrors: e.Errors != nil || e.EmbeddedError != nil,
	}
}

// TestDeterministic: the old exos login decoder ranged over a map and gave
// up to four (title, code) results for one body over 200 runs. The scanner
// must give one result per body, every time.
func TestDeterministic(t *testing.T) {
	bodies := []string{
		`{"ErrorCode":300016,"errorCode":"300007","Message":"locked","message":"too many","error":{"code":"300003"}}`,
		`{"code":"300008","ErrorCode":300007,"Value":{"ErrorCode":300016},"title":"a","detail":"b","errorMessage":"c"}`,
		`{"errors":[{"errorCode":3001,"message":"a"},{"errorCode":5000,"message":"b"}],"message":"top"}`,
		`{"error":{"code":"300007","message":"Maximum number of concurrent users reached"},"Message":"x"}`,
	}
	for _, b := range bodies {
		first := summarize([]byte(b))
		for range 1000 {
			require.Equal(t, first, summarize([]byte(b)), b)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, body string
		want       API
	}{
		{"exos documented code", `{"ErrorCode":400241,"Message":"busy"}`, Exos},
		{"exos OData", `{"error":{"code":"300008","message":"Unknown API key or Identifier"}}`, Exos},
		{"exos code member", `{"code":"999999"}`, Exos},
		{"usta errors array", `{"errors":[{"errorCode":7777,"message":"new"}]}`, USTA},
		{"usta documented bare code", `{"errorCode":5001,"message":"x"}`, USTA},
		{"tapkey", `{"ErrorCode":"Duplicate","ErrorMessage":"x"}`, Tapkey},
		{"tapkey without code", `{"ErrorMessage":"x"}`, Tapkey},
		{"entrecode", `{"code":2201,"title":"Missing property"}`, Entrecode},
		{"entrecode embedded", `{"_embedded":{"error":{"code":2201}}}`, Entrecode},
		{"undocumented four digits", `{"errorCode":7777}`, Generic},
		{"OAuth 2", `{"error":"invalid_grant"}`, Generic},
		{"HTML", `<html><title>502</title></html>`, Generic},
		{"empty", ``, Generic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, summarize([]byte(tt.body)).api)
		})
	}
}

// FuzzDetect: any body gives one answer, the same on a second read, and
// never a panic.
func FuzzDetect(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if a, b := summarize(body), summarize(body); a != b {
			t.Fatalf("two reads differ: %+v vs %+v", a, b)
		}
	})
}
