package apierrtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes/exos"
)

// exosLogin logs in at the legacy endpoint and returns the identifier.
func exosLogin(t testing.TB, srv *Server[exos.Code]) string {
	t.Helper()
	a := send(t, srv.Client(), "POST", srv.LegacyLoginURL(), "", "Authorization", basic(DefaultUserName, DefaultPassword))
	require.Equal(t, 200, a.status, "%s", a.body)
	var v struct{ Value struct{ Identifier string } }
	require.NoError(t, json.Unmarshal(a.body, &v))
	require.NotEmpty(t, v.Value.Identifier)
	return v.Value.Identifier
}

// exosAuth is the Authorization pair of an exos call.
func exosAuth(id string) []string { return []string{"Authorization", basic(DefaultAPIKey, id)} }

const exosPersons = "/ExosApi/api/v1.0/persons"

func TestExosLegacyLoginSessionAndLogout(t *testing.T) {
	srv := NewExos()
	defer srv.Close()
	assert.Empty(t, srv.TokenURL())
	id := exosLogin(t, srv)

	a := send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
	require.Equal(t, 200, a.status, "%s", a.body)
	assert.Len(t, a.json(t)["value"], 1)
	assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", bearer(id)...).status, "Bearer identifier works too")

	a = send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", "Authorization", basic("other-key", id))
	assert.Equal(t, 401, a.status, "the API key must match")
	assert.Equal(t, "300008", bodyCode(t, "exos", a))
	assert.Equal(t, "Unknown API key or Identifier", a.json(t)["Message"])

	assert.Equal(t, 1, srv.Sessions())
	assert.Equal(t, 204, send(t, srv.Client(), "POST", srv.LogoutURL(), "", exosAuth(id)...).status)
	assert.Equal(t, 0, srv.Sessions())
	a = send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
	assert.Equal(t, 401, a.status, "the session ended")
	assert.Equal(t, "300008", bodyCode(t, "exos", a))
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 1, srv.Logouts())
	assert.Equal(t, 5, srv.Requests(), "logins are not API calls; logout is")
}

func TestExosLogin433(t *testing.T) {
	srv := NewExos(WithUser("admin", "pw"))
	defer srv.Close()
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"documented casing", `{"tenantId":1,"requestChannel":0,"userName":"admin","password":"pw"}`, 200, ""},
		{"any casing", `{"tenantId":1,"requestChannel":0,"username":"admin","Password":"pw"}`, 200, ""},
		{"wrong password", `{"userName":"admin","password":"nope"}`, 401, "300003"},
		{"not JSON", `userName=admin`, 400, "100011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, srv.Client(), "POST", srv.LoginURL(), tc.body, "Content-Type", "application/json")
			require.Equal(t, tc.status, a.status, "%s", a.body)
			if tc.status != 200 {
				assert.Equal(t, tc.code, bodyCode(t, "exos", a))
				return
			}
			var id string
			require.NoError(t, json.Unmarshal(a.body, &id), "the identifier is a JSON string")
			assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...).status)
		})
	}
	assert.Equal(t, 405, send(t, srv.Client(), "GET", srv.LoginURL(), "").status)
	assert.Equal(t, 5, srv.Logins())
}

func TestExosSessionLimitAndExpiry(t *testing.T) {
	clock := newFakeClock()
	srv := NewExos(WithMaxSessions(1), WithClock(clock.now), WithTokenLifetime(time.Minute))
	defer srv.Close()
	id := exosLogin(t, srv)

	a := send(t, srv.Client(), "POST", srv.LegacyLoginURL(), "", "Authorization", basic(DefaultUserName, DefaultPassword))
	assert.Equal(t, 403, a.status)
	assert.Equal(t, "300007", bodyCode(t, "exos", a))

	clock.advance(time.Minute)
	a = send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
	assert.Equal(t, 401, a.status, "the session expired")
	assert.Equal(t, "300008", bodyCode(t, "exos", a))
	exosLogin(t, srv) // an expired session no longer counts against the limit

	a = send(t, srv.Client(), "POST", srv.LegacyLoginURL(), "", "Authorization", basic(DefaultUserName, "wrong"))
	assert.Equal(t, 401, a.status)
	assert.Equal(t, "300003", bodyCode(t, "exos", a))
}

func TestExosRevokeAllEndsSessions(t *testing.T) {
	srv := NewExos()
	defer srv.Close()
	id := exosLogin(t, srv)
	srv.RevokeAll()
	a := send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
	assert.Equal(t, 401, a.status)
	assert.Equal(t, "300008", bodyCode(t, "exos", a))
	assert.Equal(t, `Basic realm="exos"`, a.header.Get("WWW-Authenticate"))
}

func TestOAuthFakesHaveNoLoginURLs(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	assert.Empty(t, srv.LoginURL())
	assert.Empty(t, srv.LegacyLoginURL())
	assert.Empty(t, srv.LogoutURL())
	assert.Equal(t, Credentials{DefaultClientID, DefaultClientSecret, DefaultUserName, DefaultPassword, DefaultAPIKey}, srv.Credentials())
}

func TestExosLogoutWithWrongKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []Option
		status int
		left   int
	}{
		{"the key is checked as on every call", nil, 401, 1},
		{"WithLogoutByIdentifier", []Option{WithLogoutByIdentifier()}, 204, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewExos(tc.opts...)
			defer srv.Close()
			id := exosLogin(t, srv)
			wrong := []string{"Authorization", basic("other-key", id)}
			a := send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", wrong...)
			assert.Equal(t, 401, a.status, "API calls check the key in both modes")
			assert.Equal(t, tc.status, send(t, srv.Client(), "POST", srv.LogoutURL(), "", wrong...).status)
			assert.Equal(t, tc.left, srv.Sessions())
			a = send(t, srv.Client(), "POST", srv.LogoutURL(), "", "Authorization", basic("other-key", "unknown-id"))
			assert.Equal(t, 401, a.status, "an unknown identifier is refused in both modes")
			assert.Equal(t, "300008", bodyCode(t, "exos", a))
		})
	}
}
