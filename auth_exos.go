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
	"github.com/accessapi/apierr/internal/errbody"
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

func (x *exosSource) op() string { return "login" }

// renews: a new login cures 300008 or a 401 without a code, nothing else.
func (x *exosSource) renews(prob error) bool { return exosRelogin(prob) }

// end logs the session out.
func (x *exosSource) end(ctx context.Context, c *credential) error { return x.logout(ctx, c.header) }

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
// or an object with identifier, token or access_token in any casing. It
// reads with the shared scanner, in the body's order, so one body always
// gives one answer.
func exosIdentifier(body []byte) string {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '{':
		if !json.Valid(b) {
			return ""
		}
		return identifierIn(b, 0)
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

// identifierIn looks in the JSON object obj for the best member holding an
// identifier; for members of one name (in any casing) the first one wins.
func identifierIn(obj []byte, depth int) string {
	for _, want := range identifierKeys {
		for key, val := range errbody.Members(obj) {
			name, ok := errbody.DecodeString(key)
			if !ok || !strings.EqualFold(name, want) {
				continue
			}
			switch errbody.FirstByte(val) {
			case '"':
				if s, ok := errbody.DecodeString(val); ok {
					if id := plainIdentifier(s); id != "" {
						return id
					}
				}
			case '{':
				if depth < 2 {
					if id := identifierIn(val, depth+1); id != "" {
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

// exosLoginProblem decodes an exos login or logout error exactly as
// decode.Exos does, with the same scanner and builder (decode_body.go).
func exosLoginProblem(resp *http.Response, body []byte) *Problem[exos.Code] {
	e := errbody.Get()
	defer errbody.Put(e)
	e.Read(body)
	return newProblemFrom(resp, body, e, exosCode)
}

// exosRelogin reports whether a 401 from exos calls for a new login: 300008,
// or a body without a code. Any other code (300010 no authorisation) would
// fail again with a new identifier.
func exosRelogin(prob error) bool {
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
