package apierrtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/accessapi/apierr"
)

// dialect is what differs between the four fakes: the error body, the auth
// scheme and the resources.
type dialect[C apierr.Code] struct {
	name      string
	mediaType string         // Content-Type of error bodies
	basePath  string         // the API's path under the host, as a client's base URL has it
	decoder   apierr.Decoder // the decode package's decoder for the API
	tokenPath string         // the OAuth2 token endpoint; "" for exos
	refresh   bool           // the token endpoint issues and accepts refresh tokens
	session   bool           // exos login sessions instead of OAuth2 bearer tokens
	authCodes map[authKind]C // the code sent with an auth failure, where the API has one
	wire      func(C) C      // the code as sent; nil: as given
	body      func(r *http.Request, e *errorReply[C]) any
	routes    func(s *Server[C]) http.Handler
}

// errorReply is one error answer, ready to be written in a dialect.
type errorReply[C apierr.Code] struct {
	*reply
	code    C
	hasCode bool
	title   string // ErrorMessage / title / message
	bare    bool   // USTA: the bare {"errorCode","message"} object
}

// badGatewayPage is what nginx sends when the upstream fails.
const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n" +
	"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// write sends e in the dialect's shape: headers, status and body.
func (d *dialect[C]) write(w http.ResponseWriter, r *http.Request, e *errorReply[C]) {
	if !e.hasCode && e.auth != authNone {
		e.code, e.hasCode = d.authCodes[e.auth]
	}
	if e.hasCode && d.wire != nil {
		e.code = d.wire(e.code)
	}
	if e.title == "" {
		e.title = defaultTitle(e)
	}
	h := w.Header()
	if e.challenge != "" {
		h.Set("WWW-Authenticate", e.challenge)
	}
	if e.hasRetry {
		h.Set("Retry-After", retryAfterValue(e.retryAfter))
		if e.retryAfter%time.Second != 0 {
			h.Set("Retry-After-Ms", retryAfterMsValue(e.retryAfter))
		}
	}
	if e.html {
		h.Set("Content-Type", "text/html")
		w.WriteHeader(e.status)
		_, _ = w.Write([]byte(badGatewayPage))
		return
	}
	writeJSON(w, d.mediaType, e.status, d.body(r, e))
}

// defaultTitle is the short text of an answer that has none of its own.
func defaultTitle[C apierr.Code](e *errorReply[C]) string {
	if e.hasCode {
		if desc := e.code.Info().Description; desc != "" {
			return desc
		}
	}
	switch e.auth {
	case authMissing:
		return "No access token was sent"
	case authInvalid:
		return "The access token is invalid"
	case authExpired:
		return "The access token expired"
	case authScope:
		return "The access token does not have the required scope"
	}
	var zero C
	if e.hasCode && e.code != zero {
		return codeString(e.code)
	}
	return strings.ToLower(http.StatusText(e.status))
}

// codeString is a code as its API writes it.
func codeString(c error) string {
	if s, ok := c.(interface{ String() string }); ok {
		return s.String()
	}
	return c.Error()
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, mediaType string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "apierrtest: cannot encode answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
