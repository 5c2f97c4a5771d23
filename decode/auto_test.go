package decode_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/decode"
)

// Auto's choice for shapes the corpus has no body for (exos publishes none)
// and for the edges of each rule. The corpus test checks Auto on every
// corpus body.
func TestAutoPicksTheAPI(t *testing.T) {
	cases := []struct {
		name, body string
		want       decoded
	}{
		{"exos documented", exosDocBody, decoded{"exos", 400, "400241", 0}},
		{"exos OData", `{"error":{"code":"300008","message":"Unknown API key or Identifier"}}`, decoded{"exos", 400, "300008", 0}},
		{"exos OData without a numeric code", `{"error":{"code":"Unauthorized","message":"no"}}`, decoded{"exos", 400, "", 0}},
		{"exos undocumented six digits", `{"errorCode":123456,"message":"new"}`, decoded{"exos", 400, "123456", 0}},
		{"exos code member", `{"code":"999999","message":"Unknown error"}`, decoded{"exos", 400, "999999", 0}},
		{"exos stray 405", `{"ErrorCode":405,"Message":"Method not allowed"}`, decoded{"exos", 400, "405", 0}},
		{"usta bare documented code", `{"errorCode":5001,"message":"illegal combination of method arguments"}`, decoded{"usta", 400, "5001", 0}},
		{"usta undocumented sub-code of a documented code", `{"errorCode":200699,"message":"entity saving error"}`, decoded{"usta", 400, "200699", 0}},
		{"usta errors array, undocumented code", `{"errors":[{"errorCode":7777,"message":"new"},{"errorCode":7778,"message":"newer"}]}`, decoded{"usta", 400, "7777", 1}},
		{"bare undocumented four digits is no API", `{"errorCode":7777,"message":"new"}`, decoded{"generic", 400, "7777", 0}},
		{"tapkey without ErrorCode", `{"ErrorMessage":"lock already bound","ErrorDetails":"","UserErrorMessage":""}`, decoded{"tapkey", 400, "", 0}},
		{"tapkey camelCase", `{"errorCode":"EmailNotVerified","errorMessage":"verify first"}`, decoded{"tapkey", 400, "EmailNotVerified", 0}},
		{"entrecode sub-errors only", `{"_embedded":{"error":{"code":2201,"title":"Missing property in JSON body"}}}`, decoded{"entrecode", 400, "", 1}},
		{"entrecode code and _links", `{"code":"2100","_links":{}}`, decoded{"entrecode", 400, "2100", 0}},
		{"four-digit code without title or links", `{"code":2100}`, decoded{"generic", 400, "2100", 0}},
		{"snake_case error code is no Tapkey code", `{"errorCode":"invalid_request","message":"bad"}`, decoded{"generic", 400, "invalid_request", 0}},
		{"OAuth 2 error", `{"error":"invalid_grant"}`, decoded{"generic", 400, "invalid_grant", 0}},
		{"HTML", "<html><title>Bad Request</title></html>", decoded{"generic", 400, "", 0}},
		{"empty", "", decoded{"generic", 400, "", 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := summarize(decode.Auto.Decode(response(400, nil), []byte(c.body)))
			require.True(t, ok)
			assert.Equal(t, c.want, got)
		})
	}
}
