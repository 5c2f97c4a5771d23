package apierrtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
)

// TestEveryDocumentedCodeRoundTrips scripts every documented code of every
// API on its fake and checks that the API's decoder (and Auto) returns
// exactly that code and its status.
func TestEveryDocumentedCodeRoundTrips(t *testing.T) {
	t.Run("exos", func(t *testing.T) {
		srv := apierrtest.NewExos()
		defer srv.Close()
		roundTrip(t, srv, decode.Exos, "/ExosApi/api/v1.0/persons", exosAuth(t, srv), exos.All(), same[exos.Code])
	})
	t.Run("entrecode", func(t *testing.T) {
		srv := apierrtest.NewEntrecode()
		defer srv.Close()
		roundTrip(t, srv, decode.Entrecode, "/api/beefbeef/to-do-item", bearerAuth(t, srv), entrecode.All(),
			func(c entrecode.Code) entrecode.Code { return 2000 + c }) // the Data Manager's system digit
	})
	t.Run("usta", func(t *testing.T) {
		srv := apierrtest.NewUSTA()
		defer srv.Close()
		roundTrip(t, srv, decode.USTA, "/v1/entities/1001", bearerAuth(t, srv), usta.All(), same[usta.Code])
	})
	t.Run("tapkey", func(t *testing.T) {
		srv := apierrtest.NewTapkey()
		defer srv.Close()
		roundTrip(t, srv, decode.Tapkey, "/api/v1/Owners/o1/BoundLocks", bearerAuth(t, srv), tapkey.All(), same[tapkey.Code])
	})
}

// TestEveryDocumentedCodeRoundTripsThroughResponders does the same with the
// httpmock responders.
func TestEveryDocumentedCodeRoundTripsThroughResponders(t *testing.T) {
	t.Run("exos", func(t *testing.T) {
		respond(t, decode.Exos, exos.All(), apierrtest.ExosResponder, same[exos.Code])
	})
	t.Run("entrecode", func(t *testing.T) {
		respond(t, decode.Entrecode, entrecode.All(), apierrtest.EntrecodeResponder,
			func(c entrecode.Code) entrecode.Code { return 2000 + c })
	})
	t.Run("usta", func(t *testing.T) {
		respond(t, decode.USTA, usta.All(), apierrtest.USTAResponder, same[usta.Code])
	})
	t.Run("tapkey", func(t *testing.T) {
		respond(t, decode.Tapkey, tapkey.All(), apierrtest.TapkeyResponder, same[tapkey.Code])
	})
}

func same[C any](c C) C { return c }

func roundTrip[C apierr.Code](t *testing.T, srv *apierrtest.Server[C], dec apierr.Decoder, path string, auth http.Header, all []C, wire func(C) C) {
	require.NotEmpty(t, all)
	for _, code := range all {
		srv.Fail(code, 1)
		req, err := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
		require.NoError(t, err)
		req.Header = auth.Clone()
		req.Header.Set("Accept-Language", "de")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		check(t, dec, resp, body, code, wire(code))
	}
	assert.Equal(t, len(all), srv.Requests())
}

func respond[C apierr.Code](t *testing.T, dec apierr.Decoder, all []C, responder func(C, ...apierrtest.Fault) httpmock.Responder, wire func(C) C) {
	const url = "https://api.example.test/resource"
	for _, code := range all {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder(http.MethodGet, url, responder(code))
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Language", "de")
		resp, err := (&http.Client{Transport: mt}).Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		check(t, dec, resp, body, code, wire(code))
	}
}

// check decodes one answer and checks its code and status with the API's
// decoder and with Auto.
func check[C apierr.Code](t *testing.T, dec apierr.Decoder, resp *http.Response, body []byte, code, sent C) {
	t.Helper()
	want := apierrtest.StatusFor(code)
	if doc := code.Info().Status; doc != 0 {
		want = doc // the catalogue's status, where it documents one
	}
	for name, d := range map[string]apierr.Decoder{"decoder": dec, "Auto": decode.Auto} {
		err := d.Decode(resp, body)
		var p *apierr.Problem[C]
		if !assert.ErrorAs(t, err, &p, "%s, %v: %s", name, code, body) {
			continue
		}
		assert.Equal(t, sent, p.Code, "%s: %s", name, body)
		assert.Equal(t, want, p.Status, "%s, %v", name, code)
		assert.True(t, errors.Is(err, code), "%s: errors.Is(err, %v)", name, code)
		assert.NotEmpty(t, p.Title, "%s, %v", name, code)
		if tk, ok := any(code).(tapkey.Code); ok {
			assert.NotEmpty(t, p.UserMessage, "%v has a German user message", tk)
		}
	}
}

// bearerAuth gets a client-credentials token from an OAuth2 fake.
func bearerAuth(t *testing.T, srv interface {
	Client() *http.Client
	ClientCredentials(scopes ...string) *clientcredentials.Config
}) http.Header {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
	tok, err := srv.ClientCredentials().Token(ctx)
	require.NoError(t, err)
	return http.Header{"Authorization": {"Bearer " + tok.AccessToken}}
}

// exosAuth logs in at the legacy endpoint.
func exosAuth(t *testing.T, srv *apierrtest.Server[exos.Code]) http.Header {
	c := srv.Credentials()
	req, err := http.NewRequest(http.MethodPost, srv.LegacyLoginURL(), nil)
	require.NoError(t, err)
	req.SetBasicAuth(c.UserName, c.Password)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var v struct{ Value struct{ Identifier string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	h := http.Header{}
	r := &http.Request{Header: h}
	r.SetBasicAuth(c.APIKey, v.Value.Identifier)
	return h
}
