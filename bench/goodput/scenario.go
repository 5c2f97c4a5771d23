package goodput

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// Load is how callers arrive.
type Load int

const (
	// Closed: Workers goroutines share Calls calls, each starting its next
	// call when the last one ends.
	Closed Load = iota
	// Open: calls arrive at Rate a second for Duration whatever the
	// server's state, each with CallTimeout.
	Open
	// Timed: Workers goroutines call back to back for Duration.
	Timed
)

// Budget is what DESIGN.md's performance budgets ask of a scenario; a zero
// field asks nothing.
type Budget struct {
	MinSuccess      float64 // share of the calls that succeed
	MaxWallRatio    float64 // wall time over Ideal
	MaxRejected     float64 // rejections (429s) over calls
	MaxAttemptRatio float64 // requests the server received over calls
	MaxOutageShare  float64 // requests received during the outage over calls that arrived in it
}

// Scenario is a fake server, a load and the budget the results are held to.
type Scenario struct {
	Name  string // short name for flags and JSON: limit, limit-no-retry-after, conflicts, outage, token
	Title string // one line for the table

	Load        Load
	Workers     int
	Calls       int           // Closed
	Rate        float64       // Open: arrivals a second
	Duration    time.Duration // Open, Timed
	CallTimeout time.Duration // Open, Timed: each call's deadline; 0 none
	// Cut ends a Closed run: calls not started by then fail, those in
	// flight are cancelled. It bounds a client that would take minutes.
	Cut time.Duration

	Ideal     time.Duration // the best the server allows; 0 when the scenario is a throughput test
	Rejection string        // what the server refuses with: "429", "503", "400241", "401"
	// OutageFrom and OutageLen place the outage, from the server's start.
	OutageFrom, OutageLen time.Duration
	Budget                Budget

	server  func() *Server
	request func(i int, rnd *rand.Rand) Request
	exos    bool
	oauth   bool
}

// LimitScenario: workers share calls GETs against perSecond requests a
// second (burst), the rest refused with 429 and, when retryAfter is
// positive, Retry-After.
func LimitScenario(calls, workers int, perSecond float64, burst int, retryAfter time.Duration) Scenario {
	ideal := time.Duration(float64(calls) / perSecond * float64(time.Second))
	s := Scenario{
		Name: "limit", Load: Closed, Workers: workers, Calls: calls, Cut: 4 * ideal, Ideal: ideal, Rejection: "429",
		Title: fmt.Sprintf("%g req/s limit (burst %d), 429 + Retry-After: %d, %d goroutines, %s GETs",
			perSecond, burst, int(retryAfter/time.Second), workers, thousands(calls)),
		Budget:  Budget{MinSuccess: 0.999, MaxWallRatio: 1.15, MaxRejected: 0.05},
		server:  func() *Server { return NewLimitServer(6*ideal, perSecond, burst, retryAfter) },
		request: getItem,
	}
	if retryAfter <= 0 {
		s.Name = "limit-no-retry-after"
		s.Title = fmt.Sprintf("%g req/s limit (burst %d), 429 without Retry-After, %d goroutines, %s GETs",
			perSecond, burst, workers, thousands(calls))
		s.Budget = Budget{MinSuccess: 0.999, MaxWallRatio: 1.3, MaxRejected: 0.15}
	}
	return s
}

// ConflictScenario: workers share calls POSTs, each to one of resources
// persons picked at random, against an exos that takes service per write
// and answers 400241 while maxInFlight writes to the person are under way.
func ConflictScenario(calls, workers, resources, maxInFlight int, service time.Duration) Scenario {
	var ideal time.Duration
	if slots := resources * maxInFlight; slots > 0 {
		ideal = time.Duration((calls+slots-1)/slots) * service
	}
	return Scenario{
		Name: "conflicts", Load: Closed, Workers: workers, Calls: calls, Cut: max(20*ideal, 10*time.Second),
		Ideal: ideal, Rejection: "400241",
		Title: fmt.Sprintf("exos 400241 when > %d in flight per person (%d persons, %s a write), %d goroutines, %s POSTs",
			maxInFlight, resources, spaced(service), workers, thousands(calls)),
		Budget: Budget{MinSuccess: 1, MaxAttemptRatio: 1.25},
		server: func() *Server { return NewConflictServer(40*ideal+30*time.Second, maxInFlight, service) },
		request: func(i int, rnd *rand.Rand) Request {
			return Request{
				Method: http.MethodPost,
				Path:   "persons/" + strconv.Itoa(rnd.IntN(resources)) + "/accessrights",
				Body:   []byte(`{"AccessRightId":"` + strconv.Itoa(i) + `"}`),
			}
		},
		exos: true,
	}
}

// OutageScenario: GETs arrive at rate a second for run, each with
// callTimeout; the server answers 503 for length from from.
func OutageScenario(rate float64, run, from, length, callTimeout time.Duration) Scenario {
	return Scenario{
		Name: "outage", Load: Open, Rate: rate, Duration: run, CallTimeout: callTimeout,
		Ideal: run, Rejection: "503", OutageFrom: from, OutageLen: length,
		Title: fmt.Sprintf("503 for %s of a %s run at %g GET/s (open loop, %s deadline per call)",
			spaced(length), spaced(run), rate, spaced(callTimeout)),
		Budget:  Budget{MinSuccess: 0.99, MaxOutageShare: 0.10},
		server:  func() *Server { return NewOutageServer(run+2*callTimeout, from, length) },
		request: getItem,
	}
}

// TokenScenario: workers call back to back for run, with tokens from the
// server's OAuth2 endpoint that live for lifetime.
func TokenScenario(workers int, run, lifetime time.Duration) Scenario {
	return Scenario{
		Name: "token", Load: Timed, Workers: workers, Duration: run, CallTimeout: 5 * time.Second, Rejection: "401",
		Title: fmt.Sprintf("%s tokens from an OAuth2 token endpoint, %d goroutines calling for %s",
			spaced(lifetime), workers, spaced(run)),
		server:  func() *Server { return NewTokenServer(run+10*time.Second, lifetime) },
		request: getItem,
		oauth:   true,
	}
}

// Scenarios are the five scenarios at the scale DESIGN.md's budgets name.
func Scenarios() []Scenario {
	return []Scenario{
		LimitScenario(3000, 32, 200, 20, time.Second),
		LimitScenario(3000, 32, 200, 20, 0),
		ConflictScenario(2000, 32, 8, 4, 5*time.Millisecond),
		OutageScenario(400, 10*time.Second, 4*time.Second, 2*time.Second, 5*time.Second),
		TokenScenario(64, 5*time.Second, 2*time.Second),
	}
}

// validate reports a scenario that cannot run, such as one built with a
// zero rate or no workers.
func (s Scenario) validate() error {
	bad := func(what string) error { return fmt.Errorf("goodput: scenario %q: %s", s.Name, what) }
	switch {
	case s.server == nil || s.request == nil:
		return bad("not built by one of the scenario constructors")
	case (s.Load == Closed || s.Load == Timed) && s.Workers < 1:
		return bad("needs at least one worker")
	case s.Load == Closed && s.Calls < 1:
		return bad("needs at least one call")
	case s.Load == Closed && s.Cut <= 0:
		return bad("needs a positive cut")
	case s.Load == Open && s.Rate <= 0:
		return bad("needs a positive arrival rate")
	case (s.Load == Open || s.Load == Timed) && (s.Duration <= 0 || s.CallTimeout <= 0):
		return bad("needs a positive duration and call timeout")
	}
	return nil
}

// setup tells a client about the scenario's running server.
func (s Scenario) setup(srv *Server) Setup {
	st := Setup{BaseURL: srv.URL, Exos: s.exos}
	if s.oauth {
		st.OAuth = &clientcredentials.Config{ClientID: tokenClientID, ClientSecret: tokenClientSecret, TokenURL: srv.TokenURL}
	}
	return st
}

func getItem(i int, _ *rand.Rand) Request {
	return Request{Method: http.MethodGet, Path: "items/" + strconv.Itoa(i)}
}

// thousands writes n with a comma every three digits, as the budgets do.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// spaced writes a duration as a title does: "5 ms", "1.5 s".
func spaced(d time.Duration) string {
	s := d.String()
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i > 0 {
		return s[:i] + " " + s[i:]
	}
	return s
}
