package apierr

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/internal/throttle"
)

func TestRateStateRoundTrip(t *testing.T) {
	since := time.Unix(1_800_000_000, 123_456_789)
	for name, s := range map[string]throttle.RateState{
		"off":     {},
		"probing": {Active: true, Probing: true, Rate: 10, Base: 10, Burst: 20, Since: since},
		"cubic":   {Active: true, Rate: 193.5, Max: 199.25, Burst: 20, Since: since},
	} {
		t.Run(name, func(t *testing.T) {
			b := encodeRateState(s)
			assert.Len(t, b, rateStateLen)
			got, err := decodeRateState(b)
			require.NoError(t, err)
			assert.Equal(t, s.Active, got.Active)
			assert.Equal(t, s.Probing, got.Probing)
			assert.Equal(t, []float64{s.Rate, s.Base, s.Max, s.Burst}, []float64{got.Rate, got.Base, got.Max, got.Burst})
			assert.True(t, s.Since.Equal(got.Since), "since %v, got %v", s.Since, got.Since)
		})
	}
	none, err := decodeRateState(nil)
	require.NoError(t, err)
	assert.Equal(t, throttle.RateState{}, none, "none stored: the learned rate is off")
}

func TestDecodeRateStateRefusesDamage(t *testing.T) {
	good := encodeRateState(throttle.RateState{Active: true, Rate: 5, Since: time.Unix(1, 0)})
	nan := append([]byte(nil), good...)
	copy(nan[2:], []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 1}) // Rate NaN
	for name, b := range map[string][]byte{
		"short":         good[:10],
		"long":          append(append([]byte(nil), good...), 0),
		"other version": append([]byte{9}, good[1:]...),
		"unknown flags": append([]byte{good[0], 0x80}, good[2:]...),
		"NaN rate":      nan,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := decodeRateState(b)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "apierr: fleet: "), err.Error())
			assert.Equal(t, throttle.RateState{}, s)
		})
	}
}

// FuzzDecodeRateState: whatever a fleet hands back, decoding never panics,
// and a state it accepts encodes to the same bytes.
func FuzzDecodeRateState(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeRateState(throttle.RateState{Active: true, Probing: true, Rate: 10, Base: 10, Since: time.Unix(5, 0)}))
	f.Add(encodeRateState(throttle.RateState{Active: true, Rate: 1e300, Max: 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeRateState(b)
		if err != nil || len(b) == 0 {
			return
		}
		if !bytes.Equal(encodeRateState(s), b) {
			t.Fatalf("%x decodes to %+v, which encodes to %x", b, s, encodeRateState(s))
		}
	})
}

// downLimits is a Fleet whose shared limits always fail, as an unreachable
// Redis does; its token operations are never called (no auth).
type downLimits struct {
	Fleet
	calls atomic.Int64
}

var errLimitsDown = errors.New("redis: connection refused")

func (d *downLimits) fail() error { d.calls.Add(1); return errLimitsDown }
func (d *downLimits) CloseGate(context.Context, string, time.Duration) (time.Duration, error) {
	return 0, d.fail()
}
func (d *downLimits) GateClosedFor(context.Context, string) (time.Duration, error) {
	return 0, d.fail()
}
func (d *downLimits) OpenGate(context.Context, string) error { return d.fail() }
func (d *downLimits) LoadRate(context.Context, string) (FleetRate, error) {
	return FleetRate{}, d.fail()
}
func (d *downLimits) SwapRate(context.Context, string, int64, []byte) (bool, error) {
	return false, d.fail()
}
func (d *downLimits) Reserve(context.Context, string, FleetReserve) (FleetReservation, error) {
	return FleetReservation{}, d.fail()
}
func (d *downLimits) Sends(context.Context, string, time.Duration, time.Duration, time.Duration) ([]int64, error) {
	return nil, d.fail()
}
func (d *downLimits) TakeBudget(context.Context, string, int64, int64) (bool, error) {
	return false, d.fail()
}
func (d *downLimits) GiveBudget(context.Context, string, int64, int64) (bool, error) {
	return false, d.fail()
}
func (d *downLimits) AcquireSlot(context.Context, string, string, int, time.Duration) (bool, error) {
	return false, d.fail()
}
func (d *downLimits) ReleaseSlot(context.Context, string, string) error { return d.fail() }
func (d *downLimits) Heartbeat(context.Context, string, string, time.Duration, time.Duration) (int, error) {
	return 0, d.fail()
}

var _ FleetLimits = (*downLimits)(nil)

// fallbackObserver records the features of FleetFallback events.
type fallbackObserver struct {
	NopObserver
	mu       sync.Mutex
	features map[string]int
}

func (o *fallbackObserver) FleetFallback(_ context.Context, e FleetFallbackEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.features[e.Feature]++
}

// TestFleetLimitsDownNeverFailsACall: with the fleet's limits unreachable,
// every call succeeds under the process's own limits, the fallback is
// logged once (not per call), and the observer sees each failure.
func TestFleetLimitsDownNeverFailsACall(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fleet := &downLimits{}
	obs := &fallbackObserver{features: map[string]int{}}
	c, err := New(WithBaseURL(srv.URL), WithFleet(fleet), WithLogger(log), WithObserver(obs),
		WithRateLimit(2000, 50), WithMaxInFlight(3))
	require.NoError(t, err)
	require.NotNil(t, c.fleetLim, "a fleet with FleetLimits shares the limits")

	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := getWith(context.Background(), c); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, c.Close())
	assert.Zero(t, failed.Load(), "a fleet that fails never fails a call")
	assert.LessOrEqual(t, peak.Load(), int64(3), "the process keeps its cap (its share of 1 process: all of it)")
	assert.Positive(t, fleet.calls.Load())
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	assert.Equal(t, 1, strings.Count(out, "fleet unavailable"), out)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	assert.Positive(t, obs.features["rate"], obs.features)
	assert.Positive(t, obs.features["inflight"], obs.features)
}

// lockedWriter serialises a log's writes for a test to read.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestFleetWithoutLimitsKeepsThemLocal: a Fleet that does not implement
// FleetLimits shares tokens only; the limits stay the process's.
func TestFleetWithoutLimitsKeepsThemLocal(t *testing.T) {
	c, err := New(WithBaseURL("https://api.example.com/"), WithFleet(tokensOnly{}))
	require.NoError(t, err)
	defer c.Close()
	assert.Nil(t, c.fleetLim)
}

type tokensOnly struct{ Fleet }

// TestLimitsScope: the limits are per API and, when the client has one the
// fleet shares, per identity.
func TestLimitsScope(t *testing.T) {
	scope := func(opts ...Option) string {
		cfg := defaultConfig()
		for _, o := range opts {
			require.NoError(t, o(&cfg))
		}
		return limitsScope(cfg)
	}
	a := scope(WithBaseURL("https://a.example.com/"))
	assert.Len(t, a, 64)
	assert.Equal(t, a, scope(WithBaseURL("https://a.example.com")))
	assert.NotEqual(t, a, scope(WithBaseURL("https://b.example.com/")))
	assert.NotEqual(t, a, scope(WithBaseURL("https://a.example.com/"), WithExosSession(ExosSession{
		LoginURL: "https://a.example.com/login", APIKey: "k", UserName: "u", Password: "p",
	})))
}
