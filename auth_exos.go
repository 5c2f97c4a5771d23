package apierr

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/internal/boundedbody"
	"golang.org/x/oauth2"
)

// ExosSession configures an exos 9300 login session (WithExosSession). The
// client logs in on first use, sends Authorization: Basic
// base64(APIKey + ":" + identifier) on every call, logs in again when exos
// answers 300008, and logs out on Close.
type ExosSession struct {
	LoginURL  string // legacy …/ExosApiLogin/api/v1.0/login, or 4.3.3+ …/ExosAuth/api/v1/login; a path resolves against the base URL
	LogoutURL string // …/ExosApi/api/v1.0/logins/logoutMyself; empty: no logout
	APIKey    string
	UserName  string
	Password  string
	TenantID  int  // 4.3.3+ login body {tenantId, requestChannel, userName, password}
	Legacy    bool // legacy: Basic user:password, reply {"Value":{"Identifier":…}}

	RequestChannel int // 4.3.3+ login body's requestChannel (0 unless exos was set up otherwise)
	// Scheme is "Basic" (the default: APIKey + ":" + identifier) or "Bearer"
	// (the identifier alone, as some 4.3.3+ installations expect).
	Scheme string
	// LockoutWait is how long every caller fails fast after exos refused a
	// login (300007, 300016, wrong password) without a Retry-After: logging
	// in again at once would only lock the account. Default 1 minute.
	LockoutWait time.Duration
}

const (
	defaultLockoutWait = time.Minute
	exosBodyLimit      = 64 << 10 // login replies and errors are small
)

// Exos login codes that change what the session does.
const (
	exosUnknownUser    = exos.Code(300003) // unknown user or wrong password
	exosPasswordExpiry = exos.Code(300006) // password expired
	exosTooManyUsers   = exos.Code(300007) // maximum number of concurrent users reached
	exosUnknownKey     = exos.Code(300008) // unknown API key or identifier: log in again
	exosFailedLogins   = exos.Code(300016) // maximum number of failed logins reached (429)
)

// validate checks s and fills its defaults.
func (s *ExosSession) validate() error {
	switch {
	case strings.TrimSpace(s.LoginURL) == "":
		return errors.New("apierr: WithExosSession: LoginURL is empty")
	case s.UserName == "":
		return errors.New("apierr: WithExosSession: UserName is empty")
	case s.LockoutWait < 0:
		return errors.New("apierr: WithExosSession: LockoutWait is negative")
	}
	switch {
	case s.Scheme == "" || strings.EqualFold(s.Scheme, "Basic"):
		s.Scheme = "Basic"
		if s.APIKey == "" {
			return errors.New("apierr: WithExosSession: APIKey is empty (needed for the Basic scheme)")
		}
	case strings.EqualFold(s.Scheme, "Bearer"):
		s.Scheme = "Bearer"
	default:
		return errors.New("apierr: WithExosSession: Scheme must be Basic or Bearer, not " + strconv.Quote(s.Scheme))
	}
	if s.LockoutWait == 0 {
		s.LockoutWait = defaultLockoutWait
	}
	return nil
}

// exosSource logs in to exos; the identifier it gets is the "token".
type exosSource struct {
	s         ExosSession
	login     *url.URL
	logoutURL *url.URL // nil: no logout
	hc        *http.Client
	retry     endpointRetry
}

func (x *exosSource) headerValue(tok *oauth2.Token) string {
	if x.s.Scheme == "Bearer" {
		return "Bearer " + tok.AccessToken
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(x.s.APIKey+":"+tok.AccessToken))
}

func (x *exosSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	return x.retry.do(ctx, x.attempt)
}

// attempt is one login request.
func (x *exosSource) attempt(ctx context.Context) (*oauth2.Token, *AuthError, bool) {
	req, err := x.loginRequest(ctx)
	if err != nil {
		return nil, &AuthError{Op: "login", Err: err}, false
	}
	resp, err := x.hc.Do(req)
	if err != nil {
		ae, again := tokenError("login", err, x.secrets())
		return nil, ae, again
	}
	body, _, err := boundedbody.Read(resp.Body, exosBodyLimit)
	if resp.StatusCode/100 == 2 {
		if err != nil {
			return nil, &AuthError{Op: "login", Status: resp.StatusCode, msg: "reading the login reply failed"}, true
		}
		id := exosIdentifier(body)
		if id == "" {
			return nil, &AuthError{Op: "login", Status: resp.StatusCode, msg: "the login reply holds no identifier"}, false
		}
		return &oauth2.Token{AccessToken: id, TokenType: x.s.Scheme}, nil, false
	}
	ae := x.loginError(resp, body)
	return nil, ae, ae.Status >= 500 && ae.kind == nil
}

func (x *exosSource) loginRequest(ctx context.Context) (*http.Request, error) {
	if x.s.Legacy {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.login.String(), http.NoBody)
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(x.s.UserName, x.s.Password)
		req.Header.Set("Accept", "application/json")
		return req, nil
	}
	body, err := json.Marshal(struct {
		TenantID       int    `json:"tenantId"`
		RequestChannel int    `json:"requestChannel"`
		UserName       string `json:"userName"`
		Password       string `json:"password"`
	}{x.s.TenantID, x.s.RequestChannel, x.s.UserName, x.s.Password})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.login.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// loginError turns a refused login into an *AuthError carrying the exos
// Problem. Throttling and refused credentials make callers fail fast for a
// while: each new attempt would count as one more failed login.
func (x *exosSource) loginError(resp *http.Response, body []byte) *AuthError {
	p := exosLoginProblem(resp, body)
	ae := &AuthError{Op: "login", Status: p.Status, Err: p, RetryAfter: p.RetryAfter}
	if p.Code != 0 {
		ae.Code = p.Code.String()
	}
	ae.Description = scrubSecrets(p.Title, x.secrets())
	if ae.Description == "" && p.Code != 0 {
		ae.Description = p.Code.Info().Description
	}
	switch {
	case p.Code == exosTooManyUsers || p.Code == exosFailedLogins || p.Status == http.StatusTooManyRequests:
		ae.kind = ErrLoginThrottled
	case p.Code == exosUnknownUser || p.Code == exosPasswordExpiry || p.Code == exosUnknownKey ||
		p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden:
		ae.kind = ErrReauthRequired
	default:
		return ae
	}
	if ae.RetryAfter == 0 {
		ae.RetryAfter = x.s.LockoutWait
	}
	ae.hold = ae.RetryAfter
	return ae
}

func (x *exosSource) secrets() []string { return []string{x.s.Password, x.s.APIKey} }

// logout ends the session sent with header (POST LogoutURL).
func (x *exosSource) logout(ctx context.Context, header []string) error {
	if x.logoutURL == nil {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.logoutURL.String(), http.NoBody)
	if err != nil {
		return &AuthError{Op: "logout", Err: err}
	}
	req.Header["Authorization"] = header
	req.Header.Set("Accept", "application/json")
	resp, err := x.hc.Do(req)
	if err != nil {
		ae, _ := tokenError("logout", err, x.secrets())
		return ae
	}
	body, _, _ := boundedbody.Read(resp.Body, exosBodyLimit)
	if resp.StatusCode/100 == 2 {
		return nil
	}
	p := exosLoginProblem(resp, body)
	ae := &AuthError{Op: "logout", Status: p.Status, Err: p, Description: scrubSecrets(p.Title, x.secrets())}
	if p.Code != 0 {
		ae.Code = p.Code.String()
	}
	return ae
}

// exosIdentifier finds the session identifier in a login reply, leniently:
// {"Value":{"Identifier":…}} (legacy), a JSON string or bare text (4.3.3+),
// or an object with identifier, token or access_token in any casing.
func exosIdentifier(body []byte) string {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return ""
		}
		return identifierIn(m, 0)
	case '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return ""
		}
		return plainIdentifier(s)
	}
	return plainIdentifier(string(b))
}

// identifierKeys are the members that may hold the identifier, best first.
var identifierKeys = [...]string{"identifier", "token", "access_token", "accesstoken", "sessionid", "value", "id"}

func identifierIn(m map[string]json.RawMessage, depth int) string {
	for _, want := range identifierKeys {
		for k, raw := range m {
			if !strings.EqualFold(k, want) {
				continue
			}
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 {
				continue
			}
			switch raw[0] {
			case '"':
				var s string
				if json.Unmarshal(raw, &s) == nil {
					if id := plainIdentifier(s); id != "" {
						return id
					}
				}
			case '{':
				var inner map[string]json.RawMessage
				if depth < 2 && json.Unmarshal(raw, &inner) == nil {
					if id := identifierIn(inner, depth+1); id != "" {
						return id
					}
				}
			}
		}
	}
	return ""
}

// plainIdentifier accepts s as an identifier if it looks like one: printable,
// no blanks, not markup, and of a sane length.
func plainIdentifier(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4096 || !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '{' || r == '"' {
			return ""
		}
	}
	return s
}

// exosLoginProblem decodes an exos error body leniently: ErrorCode (any
// casing, number or string) and a message at the top level, in "error"
// (OData) or in "Value"; plain text becomes the title.
func exosLoginProblem(resp *http.Response, body []byte) *Problem[exos.Code] {
	p := NewProblem[exos.Code](resp, body)
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return p
	}
	if b[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil {
			p.Code, p.Title = exosErrorIn(m, 0)
		}
		return p
	}
	if b[0] != '<' && utf8.Valid(b) { // plain text, not an HTML page
		line, _, _ := strings.Cut(string(b), "\n")
		p.Title = truncateRunes(strings.TrimSpace(line), 200)
	}
	return p
}

var (
	exosCodeKeys    = [...]string{"errorcode", "error_code", "code"}
	exosMessageKeys = [...]string{"message", "errormessage", "error_description", "detail", "title"}
	exosNestedKeys  = [...]string{"error", "value"}
)

func exosErrorIn(m map[string]json.RawMessage, depth int) (exos.Code, string) {
	var code exos.Code
	var msg string
	for k, raw := range m {
		switch {
		case code == 0 && oneOf(k, exosCodeKeys[:]):
			code = exosCodeValue(raw)
		case msg == "" && oneOf(k, exosMessageKeys[:]):
			var s string
			if json.Unmarshal(raw, &s) == nil {
				msg = truncateRunes(strings.TrimSpace(s), 500)
			}
		}
	}
	if (code == 0 || msg == "") && depth < 2 {
		for k, raw := range m {
			if !oneOf(k, exosNestedKeys[:]) {
				continue
			}
			var inner map[string]json.RawMessage
			if json.Unmarshal(raw, &inner) != nil {
				continue
			}
			c, s := exosErrorIn(inner, depth+1)
			if code == 0 {
				code = c
			}
			if msg == "" {
				msg = s
			}
		}
	}
	return code, msg
}

// exosCodeValue reads a code sent as a number or a numeric string.
func exosCodeValue(raw json.RawMessage) exos.Code {
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 999999 {
		return 0
	}
	return exos.Code(n)
}

func oneOf(k string, keys []string) bool {
	for _, want := range keys {
		if strings.EqualFold(k, want) {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// exosUnknownSession reports whether an exos 401 says the key or the
// session identifier is unknown: 300008, or a body without a code.
func exosUnknownSession(prob error) bool {
	if errors.Is(prob, exosUnknownKey) {
		return true
	}
	var p problem
	if errors.As(prob, &p) {
		_, hasCode := p.codeInfo()
		return !hasCode
	}
	return true
}
