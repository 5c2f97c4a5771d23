package apierr_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// issuedSecret matches the tokens and exos identifiers the fakes issue.
var issuedSecret = regexp.MustCompile(`\b(?:at|rt)-[0-9a-f]{32}\b`)

// secretWatch sees everything a battery of scenarios sends and receives
// (through its transport), every slog line the clients write and every
// error text they return, and then checks that no secret reached the
// lines or the texts.
type secretWatch struct {
	mu      sync.Mutex
	secrets map[string]string // secret -> where it came from
	issued  map[string]bool   // the secrets found in responses
	texts   []string          // "scenario: error text"
	log     bytes.Buffer      // slog JSON lines of every client
	logger  *slog.Logger
	rt      http.RoundTripper
}

func newSecretWatch() *secretWatch {
	w := &secretWatch{secrets: map[string]string{}, issued: map[string]bool{}}
	w.logger = slog.New(slog.NewJSONHandler(lockedWriter{w}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.rt = http.DefaultTransport.(*http.Transport).Clone()
	return w
}

type lockedWriter struct{ w *secretWatch }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.log.Write(p)
}

func (w *secretWatch) add(secret, from string) {
	if len(secret) < 8 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.secrets[secret] = from
}

func (w *secretWatch) harvest(b []byte, from string) {
	for _, m := range issuedSecret.FindAll(b, -1) {
		w.add(string(m), from)
		w.mu.Lock()
		w.issued[string(m)] = true
		w.mu.Unlock()
	}
}

// RoundTrip records the credentials on the way out and every issued
// token or identifier on the way back.
func (w *secretWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	if a := req.Header.Get("Authorization"); a != "" {
		w.add(a, "Authorization header")
		if _, cred, ok := strings.Cut(a, " "); ok {
			w.add(cred, "Authorization credential")
		}
	}
	resp, err := w.rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // the client sees the short body; nothing to harvest past it
	}
	w.harvest(body, "response from "+req.URL.Path)
	return resp, nil
}

func (w *secretWatch) client(t *testing.T, opts ...apierr.Option) *apierr.Client {
	t.Helper()
	c, err := apierr.New(append([]apierr.Option{apierr.WithLogger(w.logger),
		apierr.WithHTTPClient(&http.Client{Transport: w}),
		apierr.WithRetryPolicy(tinyPolicy)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { w.note(t.Name()+" Close", c.Close()) })
	return c
}

// note keeps an error's text (and the text of each error in its chain).
func (w *secretWatch) note(scenario string, err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.texts = append(w.texts, scenario+": "+err.Error())
	if v := fmt.Sprintf("%+v", err); v != err.Error() {
		w.texts = append(w.texts, scenario+": "+v)
	}
	var ae *apierr.AuthError
	if errors.As(err, &ae) {
		w.texts = append(w.texts, scenario+": "+ae.Description+" "+ae.URI)
	}
}

func (w *secretWatch) get(t *testing.T, c *apierr.Client, path string) error {
	t.Helper()
	req, err := c.NewRequest(context.Background(), http.MethodGet, path, nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	w.note(t.Name()+" GET "+path, err)
	return err
}

// leaks lists every secret found in a log line or an error text.
func (w *secretWatch) leaks() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var found []string
	lines := strings.Split(w.log.String(), "\n")
	for secret, from := range w.secrets {
		forms := map[string]bool{secret: true, url.QueryEscape(secret): true, base64.StdEncoding.EncodeToString([]byte(secret)): true}
		for f := range forms {
			for _, l := range lines {
				if strings.Contains(l, f) {
					found = append(found, "secret from "+from+" in a log line: "+l)
				}
			}
			for _, s := range w.texts {
				if strings.Contains(s, f) {
					found = append(found, "secret from "+from+" in an error text: "+s)
				}
			}
		}
	}
	return found
}

// TestSecurityScanFindsPlantedSecrets: the scan itself can fail.
func TestSecurityScanFindsPlantedSecrets(t *testing.T) {
	w := newSecretWatch()
	w.harvest([]byte(`{"access_token":"at-0123456789abcdef0123456789abcdef"}`), "planted")
	w.add("pw-planted-secret", "planted")
	w.logger.Debug("oops", slog.String("token", "at-0123456789abcdef0123456789abcdef"))
	w.note("planted", errors.New("login failed for cHctcGxhbnRlZC1zZWNyZXQ=")) // base64 of the password
	assert.Len(t, w.leaks(), 2)
}

// TestSecurityNoSecretInLogsOrErrors runs every auth flow and failure the
// fakes offer, with debug logging on, and then scans every log line and
// error text for every credential configured and every token and exos
// identifier issued.
func TestSecurityNoSecretInLogsOrErrors(t *testing.T) {
	leakCheck(t)
	w := newSecretWatch()
	clientSecret, password, apiKey := "cs-reliability-0d9f3a7c", "pw-reliability-51be0c2e", "ak-reliability-c3a1f08e"
	for s, from := range map[string]string{clientSecret: "client secret", password: "exos password", apiKey: "exos API key",
		"cs-wrong-8f1e2d3c": "wrong client secret", "rt-hostile-6a5b4c3d": "hostile refresh token", "pw-wrong-7e6d5c4b": "wrong password"} {
		w.add(s, from)
	}

	t.Run("tapkey client credentials", func(t *testing.T) {
		srv := apierrtest.NewTapkey(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		c := w.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
			apierr.WithClientCredentials(srv.ClientCredentials("read:owners")))
		require.NoError(t, w.get(t, c, "Owners/o1/Grants"))
		srv.RevokeAll() // revoked token: new token, replay
		require.NoError(t, w.get(t, c, "Owners/o1/Grants"))
		srv.Inject(1, apierrtest.ExpiredToken())
		require.NoError(t, w.get(t, c, "Owners/o1/Grants"))
		srv.Inject(1, apierrtest.InsufficientScope("write:grants"))
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrInsufficientScope)
		srv.Inject(2, apierrtest.ExpiredToken()) // a second 401 after the replay
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrUnauthorized)
		srv.Fail(tapkey.Duplicate, 1)
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), tapkey.Duplicate)
		tokenPath := mustPath(t, srv.TokenURL())
		srv.RevokeAll()
		srv.InjectPath(tokenPath, -1, apierrtest.Status(503))
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrUnauthorized, "token endpoint 5xx")
		srv.ClearFaults()
		srv.InjectPath(tokenPath, -1, apierrtest.BadGateway())
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrUnauthorized, "token endpoint HTML 502")
		srv.ClearFaults()
	})

	t.Run("tapkey wrong client secret", func(t *testing.T) {
		srv := apierrtest.NewTapkey(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		cc := srv.ClientCredentials()
		cc.ClientSecret = "cs-wrong-8f1e2d3c"
		c := w.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey), apierr.WithClientCredentials(cc))
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrUnauthorized)
	})

	t.Run("tapkey refresh token rotation and revocation", func(t *testing.T) {
		srv := apierrtest.NewTapkey(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		tok := srv.MintToken()
		w.add(tok.AccessToken, "minted access token")
		w.add(tok.RefreshToken, "minted refresh token")
		c := w.client(t, apierr.WithBaseURL(srv.URL()+"/api/v1"), apierr.WithDecoder(decode.Tapkey),
			apierr.WithRefreshToken(srv.OAuth2Config(), tok))
		for i := 0; i < 3; i++ {
			srv.RevokeAll()
			require.NoError(t, w.get(t, c, "Owners/o1/Grants"))
		}
		srv.RevokeAll()
		srv.RevokeRefreshTokens()
		assert.ErrorIs(t, w.get(t, c, "Owners/o1/Grants"), apierr.ErrReauthRequired)
	})

	t.Run("usta client credentials, new token after a 401", func(t *testing.T) {
		srv := apierrtest.NewUSTA(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		c := w.client(t, apierr.WithBaseURL(srv.URL()+"/v1"), apierr.WithDecoder(decode.USTA),
			apierr.WithClientCredentials(srv.ClientCredentials()))
		require.NoError(t, w.get(t, c, "entities/1001"))
		srv.Inject(1, apierrtest.ExpiredToken())
		require.NoError(t, w.get(t, c, "entities/1001"))
		assert.ErrorIs(t, w.get(t, c, "entities/4242"), apierr.ErrNotFound)
	})

	t.Run("entrecode refresh token, 2402 then a revoked refresh token", func(t *testing.T) {
		srv := apierrtest.NewEntrecode(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		tok := srv.MintToken()
		w.add(tok.AccessToken, "minted access token")
		w.add(tok.RefreshToken, "minted refresh token")
		c := w.client(t, apierr.WithBaseURL(srv.URL()+"/api/beefbeef"), apierr.WithDecoder(decode.Entrecode),
			apierr.WithRefreshToken(srv.OAuth2Config(), tok))
		require.NoError(t, w.get(t, c, "entries"))
		srv.Inject(1, apierrtest.ExpiredToken())
		require.NoError(t, w.get(t, c, "entries"))
		srv.RevokeAll()
		srv.RevokeRefreshTokens()
		assert.ErrorIs(t, w.get(t, c, "entries"), apierr.ErrReauthRequired)
	})

	t.Run("hostile token endpoint echoes secrets", func(t *testing.T) {
		api := newFaultServer(t, answer(200, `{}`))
		var mu sync.Mutex
		var seen []string
		tokens := newFaultServer(t, func(rw http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			_, secret, _ := r.BasicAuth()
			echo := secret + " " + r.PostForm.Get("refresh_token") + " " + r.PostForm.Get("client_secret")
			mu.Lock()
			seen = append(seen, echo)
			mu.Unlock()
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(400)
			_, _ = fmt.Fprintf(rw, `{"error":"invalid_grant","error_description":"refused %s","error_uri":"https://idp.example/?e=%s"}`,
				echo, url.QueryEscape(echo))
		})
		cfg := &oauth2.Config{ClientID: "reliability", ClientSecret: clientSecret, Endpoint: oauth2.Endpoint{TokenURL: tokens.URL}}
		c := w.client(t, apierr.WithBaseURL(api.URL), apierr.WithRefreshToken(cfg, &oauth2.Token{RefreshToken: "rt-hostile-6a5b4c3d"}))
		assert.ErrorIs(t, w.get(t, c, "x"), apierr.ErrReauthRequired)
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, seen, "the endpoint saw the secrets it echoed")
	})

	t.Run("exos sessions", func(t *testing.T) {
		for _, legacy := range []bool{true, false} {
			srv := apierrtest.NewExos(apierrtest.WithUser("reliability", password), apierrtest.WithAPIKey(apiKey), apierrtest.WithMaxSessions(1))
			login := srv.LoginURL()
			if legacy {
				login = srv.LegacyLoginURL()
			}
			session := func(pw string) apierr.ExosSession {
				return apierr.ExosSession{LoginURL: login, LogoutURL: srv.LogoutURL(), Legacy: legacy, TenantID: 1,
					APIKey: apiKey, UserName: "reliability", Password: pw}
			}
			c := w.client(t, apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos), apierr.WithExosSession(session(password)))
			require.NoError(t, w.get(t, c, "persons"))
			srv.RevokeAll() // 300008: log in again, replay
			require.NoError(t, w.get(t, c, "persons"))
			second := w.client(t, apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos), apierr.WithExosSession(session(password)))
			assert.ErrorIs(t, w.get(t, second, "persons"), apierr.ErrLoginThrottled, "300007 with one session open")
			wrong := w.client(t, apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"), apierr.WithDecoder(decode.Exos), apierr.WithExosSession(session("pw-wrong-7e6d5c4b")))
			assert.ErrorIs(t, w.get(t, wrong, "persons"), apierr.ErrUnauthorized)
			w.note("exos Close", c.Close())
			srv.Close()
		}
	})

	t.Run("redirects", func(t *testing.T) {
		srv := apierrtest.NewTapkey(apierrtest.WithOAuthClient("reliability", clientSecret))
		defer srv.Close()
		other, api := redirectServers(t)
		c := w.client(t, apierr.WithBaseURL(api.URL), apierr.WithClientCredentials(srv.ClientCredentials()))
		for _, p := range []string{"to-port", "to-host", "to-self"} {
			require.NoError(t, w.get(t, c, p))
		}
		got := other.auth()
		assert.Equal(t, []string{"", ""}, got, "no Authorization on another port or host")
	})

	w.mu.Lock()
	issued := len(w.issued)
	logged := w.log.Len()
	w.mu.Unlock()
	t.Logf("scanned %d log bytes and %d error texts for %d secrets (%d issued by the fakes)", logged, len(w.texts), len(w.secrets), issued)
	require.GreaterOrEqual(t, issued, 15, "the scenarios issued tokens and identifiers to look for")
	require.Positive(t, logged)
	require.GreaterOrEqual(t, len(w.texts), 20)
	assert.Empty(t, w.leaks())
}

func mustPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Path
}

// authRecorder is a server that records the Authorization header of every
// request.
type authRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func (a *authRecorder) auth() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// redirectServers returns a recorder on another port and an API that
// redirects /to-port there by 127.0.0.1, /to-host there by "localhost", and
// /to-self to its own /landing (whose Authorization must stay).
func redirectServers(t *testing.T) (*authRecorder, *httptest.Server) {
	t.Helper()
	other := &authRecorder{}
	other.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.mu.Lock()
		other.seen = append(other.seen, r.Header.Get("Authorization"))
		other.mu.Unlock()
		answer(200, `{}`)(w, r)
	}))
	t.Cleanup(other.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(other.URL, "http://"), ":")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-port":
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
		case "/to-host":
			http.Redirect(w, r, "http://localhost:"+port+"/landing", http.StatusTemporaryRedirect)
		case "/to-self":
			http.Redirect(w, r, "/landing", http.StatusFound)
		case "/landing":
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				http.Error(w, "no token on the same origin", http.StatusTeapot)
				return
			}
			answer(200, `{}`)(w, r)
		}
	}))
	t.Cleanup(api.Close)
	return other, api
}

// TestSecurityAuthorizationNeverCrossesOrigins: with a caller's own
// CheckRedirect and with none, a redirect to another port or host carries
// no Authorization, while one to the same origin does.
func TestSecurityAuthorizationNeverCrossesOrigins(t *testing.T) {
	leakCheck(t)
	for _, own := range []bool{false, true} {
		t.Run(fmt.Sprintf("caller's CheckRedirect=%v", own), func(t *testing.T) {
			other, api := redirectServers(t)
			hc := &http.Client{}
			if own {
				hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
			}
			c, err := apierr.New(apierr.WithBaseURL(api.URL), apierr.WithHTTPClient(hc),
				apierr.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-static-token-value", TokenType: "Bearer"})))
			require.NoError(t, err)
			defer c.Close()
			for _, p := range []string{"to-port", "to-host", "to-self"} {
				req, err := c.NewRequest(context.Background(), http.MethodGet, p, nil)
				require.NoError(t, err)
				_, err = c.Do(req, nil)
				require.NoError(t, err, p)
			}
			assert.Equal(t, []string{"", ""}, other.auth())
		})
	}
}

// TestSecurityOwnTransportTLS12: the transport the client builds refuses
// anything below TLS 1.2, in its configuration and on the wire.
func TestSecurityOwnTransportTLS12(t *testing.T) {
	leakCheck(t)
	tls11 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(200, `{}`)(w, r) }))
	tls11.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	tls11.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	var tls11Conns atomic.Int32
	tls11.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			tls11Conns.Add(1)
		}
	}
	tls11.StartTLS()
	defer tls11.Close()
	tls12 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(200, `{}`)(w, r) }))
	tls12.Config.ErrorLog = log.New(io.Discard, "", 0)
	tls12.StartTLS()
	defer tls12.Close()

	for _, tt := range []struct {
		name string
		srv  *httptest.Server
		want string
	}{
		{"TLS 1.1 server", tls11, "protocol version"},              // refused at version negotiation
		{"TLS 1.2 server", tls12, "certificate signed by unknown"}, // got as far as the certificate: a control
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := apierr.New(apierr.WithBaseURL(tt.srv.URL), apierr.WithRetryPolicy(tinyPolicy))
			require.NoError(t, err)
			defer c.Close()
			tr, ok := apierr.TransportOf(c).(*http.Transport)
			require.True(t, ok, "the client built an *http.Transport")
			require.NotNil(t, tr.TLSClientConfig)
			assert.GreaterOrEqual(t, tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS12))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, err := c.NewRequest(ctx, http.MethodGet, "x", nil)
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			require.NoError(t, c.Close())
		})
	}
	assert.EqualValues(t, 1, tls11Conns.Load(), "a refused TLS version is not retried")
}
