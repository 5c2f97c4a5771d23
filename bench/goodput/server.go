package goodput

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"
)

// Server is a loopback fake API. It counts every answer on its Timeline,
// and token requests apart.
type Server struct {
	// URL is the API's base URL, with a trailing slash: requests go to
	// URL + "items/1" and the like.
	URL string
	// TokenURL is the OAuth2 token endpoint; empty unless the scenario
	// issues tokens.
	TokenURL string

	tl     *Timeline
	ts     *httptest.Server
	tokens atomic.Int64
	seq    atomic.Int64
}

// newServer starts api under /api/ and, when token is not nil, a token
// endpoint at /oauth2/token.
func newServer(horizon time.Duration, api func(*Server) http.Handler, token func(*Server) http.Handler) *Server {
	s := &Server{tl: NewTimeline(horizon)}
	mux := http.NewServeMux()
	mux.Handle("/api/", api(s))
	if token != nil {
		mux.Handle("/oauth2/token", token(s))
	}
	s.ts = httptest.NewUnstartedServer(mux)
	// The timeline starts when the server starts serving, so that bucket 0
	// is the first 100 ms of the run rather than of the listener's setup.
	s.tl.start = time.Now()
	s.ts.Start()
	s.URL = s.ts.URL + "/api/"
	if token != nil {
		s.TokenURL = s.ts.URL + "/oauth2/token"
	}
	return s
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Timeline is the server's count of answers.
func (s *Server) Timeline() *Timeline { return s.tl }

// TokenRequests is how many token requests the server answered.
func (s *Server) TokenRequests() int64 { return s.tokens.Load() }

// item is the body of every successful answer; clients decode it.
type item struct {
	ID int64 `json:"id"`
}

// ok answers 200 (201 for a POST) with a small JSON body.
func (s *Server) ok(w http.ResponseWriter, r *http.Request) {
	s.tl.Count(OK)
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"id":`+strconv.FormatInt(s.seq.Add(1), 10)+`}`)
}

// problem answers with an RFC 9457 body, as gateways and most APIs do.
func problem(w http.ResponseWriter, status int, retryAfter time.Duration) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
	})
}

// drain reads what is left of a request body, so the connection can be
// reused before the handler answers.
func drain(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
}
