package apierrtest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// mockClient returns an http.Client whose transport answers url with r.
func mockClient(url string, r httpmock.Responder) *http.Client {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, url, r)
	return &http.Client{Transport: mt}
}

func TestRespondersMatchTheServers(t *testing.T) {
	const url = "https://api.example.test/x"
	for _, tc := range []struct {
		api    string
		mock   httpmock.Responder
		server func() (answer, func())
	}{
		{"tapkey", TapkeyResponder(tapkey.Duplicate), func() (answer, func()) {
			srv := NewTapkey()
			srv.Fail(tapkey.Duplicate, 1)
			return send(t, srv.Client(), "GET", srv.URL()+boundLocks, "", append(bearer(ccToken(t, srv)), "Accept-Language", "de")...), srv.Close
		}},
		{"exos", ExosResponder(exos.ConcurrencyError), func() (answer, func()) {
			srv := NewExos()
			id := exosLogin(t, srv)
			srv.Fail(exos.ConcurrencyError, 1)
			return send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...), srv.Close
		}},
		{"usta", USTAResponder(usta.USPTANumberNotUnique, Detail("usptaNumber")), func() (answer, func()) {
			srv := NewUSTA()
			srv.Fail(usta.USPTANumberNotUnique, 1, Detail("usptaNumber"))
			return send(t, srv.Client(), "GET", srv.URL()+"/v1/entities/1001", "", bearer(ccToken(t, srv))...), srv.Close
		}},
	} {
		t.Run(tc.api, func(t *testing.T) {
			want, closeServer := tc.server()
			defer closeServer()
			got := send(t, mockClient(url, tc.mock), "GET", url, "", "Accept-Language", "de")
			assert.Equal(t, want.status, got.status)
			assert.Equal(t, want.header.Get("Content-Type"), got.header.Get("Content-Type"))
			assert.Equal(t, string(want.body), string(got.body))
		})
	}
}

func TestEntrecodeResponderLinksToTheRequestOrigin(t *testing.T) {
	const url = "https://datamanager.example.test/api/beefbeef/to-do-item"
	a := send(t, mockClient(url, EntrecodeResponder(entrecode.NoEntityMatchingQueryFilter, Detail("_id"))), "GET", url, "")
	assert.Equal(t, 404, a.status)
	assert.JSONEq(t, `{"status":404,"code":2102,"title":"No resource entity matching query string filter found",
		"type":"https://entrecode.de/doc/error/2102","detail":"_id",
		"_links":{"up":{"title":"Data Manager Home Page","href":"https://datamanager.example.test"},
		"describedby":{"title":"Error Description","href":"https://entrecode.de/doc/error/2102"}}}`, string(a.body))
}

func TestResponderFaults(t *testing.T) {
	const url = "https://api.example.test/x"
	t.Run("no code, 429", func(t *testing.T) {
		a := send(t, mockClient(url, TapkeyResponder("", TooManyRequests(2*time.Second))), "GET", url, "")
		assert.Equal(t, 429, a.status)
		assert.Equal(t, "2", a.header.Get("Retry-After"))
		assert.JSONEq(t, `{"ErrorMessage":"too many requests","ErrorDetails":"","UserErrorMessage":""}`, string(a.body))
	})
	t.Run("BadGateway", func(t *testing.T) {
		a := send(t, mockClient(url, USTAResponder(0, BadGateway())), "GET", url, "")
		assert.Equal(t, 502, a.status)
		assert.Equal(t, badGatewayPage, string(a.body))
	})
	t.Run("Drop", func(t *testing.T) {
		_, err := trySend(context.Background(), mockClient(url, ExosResponder(exos.UnknownError, Drop())), "GET", url, "")
		require.ErrorIs(t, err, ErrDropped)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("Slow stops with the context", func(t *testing.T) {
		// Cancel only once the responder runs (a deadline could pass before
		// it starts), then require that it returns: httpmock gives up on a
		// cancelled request whether or not the responder does.
		slow := ExosResponder(exos.UnknownError, Slow(time.Hour))
		entered, returned := make(chan struct{}), make(chan error, 1)
		r := func(req *http.Request) (*http.Response, error) {
			close(entered)
			resp, err := slow(req)
			returned <- err
			return resp, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		errc := make(chan error, 1)
		go func() {
			_, err := trySend(ctx, mockClient(url, r), "GET", url, "")
			errc <- err
		}()
		<-entered
		cancel()
		require.ErrorIs(t, <-errc, context.Canceled)
		select {
		case err := <-returned:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("the Slow responder still waits after the request was cancelled")
		}
	})
	t.Run("Slow then the answer", func(t *testing.T) {
		a := send(t, mockClient(url, ExosResponder(exos.UnknownError, Slow(time.Millisecond))), "GET", url, "")
		assert.Equal(t, 500, a.status)
		assert.JSONEq(t, `{"ErrorCode":999999,"Message":"Unknown error"}`, string(a.body))
	})
}
