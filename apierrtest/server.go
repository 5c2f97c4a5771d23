package apierrtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/internal/boundedbody"
)

// Server is a fake API listening on a loopback address. C is the API's code
// type, so that Fail takes only that API's codes. Its methods are safe for
// concurrent use. Close it when done (t.Cleanup(srv.Close)).
type Server[C apierr.Code] struct {
	ts      *httptest.Server
	api     *dialect[C]
	cfg     config
	done    chan struct{} // closed by Close: ends Slow waits
	once    sync.Once
	handler http.Handler // the API's resources

	mu       sync.Mutex
	script   script[C]
	grants   *grants // access tokens, exos sessions, refresh tokens
	seq      int     // for request IDs and tokens
	requests int
	attempts map[string]int      // by "path" and "METHOD path"
	bodies   map[string][][]byte // by "path" and "METHOD path"
	tokenReq int
	refreshQ int
	logins   int
	logouts  int
}

// maxRecordedBody caps what the fake reads and records of a request body.
const maxRecordedBody = 1 << 20

func newServer[C apierr.Code](d *dialect[C], opts []Option) *Server[C] {
	s := &Server[C]{
		api:      d,
		cfg:      defaultConfig(),
		done:     make(chan struct{}),
		attempts: make(map[string]int),
		bodies:   make(map[string][][]byte),
	}
	for _, o := range opts {
		if o != nil {
			o(&s.cfg)
		}
	}
	s.grants = newGrants(&s.cfg)
	s.handler = d.routes(s)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL returns the server's root URL, such as http://127.0.0.1:41234,
// without the API's path: a client's base URL is BaseURL, and
// ClientOptions wires a client in one line. Use URL with a full path, as in
// URL() + "/api/v1/Owners/o1/Grants".
func (s *Server[C]) URL() string { return s.ts.URL }

// Client returns an *http.Client for the server (what httptest.Server.Client
// returns).
func (s *Server[C]) Client() *http.Client { return s.ts.Client() }

// Close ends pending Slow answers, shuts the server down and waits for
// requests in progress. It is safe to call more than once.
func (s *Server[C]) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.Close()
	})
}

func (s *Server[C]) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _, _ := boundedbody.Read(r.Body, maxRecordedBody)
	r.Body = io.NopCloser(bytes.NewReader(body))
	endpoint := s.isEndpoint(r.URL.Path)
	s.mu.Lock()
	s.seq++
	w.Header().Set("X-Request-Id", "apierrtest-"+strconv.Itoa(s.seq))
	s.record(r, body, endpoint)
	s.mu.Unlock()

	if endpoint {
		if !s.fault(w, r, false) {
			s.serveEndpoint(w, r, body)
		}
		return
	}
	if !s.authenticate(w, r) {
		return
	}
	if !s.fault(w, r, true) {
		s.handler.ServeHTTP(w, r)
	}
}

// isEndpoint reports whether path is the token or login endpoint, which
// global faults leave alone and Requests does not count.
func (s *Server[C]) isEndpoint(path string) bool {
	if s.api.session {
		return path == exosLegacyLoginPath || path == exosLoginPath
	}
	return path == s.api.tokenPath
}

func (s *Server[C]) serveEndpoint(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.api.session {
		s.serveLogin(w, r, body)
		return
	}
	s.grants.serveToken(w, r, s.api.refresh)
}

// record counts a request and keeps its body; s.mu is held.
func (s *Server[C]) record(r *http.Request, body []byte, endpoint bool) {
	switch {
	case !endpoint:
		s.requests++
	case s.api.session:
		s.logins++
	default:
		s.tokenReq++
		if isRefreshGrant(body) {
			s.refreshQ++
		}
	}
	for _, k := range [...]string{r.URL.Path, r.Method + " " + r.URL.Path} {
		s.attempts[k]++
		s.bodies[k] = append(s.bodies[k], body)
	}
}

// fault answers r with the next scripted fault for it, if any, and reports
// whether it did. A Slow fault alone delays the normal answer and reports false.
func (s *Server[C]) fault(w http.ResponseWriter, r *http.Request, global bool) bool {
	s.mu.Lock()
	st, ok := s.script.next(r.Method, r.URL.Path, global)
	s.mu.Unlock()
	if !ok {
		return false
	}
	rep := st.reply()
	if rep.delay > 0 {
		t := time.NewTimer(rep.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		t.Stop()
	}
	if rep.drop {
		dropConnection(w)
		return true
	}
	if rep.status == 0 {
		return false
	}
	e := &errorReply[C]{reply: rep, code: st.code, hasCode: st.hasCode}
	if rep.wired() {
		rec := httptest.NewRecorder()
		s.api.write(rec, r, e)
		rep.writeWired(w, rec, s.cfg.now())
		return true
	}
	s.api.write(w, r, e)
	return true
}

// dropConnection closes the client's connection after the status line,
// before the headers end. Some bytes must arrive: net/http silently retries
// a replayable request when a reused connection closes before the first byte.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): net/http resets the stream on this value.
		panic(http.ErrAbortHandler)
	}
	_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\n"))
	_ = conn.Close()
}

// fail writes a natural (unscripted) error of the API.
func (s *Server[C]) fail(w http.ResponseWriter, r *http.Request, e *errorReply[C]) {
	if e.reply == nil {
		e.reply = &reply{}
	}
	if e.status == 0 {
		e.status = StatusFor(e.code)
	}
	s.api.write(w, r, e)
}

// nextID returns a fresh number for tokens and resources.
func (s *Server[C]) nextID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}
