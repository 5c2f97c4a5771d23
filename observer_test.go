package apierr_test

import (
	"context"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
)

func TestWithObserverNil(t *testing.T) {
	_, err := apierr.New(apierr.WithBaseURL("https://api.example.com"), apierr.WithObserver(nil))
	require.EqualError(t, err, "apierr: WithObserver: nil observer")
}

// onlyWaits implements one event; NopObserver supplies the rest.
type onlyWaits struct {
	apierr.NopObserver
	waits []apierr.WaitEvent
}

func (o *onlyWaits) Wait(_ context.Context, e apierr.WaitEvent) { o.waits = append(o.waits, e) }

func TestNopObserverEmbedded(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	o := &onlyWaits{}
	var obs apierr.Observer = o

	for name, got := range map[string]context.Context{
		"CallStart":    obs.CallStart(ctx, apierr.CallStartEvent{}),
		"AttemptStart": obs.AttemptStart(ctx, apierr.AttemptStartEvent{}),
		"AuthStart":    obs.AuthStart(ctx, apierr.AuthStartEvent{}),
	} {
		assert.Same(t, ctx, got, "%s must return the context it was given", name)
	}
	obs.Wait(ctx, apierr.WaitEvent{Reason: apierr.WaitGate, Attempt: 2})
	require.Equal(t, []apierr.WaitEvent{{Reason: apierr.WaitGate, Attempt: 2}}, o.waits)

	_, err := apierr.New(apierr.WithBaseURL("https://api.example.com"), apierr.WithObserver(o))
	require.NoError(t, err)
}

func TestHeaderCarrierHidesCredentials(t *testing.T) {
	h := http.Header{
		"Authorization": {"Bearer secret-token"},
		"Cookie":        {"session=secret"},
		"X-Api-Key":     {"secret-key"},
		"Accept":        {"application/json"},
	}
	c := apierr.NewHeaderCarrier(h)

	tests := []struct {
		key, want string
	}{
		{"Accept", "application/json"},
		{"accept", "application/json"},
		{"Authorization", ""},
		{"authorization", ""},
		{"Cookie", ""},
		{"x-api-key", ""},
	}
	for _, tt := range tests {
		t.Run("Get "+tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, c.Get(tt.key))
		})
	}

	keys := c.Keys()
	sort.Strings(keys)
	assert.Equal(t, []string{"Accept"}, keys)

	c.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	c.Set("Authorization", "Bearer injected")
	c.Set("proxy-authorization", "Basic injected")
	assert.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", h.Get("Traceparent"))
	assert.Equal(t, []string{"Bearer secret-token"}, h["Authorization"], "Set must not replace a credential")
	assert.Empty(t, h.Values("Proxy-Authorization"))
}

func TestHeaderCarrierZero(t *testing.T) {
	var c apierr.HeaderCarrier
	c.Set("traceparent", "x") // no header: nothing to write, and no panic
	assert.Equal(t, "", c.Get("traceparent"))
	assert.Empty(t, c.Keys())
}
