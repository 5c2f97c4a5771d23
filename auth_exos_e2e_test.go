package apierr_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// TestExosLoginAgreesWithDecodeExos: the login path and decode.Exos read an
// exos error body with the same scanner, so they agree on its code and
// texts, every time. These are the ten bodies on which the login path's
// own decoder once disagreed five times (and gave four answers over 200
// runs for the one with duplicate members).
func TestExosLoginAgreesWithDecodeExos(t *testing.T) {
	bodies := []string{
		`{"ErrorCode":300003,"Message":"Unknown user or wrong password"}`,
		`{"errorCode":"300016","errorMessage":"locked"}`,
		`{"error":{"code":"300007","message":"Maximum number of concurrent users reached"}}`,
		`{"Value":{"ErrorCode":300008}}`,
		`{"ErrorCode":"12345678"}`,
		"Unknown user\nmore",
		"<html><title>502 Bad Gateway</title></html>",
		`{"ErrorCode":300016,"errorCode":300007,"Message":"locked","message":"too many"}`,
		`{"message":"no code","detail":"d","ErrorCode":"300006"}`,
		"",
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
			want, ok := decode.Exos.Decode(resp, []byte(body)).(*apierr.Problem[exos.Code])
			require.True(t, ok)
			for range 1000 {
				got := apierr.ExosLoginProblem(resp, []byte(body))
				require.Equal(t, want.Code, got.Code)
				require.Equal(t, want.Title, got.Title)
				require.Equal(t, want.Detail, got.Detail)
			}
			assert.Equal(t, http.StatusTooManyRequests, want.Status)
		})
	}
}
