package apierr

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// secretsSent returns every secret the client sent with the request that
// got resp: the Authorization values of the request Do sent and of the
// last hop, the credential in each, and, for Basic, what it encodes (the
// exos API key and session identifier); plus the auth scheme's own secrets.
// An API that echoes any of them in its error body must not put it in an
// error's text. nil when nothing secret was sent.
func (c *Client) secretsSent(s *callState, resp *http.Response) []string {
	var out []string
	if s.rreq.Request != nil {
		out = appendAuthSecrets(out, s.rreq.Header["Authorization"])
	}
	if resp.Request != nil {
		out = appendAuthSecrets(out, resp.Request.Header["Authorization"])
	}
	if ta, ok := c.auth.(*tokenAuth); ok {
		out = append(out, ta.secrets()...)
	}
	return out
}

// appendAuthSecrets adds each Authorization value, the credential after
// its scheme, and the user and password of a Basic credential.
func appendAuthSecrets(out []string, values []string) []string {
	for _, v := range values {
		out = append(out, v)
		scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok {
			continue
		}
		cred = strings.TrimSpace(cred)
		out = append(out, cred)
		if strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				user, pass, _ := strings.Cut(string(raw), ":")
				out = append(out, string(raw), user, pass)
			}
		}
	}
	return out
}
