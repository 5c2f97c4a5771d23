package apierrtest

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

const boundLocks = "/api/v1/Owners/o1/BoundLocks"

func TestFailNextCallsThenSucceed(t *testing.T) {
	srv := NewExos()
	defer srv.Close()
	id := exosLogin(t, srv)
	srv.Fail(exos.ConcurrencyError, 2)

	for i := 0; i < 2; i++ {
		a := send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
		assert.Equal(t, 400, a.status, "documented status of 400241")
		assert.Equal(t, "400241", bodyCode(t, "exos", a))
		assert.Equal(t, "Concurrency-Error. The action you tried to execute probably relied on data that has been changed", a.json(t)["Message"])
	}
	assert.Equal(t, 200, send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...).status)
	assert.Equal(t, 3, srv.Attempts(exosPersons))
	assert.Equal(t, 1, srv.Logins(), "the login endpoint is not scripted by Fail")
}

func TestScriptOrder(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	grants := "/api/v1/Owners/o1/Grants"
	get := func(path string) string {
		return bodyCodeOr200(t, send(t, srv.Client(), "GET", srv.URL()+path, "", auth...))
	}

	srv.Fail(tapkey.Generic, 1)
	srv.Fail(tapkey.CardCapacityExceeded, 1)
	srv.FailPath(grants, tapkey.EmailNotVerified, 1)
	srv.FailPath("GET "+grants, tapkey.Duplicate, 1)
	srv.FailPath("PUT "+grants, tapkey.ProtocolVersionTooOld, 1)

	assert.Equal(t, "Duplicate", get(grants), `"METHOD path" first`)
	assert.Equal(t, "EmailNotVerified", get(grants), "then path")
	assert.Equal(t, "Generic", get(grants), "then Fail, in order")
	assert.Equal(t, "CardCapacityExceeded", get(boundLocks))
	assert.Equal(t, "200", get(grants))
	assert.Equal(t, "200", get(boundLocks))

	srv.Fail(tapkey.Generic, 0)
	assert.Equal(t, "200", get(boundLocks), "n = 0 scripts nothing")

	srv.Fail(tapkey.Generic, -1)
	for i := 0; i < 5; i++ {
		assert.Equal(t, "Generic", get(boundLocks), "n < 0: until ClearFaults")
	}
	srv.ClearFaults()
	assert.Equal(t, "200", get(boundLocks))
}

// bodyCodeOr200 is the Tapkey ErrorCode of an error answer, or "200".
func bodyCodeOr200(t testing.TB, a answer) string {
	if a.status == 200 {
		return "200"
	}
	return bodyCode(t, "tapkey", a)
}

func TestRejectedCredentialsDoNotUseUpFaults(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	srv.Fail(tapkey.Generic, 1)
	assert.Equal(t, 401, send(t, srv.Client(), "GET", srv.URL()+boundLocks, "").status)
	a := send(t, srv.Client(), "GET", srv.URL()+boundLocks, "", bearer(ccToken(t, srv))...)
	assert.Equal(t, 400, a.status)
	assert.Equal(t, "Generic", bodyCode(t, "tapkey", a))
}

func TestFaultsShapeTheAnswer(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	call := func() answer { return send(t, srv.Client(), "GET", srv.URL()+boundLocks, "", auth...) }

	t.Run("TooManyRequests", func(t *testing.T) {
		srv.Inject(1, TooManyRequests(1500*time.Millisecond))
		a := call()
		assert.Equal(t, 429, a.status)
		assert.Equal(t, "2", a.header.Get("Retry-After"), "rounded up to whole seconds")
		assert.Equal(t, "", bodyCode(t, "tapkey", a), "no ErrorCode")
		assert.Equal(t, "too many requests", a.json(t)["ErrorMessage"])
	})
	t.Run("code with status, Retry-After and detail", func(t *testing.T) {
		srv.Fail(tapkey.Generic, 1, Status(503), RetryAfter(3*time.Second), Detail("lock bl-1"))
		a := call()
		assert.Equal(t, 503, a.status)
		assert.Equal(t, "3", a.header.Get("Retry-After"))
		assert.Equal(t, "Generic", bodyCode(t, "tapkey", a))
		assert.Equal(t, "lock bl-1", a.json(t)["ErrorDetails"])
	})
	t.Run("BadGateway", func(t *testing.T) {
		srv.Inject(1, BadGateway())
		a := call()
		assert.Equal(t, 502, a.status)
		assert.Equal(t, "text/html", a.header.Get("Content-Type"))
		assert.Contains(t, string(a.body), "<h1>502 Bad Gateway</h1>")
	})
	t.Run("InsufficientScope", func(t *testing.T) {
		srv.Inject(1, InsufficientScope("grants:write"))
		a := call()
		assert.Equal(t, 401, a.status)
		ch := a.header.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(ch, `Bearer error="insufficient_scope"`), ch)
		assert.Contains(t, ch, `scope="grants:write"`)
		assert.Equal(t, "required scope: grants:write", a.json(t)["ErrorDetails"])
	})
	t.Run("ExpiredToken with a valid token", func(t *testing.T) {
		srv.Inject(1, ExpiredToken())
		a := call()
		assert.Equal(t, 401, a.status)
		assert.Contains(t, a.header.Get("WWW-Authenticate"), "expired")
		assert.Equal(t, 200, call().status, "the token itself is still good")
	})
	t.Run("Slow alone delays the normal answer", func(t *testing.T) {
		srv.Inject(1, Slow(50*time.Millisecond))
		start := time.Now()
		a := call()
		assert.Equal(t, 200, a.status)
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	})
	t.Run("Drop closes the connection", func(t *testing.T) {
		srv.Inject(1, Drop())
		_, err := trySend(context.Background(), srv.Client(), "GET", srv.URL()+boundLocks, "", auth...)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, 200, call().status, "the next call is answered")
	})
}

// TestSlowEndsWhenTheClientGivesUp checks the server side: the handler's
// wait must end when the client cancels, before Close (which ends every
// wait, so a check after it could not fail).
func TestSlowEndsWhenTheClientGivesUp(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	srv.Inject(1, Slow(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := trySend(ctx, srv.Client(), "GET", srv.URL()+boundLocks, "", auth...)
		errc <- err
	}()
	require.Eventually(t, inScriptedFault, 10*time.Second, 5*time.Millisecond, "the request never reached the Slow wait")
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	assert.Eventually(t, func() bool { return !inScriptedFault() }, 10*time.Second, 5*time.Millisecond,
		"the handler still waits after the client gave up")
}

// inScriptedFault reports whether a server goroutine is inside
// Server.fault, where a Slow answer waits.
func inScriptedFault() bool {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Contains(buf[:n], []byte("apierrtest.(*Server[...]).fault("))
		}
		buf = make([]byte, 2*len(buf))
	}
}

func TestCloseEndsSlowAnswers(t *testing.T) {
	srv := NewTapkey()
	auth := bearer(ccToken(t, srv))
	srv.Inject(1, Slow(time.Hour))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = trySend(context.Background(), srv.Client(), "GET", srv.URL()+boundLocks, "", auth...)
	}()
	require.Eventually(t, func() bool { return srv.Attempts(boundLocks) == 1 }, 10*time.Second, time.Millisecond)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a Slow answer")
	}
	wg.Wait()
	srv.Close() // a second Close is harmless
}

func TestFaultsOnTheTokenEndpoint(t *testing.T) {
	srv := NewEntrecode()
	defer srv.Close()
	path := strings.TrimPrefix(srv.TokenURL(), srv.URL())
	srv.Inject(1, TooManyRequests(time.Second))
	srv.InjectPath(path, 1, TooManyRequests(time.Second))
	_, err := srv.ClientCredentials().Token(oauthCtx(srv.Client()))
	require.Error(t, err, "InjectPath reaches the token endpoint")
	tok := ccToken(t, srv)
	a := send(t, srv.Client(), "GET", srv.URL()+"/api/beefbeef/to-do-item", "", bearer(tok)...)
	assert.Equal(t, 429, a.status, "Inject waited for the API call")
	assert.Equal(t, 2, srv.TokenRequests())
}

func TestAuthFaultsUseEachAPIsCodes(t *testing.T) {
	for _, tc := range []struct {
		api     string
		answer  func(Fault) answer
		expired string
		scope   string
	}{
		{"entrecode", func(f Fault) answer {
			srv := NewEntrecode()
			defer srv.Close()
			srv.Inject(1, f)
			return send(t, srv.Client(), "GET", srv.URL()+"/api/beefbeef/to-do-item", "", bearer(ccToken(t, srv))...)
		}, "2402", "2410"},
		{"usta", func(f Fault) answer {
			srv := NewUSTA()
			defer srv.Close()
			srv.Inject(1, f)
			return send(t, srv.Client(), "GET", srv.URL()+"/v1/entities/1001", "", bearer(ccToken(t, srv))...)
		}, "4003", ""},
		{"exos", func(f Fault) answer {
			srv := NewExos()
			defer srv.Close()
			id := exosLogin(t, srv)
			srv.Inject(1, f)
			return send(t, srv.Client(), "GET", srv.URL()+exosPersons, "", exosAuth(id)...)
		}, "300008", "300010"},
	} {
		t.Run(tc.api, func(t *testing.T) {
			a := tc.answer(ExpiredToken())
			assert.Equal(t, 401, a.status)
			assert.Equal(t, tc.expired, bodyCode(t, tc.api, a))
			a = tc.answer(InsufficientScope("x"))
			assert.Equal(t, 401, a.status)
			assert.Equal(t, tc.scope, bodyCode(t, tc.api, a))
		})
	}
}

func TestScriptedCodesUseTheAPIsShape(t *testing.T) {
	t.Run("entrecode problem+json with HAL links", func(t *testing.T) {
		srv := NewEntrecode()
		defer srv.Close()
		srv.Fail(entrecode.ParallelRequestAddedTags, 1, Detail("tags"))
		srv.Fail(entrecode.Code(1451), 1)
		srv.Fail(entrecode.InternalError, 1)
		auth := bearer(ccToken(t, srv))
		call := func() answer {
			return send(t, srv.Client(), "GET", srv.URL()+"/api/beefbeef/to-do-item", "", auth...)
		}

		a := call()
		assert.Equal(t, "application/problem+json", a.header.Get("Content-Type"))
		assert.Equal(t, 400, a.status)
		m := a.json(t)
		assert.Equal(t, float64(2373), m["code"], "a family gets the Data Manager's system digit")
		assert.Equal(t, float64(400), m["status"])
		assert.Equal(t, "Other parallel request already added tag(s)", m["title"])
		assert.Equal(t, "https://entrecode.de/doc/error/2373", m["type"])
		assert.Equal(t, "tags", m["detail"])
		links := m["_links"].(map[string]any)
		assert.Equal(t, m["type"], links["describedby"].(map[string]any)["href"])
		assert.Equal(t, srv.URL(), links["up"].(map[string]any)["href"])

		a = call()
		assert.Equal(t, 429, a.status, "1451 is documented with 429")
		assert.Equal(t, "1451", bodyCode(t, "entrecode", a), "four digits are sent as they are")

		a = call()
		assert.Equal(t, 500, a.status)
		assert.Equal(t, "2000", bodyCode(t, "entrecode", a))
	})
	t.Run("usta errors array", func(t *testing.T) {
		srv := NewUSTA()
		defer srv.Close()
		srv.Fail(usta.ValidationError, 1, Detail("firstName"))
		a := send(t, srv.Client(), "GET", srv.URL()+"/v1/entities/1001", "", bearer(ccToken(t, srv))...)
		assert.Equal(t, 400, a.status)
		assert.JSONEq(t, `{"errors":[{"errorCode":5000,"message":"Validation error. Additional attributes \"subject\" and \"subjectType\" may be present in response containing additional information (e.g. field name).","subject":"firstName","subjectType":"parameter"}]}`, string(a.body))
	})
	t.Run("tapkey localised user message", func(t *testing.T) {
		srv := NewTapkey()
		defer srv.Close()
		auth := bearer(ccToken(t, srv))
		srv.Fail(tapkey.Duplicate, 2)
		a := send(t, srv.Client(), "GET", srv.URL()+boundLocks, "", append(auth, "Accept-Language", "de-AT, en;q=0.5")...)
		assert.Equal(t, 409, a.status)
		assert.Equal(t, "Diese Person hat bereits Zugang zu diesem Schloss.", a.json(t)["UserErrorMessage"])
		a = send(t, srv.Client(), "GET", srv.URL()+boundLocks, "", append(auth, "Accept-Language", "fr")...)
		assert.Equal(t, "This person already has access to this lock.", a.json(t)["UserErrorMessage"], "English otherwise")
	})
}

func TestRequestIDHeader(t *testing.T) {
	srv := NewUSTA()
	defer srv.Close()
	form := url.Values{"grant_type": {"client_credentials"}}
	a := send(t, srv.Client(), "POST", srv.TokenURL(), form.Encode(), "Content-Type", "application/x-www-form-urlencoded",
		"Authorization", basic(DefaultClientID, DefaultClientSecret))
	first := a.header.Get("X-Request-Id")
	a = send(t, srv.Client(), "GET", srv.URL()+"/v1/entities/1001", "")
	assert.True(t, strings.HasPrefix(first, "apierrtest-"), first)
	assert.NotEqual(t, first, a.header.Get("X-Request-Id"))
}
