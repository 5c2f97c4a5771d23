package apierrtest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
)

// The README's advice on wiring, checked against the fakes.

// freshToken is the README's token source: each Token call fetches anew.
type freshToken struct{ cfg *clientcredentials.Config }

func (f freshToken) Token() (*oauth2.Token, error) { return f.cfg.Token(context.Background()) }

func TestReuseTokenSourceTrap(t *testing.T) {
	t.Run("cfg.TokenSource caches: after a revoke the replay sends the same token", func(t *testing.T) {
		srv := NewTapkey()
		defer srv.Close()
		c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), apierr.WithDecoder(srv.Decoder()),
			apierr.WithTokenSource(srv.ClientCredentials().TokenSource(context.Background())))
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, get(t, c, "Owners/o1/Grants"))
		srv.RevokeAll()
		err = get(t, c, "Owners/o1/Grants")
		var p *apierr.Problem[tapkey.Code]
		require.ErrorAs(t, err, &p, "the bare 401 of the replay")
		assert.Equal(t, 401, p.Status)
		var ae *apierr.AuthError
		assert.False(t, errors.As(err, &ae), "no auth error explains it")
		assert.Equal(t, 1, srv.TokenRequests(), "no new token was fetched")
	})
	for name, opt := range map[string]func(*Server[tapkey.Code]) apierr.Option{
		"WithClientCredentials": func(s *Server[tapkey.Code]) apierr.Option {
			return apierr.WithClientCredentials(s.ClientCredentials())
		},
		"WithTokenSource fetching anew": func(s *Server[tapkey.Code]) apierr.Option {
			return apierr.WithTokenSource(freshToken{s.ClientCredentials()})
		},
	} {
		t.Run(name+" gets a new token and replays", func(t *testing.T) {
			srv := NewTapkey()
			defer srv.Close()
			c, err := apierr.New(apierr.WithBaseURL(srv.BaseURL()), apierr.WithDecoder(srv.Decoder()), opt(srv))
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, get(t, c, "Owners/o1/Grants"))
			srv.RevokeAll()
			require.NoError(t, get(t, c, "Owners/o1/Grants"))
			assert.Equal(t, 2, srv.TokenRequests())
		})
	}
}

// TestPerAttemptTimeoutFromHTTPClient: http.Client.Timeout, given with
// WithHTTPClient, bounds each attempt; a GET that timed out is retried.
func TestPerAttemptTimeoutFromHTTPClient(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	c, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(FastRetryPolicy()),
		apierr.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))...)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, get(t, c, "Owners/o1/Grants"))

	srv.Inject(1, Slow(5*time.Second))
	start := time.Now()
	require.NoError(t, get(t, c, "Owners/o1/Grants"), "the slow attempt is abandoned, the retry answers")
	assert.Less(t, time.Since(start), 2*time.Second, "not the 5 s of the slow answer")
	assert.Equal(t, 3, srv.Attempts("GET /api/v1/Owners/o1/Grants"))

	ex := NewExos()
	defer ex.Close()
	ec, err := apierr.New(ex.ClientOptions(apierr.WithRetryPolicy(FastRetryPolicy()),
		apierr.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))...)
	require.NoError(t, err)
	defer ec.Close()
	ex.Inject(1, Slow(5*time.Second))
	req, err := ec.NewRequest(context.Background(), http.MethodPost, "persons", map[string]string{"LastName": "Doe"})
	require.NoError(t, err)
	_, err = ec.Do(req, nil)
	require.Error(t, err, "a POST that timed out is not retried: it may have taken effect")
	var ne interface{ Timeout() bool }
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Equal(t, 1, ex.Requests())
}

// TestIdempotencyKeyMakesAPOSTRetryable: the README's Idempotency-Key
// snippet.
func TestIdempotencyKeyMakesAPOSTRetryable(t *testing.T) {
	srv := NewExos()
	defer srv.Close()
	c, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(FastRetryPolicy()))...)
	require.NoError(t, err)
	defer c.Close()
	const persons = "POST /ExosApi/api/v1.1/persons"
	create := func(key string) error {
		req, err := c.NewRequest(context.Background(), http.MethodPost, "persons", map[string]string{"LastName": "Doe"})
		require.NoError(t, err)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		_, err = c.Do(req, nil)
		return err
	}

	srv.InjectPath(persons, 1, BadGateway())
	require.NoError(t, create("person-doe-1"), "the 502 was retried")
	assert.Equal(t, 2, srv.Attempts(persons))

	srv.InjectPath(persons, 1, BadGateway())
	require.ErrorIs(t, create(""), apierr.ErrServer, "without the key a POST is not retried")
	assert.Equal(t, 3, srv.Attempts(persons))
}
