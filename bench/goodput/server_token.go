package goodput

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The client the token endpoint accepts.
const (
	tokenClientID     = "bench-client"
	tokenClientSecret = "bench-secret"
)

// NewTokenServer starts an API whose every request needs a bearer token
// from its OAuth2 token endpoint (client credentials, the client's
// id and secret in Basic auth or in the form); tokens live for lifetime
// (whole seconds, as expires_in says). A request with a missing, unknown or
// expired token gets 401 with an RFC 6750 challenge.
func NewTokenServer(horizon, lifetime time.Duration) *Server {
	var (
		mu     sync.RWMutex
		expiry = map[string]time.Time{}
	)
	api := func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			mu.RLock()
			exp, known := expiry[tok]
			mu.RUnlock()
			if !ok || !known || !time.Now().Before(exp) {
				s.tl.Count(Unauthorized)
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				problem(w, http.StatusUnauthorized, 0)
				return
			}
			s.ok(w, r)
		})
	}
	token := func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.tokens.Add(1)
			if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
				oauthError(w, http.StatusBadRequest, "invalid_request")
				return
			}
			id, secret, basic := r.BasicAuth()
			if !basic {
				id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
			}
			if id != tokenClientID || secret != tokenClientSecret {
				oauthError(w, http.StatusUnauthorized, "invalid_client")
				return
			}
			var raw [16]byte
			_, _ = rand.Read(raw[:])
			tok := hex.EncodeToString(raw[:])
			mu.Lock()
			expiry[tok] = time.Now().Add(lifetime)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"access_token": tok,
				"token_type":   "Bearer",
				"expires_in":   int(lifetime / time.Second),
			})
		})
	}
	return newServer(horizon, api, token)
}

// oauthError answers with an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}
