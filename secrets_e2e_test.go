package apierr_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/decode"
)

// echoServer issues credentials and answers every API call with status
// and a body that echoes the request's Authorization value and what it
// holds, in every text member the decoders read.
type echoServer struct {
	*httptest.Server
	status int
	seq    atomic.Int32
	mu     sync.Mutex
	issued []string // tokens and identifiers handed out
}

const (
	echoAPIKey = "echo-api-key-5150"
	echoSecret = "echo-client-secret-8086"
)

func newEchoServer(t *testing.T, status int) *echoServer {
	t.Helper()
	s := &echoServer{status: status}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *echoServer) newSecret(prefix string) string {
	v := fmt.Sprintf("%s-%d-7f3a9c", prefix, s.seq.Add(1))
	s.mu.Lock()
	s.issued = append(s.issued, v)
	s.mu.Unlock()
	return v
}

func (s *echoServer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/token":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": s.newSecret("at"), "token_type": "Bearer", "expires_in": 3600})
		return
	case "/login":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.newSecret("ident"))
		return
	}
	auth := r.Header.Get("Authorization")
	echo := []string{auth}
	if scheme, cred, ok := strings.Cut(auth, " "); ok {
		echo = append(echo, cred)
		if strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				key, id, _ := strings.Cut(string(raw), ":")
				echo = append(echo, string(raw), key, id)
			}
		}
	}
	all := strings.Join(echo, " | ")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	// Every member name that one of the decoders reads as text.
	_ = json.NewEncoder(w).Encode(map[string]any{
		"ErrorCode": 400001, "Message": "rejected: " + all,
		"ErrorMessage": "you sent " + all, "ErrorDetails": "details " + all, "UserErrorMessage": "user " + all,
		"title": "title " + all, "detail": "detail " + all,
	})
}

// TestEchoedCredentialsStayOutOfErrorText is issue 10 item 10: an API that
// echoes the request's Authorization value, the access token, or the exos
// API key or identifier in its error body must not put them in Error() text
// or in log lines; Problem.Body keeps the raw bytes. Before the fix every
// echoed credential appeared in Error().
func TestEchoedCredentialsStayOutOfErrorText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		decoder apierr.Decoder
		exos    bool
	}{
		{"oauth2 400 tapkey", http.StatusBadRequest, decode.Tapkey, false},
		{"oauth2 400 problem", http.StatusBadRequest, decode.Problem, false},
		{"oauth2 400 auto", http.StatusBadRequest, decode.Auto, false},
		{"oauth2 401 twice", http.StatusUnauthorized, decode.Tapkey, false},
		{"exos 400", http.StatusBadRequest, decode.Exos, true},
		{"exos 401", http.StatusUnauthorized, decode.Exos, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leakCheck(t)
			srv := newEchoServer(t, tc.status)
			var logs bytes.Buffer
			var logMu sync.Mutex
			opts := []apierr.Option{
				apierr.WithBaseURL(srv.URL + "/api"), apierr.WithDecoder(tc.decoder), apierr.WithRetryPolicy(tinyPolicy),
				apierr.WithLogger(slog.New(slog.NewTextHandler(lockedBuffer{&logs, &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))),
			}
			if tc.exos {
				opts = append(opts, apierr.WithExosSession(apierr.ExosSession{
					LoginURL: "/login", APIKey: echoAPIKey, UserName: "user", Password: "pw-echo-1234",
				}))
			} else {
				opts = append(opts, apierr.WithClientCredentials(&clientcredentials.Config{
					ClientID: "id", ClientSecret: echoSecret, TokenURL: srv.URL + "/token", AuthStyle: oauth2.AuthStyleInHeader,
				}))
			}
			c, err := apierr.New(opts...)
			require.NoError(t, err)
			defer c.Close()

			err = authGet(t, c, "things", nil)
			require.Error(t, err)
			raw, ok := problemBody(err)
			require.True(t, ok, "a typed error: %v", err)

			srv.mu.Lock()
			secrets := []string{echoAPIKey}
			for _, v := range srv.issued { // the token or identifier, and the Basic value that carried it
				secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(echoAPIKey+":"+v)), v)
			}
			srv.mu.Unlock()
			require.NotEmpty(t, secrets[1:], "credentials were issued")
			body := string(raw)
			logMu.Lock()
			logged := logs.String()
			logMu.Unlock()
			var inText, inLogs []string
			for _, sec := range secrets {
				if strings.Contains(err.Error(), sec) {
					inText = append(inText, sec)
				}
				if strings.Contains(logged, sec) {
					inLogs = append(inLogs, sec)
				}
			}
			t.Logf("%s: credentials in Error(): %d, in logs: %d; error: %s", tc.name, len(inText), len(inLogs), err)
			assert.Empty(t, inText, "Error() text")
			assert.Empty(t, inLogs, "log lines")
			assert.Contains(t, body, secrets[len(secrets)-1], "Body keeps the raw bytes as received")
			if tc.exos {
				assert.Contains(t, body, echoAPIKey)
			}
		})
	}
}

// problemBody returns the raw Body of the Problem in err's chain,
// whichever decoder made it.
func problemBody(err error) ([]byte, bool) {
	var p apierr.APIError
	if !errors.As(err, &p) {
		return nil, false
	}
	return p.Generic().Body, true
}

// lockedBuffer lets the client's logger write from any goroutine.
type lockedBuffer struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
