package apierrtest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/accessapi/apierr/codes/exos"
)

// The exos login and logout endpoints.
const (
	exosLegacyLoginPath = "/ExosApiLogin/api/v1.0/login"
	exosLoginPath       = "/ExosAuth/api/v1/login"
	exosLogoutPath      = "/ExosApi/api/v1.0/logins/logoutMyself"
)

// LoginURL returns the exos 4.3.3+ login endpoint, which takes
// {tenantId, requestChannel, userName, password} and answers with the
// session identifier as a JSON string ("" on the OAuth2 fakes).
func (s *Server[C]) LoginURL() string { return s.sessionURL(exosLoginPath) }

// LegacyLoginURL returns the legacy exos login endpoint, which takes Basic
// user:password and answers {"Value":{"Identifier":"…"}} ("" on the OAuth2
// fakes).
func (s *Server[C]) LegacyLoginURL() string { return s.sessionURL(exosLegacyLoginPath) }

// LogoutURL returns the exos logoutMyself endpoint ("" on the OAuth2 fakes).
func (s *Server[C]) LogoutURL() string { return s.sessionURL(exosLogoutPath) }

func (s *Server[C]) sessionURL(path string) string {
	if !s.api.session {
		return ""
	}
	return s.URL() + path
}

// Credentials is what a fake accepts: set with the options, read back here.
type Credentials struct {
	ClientID, ClientSecret string // OAuth2 client
	UserName, Password     string // exos login
	APIKey                 string // exos calls: Basic base64(APIKey + ":" + identifier)
}

// Credentials returns the credentials the fake accepts.
func (s *Server[C]) Credentials() Credentials {
	return Credentials{
		ClientID: s.cfg.clientID, ClientSecret: s.cfg.clientSecret,
		UserName: s.cfg.userName, Password: s.cfg.password,
		APIKey: s.cfg.apiKey,
	}
}

// serveLogin answers both exos login endpoints.
func (s *Server[C]) serveLogin(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		s.exosFail(w, r, exos.MethodNotAllowed, 405)
		return
	}
	var user, password string
	legacy := r.URL.Path == exosLegacyLoginPath
	if legacy {
		user, password, _ = r.BasicAuth()
	} else {
		var ok bool
		if user, password, ok = loginBody(body); !ok {
			s.exosFail(w, r, exos.InvalidInputThatCouldNotBeDeserialized, 400)
			return
		}
	}
	if user != s.cfg.userName || password != s.cfg.password {
		s.exosFail(w, r, exos.UnknownUserOrWrongPassword, 401)
		return
	}
	if s.cfg.maxSessions > 0 && s.grants.live() >= s.cfg.maxSessions {
		s.exosFail(w, r, exos.MaximumConcurrentUsersReached, 403)
		return
	}
	id := s.grants.issue("", false).AccessToken
	if legacy {
		writeJSON(w, "application/json", http.StatusOK, map[string]any{"Value": map[string]string{"Identifier": id}})
		return
	}
	writeJSON(w, "application/json", http.StatusOK, id)
}

// exosFail writes an exos error from the session code, whatever C is (it is
// always exos.Code on the exos fake).
func (s *Server[C]) exosFail(w http.ResponseWriter, r *http.Request, code exos.Code, status int) {
	c, _ := any(code).(C)
	s.fail(w, r, &errorReply[C]{reply: &reply{status: status}, code: c, hasCode: true})
}

// loginBody reads the 4.3.3+ login body; member names in any casing.
func loginBody(body []byte) (user, password string, ok bool) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return "", "", false
	}
	for k, v := range m {
		s, _ := v.(string)
		switch {
		case strings.EqualFold(k, "userName"):
			user = s
		case strings.EqualFold(k, "password"):
			password = s
		}
	}
	return user, password, true
}

// sessionID returns the session identifier of an exos call, sent as
// Basic base64(apiKey:identifier) or as Bearer identifier, and whether the
// API key matched.
func (s *Server[C]) sessionID(r *http.Request) (string, bool) {
	if key, id, ok := r.BasicAuth(); ok {
		return id, key == s.cfg.apiKey
	}
	return bearerToken(r.Header.Get("Authorization"))
}

// authenticateSession answers 300008 (401) to a call whose API key or
// session identifier is unknown, revoked or expired.
func (s *Server[C]) authenticateSession(w http.ResponseWriter, r *http.Request) bool {
	id, ok := s.sessionID(r)
	if ok && s.grants.check(id) == authNone {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="exos"`)
	s.exosFail(w, r, exos.UnknownAPIKeyOrIdentifier, 401)
	return false
}

// logout ends the session of an authenticated exos call.
func (s *Server[C]) logout(r *http.Request) {
	id, _ := s.sessionID(r)
	s.grants.revoke(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logouts++
}
