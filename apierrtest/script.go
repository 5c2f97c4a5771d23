package apierrtest

import "github.com/accessapi/apierr"

// step is one scripted answer, used for the next left matching requests.
type step[C apierr.Code] struct {
	code    C
	hasCode bool
	faults  []Fault
	left    int // < 0: until ClearFaults
}

// reply builds the answer: the code's status, then the faults on top.
func (st *step[C]) reply() *reply {
	status := 0
	if st.hasCode {
		status = StatusFor(st.code)
	}
	return newReply(status, st.faults)
}

// script holds the scripted answers in the order they were added: per path
// (optionally "METHOD path") and for any API call.
type script[C apierr.Code] struct {
	global []*step[C]
	byPath map[string][]*step[C]
}

func (sc *script[C]) add(path string, st *step[C]) {
	if st.left == 0 {
		return
	}
	if path == "" {
		sc.global = append(sc.global, st)
		return
	}
	if sc.byPath == nil {
		sc.byPath = make(map[string][]*step[C])
	}
	sc.byPath[path] = append(sc.byPath[path], st)
}

// next takes the step for a request: "METHOD path" first, then path, then
// (for API calls) the global list.
func (sc *script[C]) next(method, path string, global bool) (*step[C], bool) {
	for _, k := range [...]string{method + " " + path, path} {
		if q, ok := sc.byPath[k]; ok {
			st, rest := take(q)
			if len(rest) == 0 {
				delete(sc.byPath, k)
			} else {
				sc.byPath[k] = rest
			}
			return st, true
		}
	}
	if global && len(sc.global) > 0 {
		var st *step[C]
		st, sc.global = take(sc.global)
		return st, true
	}
	return nil, false
}

// take uses up one answer of the first step of a non-empty q.
func take[C apierr.Code](q []*step[C]) (*step[C], []*step[C]) {
	st := q[0]
	if st.left > 0 {
		st.left--
		if st.left == 0 {
			return st, q[1:]
		}
	}
	return st, q
}

// Fail makes the next n API calls (n < 0: every call until ClearFaults)
// answer with code: in the API's body shape, with StatusFor(code), shaped
// further by faults. The zero code of exos, USTA and Tapkey sends a body
// without a code. Token and login requests are left alone; a request the
// fake rejects for its credentials does not use up a scripted answer.
//
// entrecode codes are sent with four digits: a three-digit family gets the
// Data Manager's system digit (ParallelRequestAddedTags, 373, is sent as
// 2373; InternalError, 0, as 2000); a four-digit code is sent as it is.
func (s *Server[C]) Fail(code C, n int, faults ...Fault) { s.FailPath("", code, n, faults...) }

// FailPath is Fail for the requests to one path only ("/api/v1/Owners/o1/Grants"),
// or to one method and path ("PUT /api/v1/Owners/o1/Grants"). Unlike Fail
// it also applies to the token and login endpoints. Path answers come before
// those scripted with Fail.
func (s *Server[C]) FailPath(path string, code C, n int, faults ...Fault) {
	s.add(path, &step[C]{code: code, hasCode: true, faults: faults, left: n})
}

// Inject makes the next n API calls (n < 0: every call until ClearFaults)
// answer as faults say, without a code: Inject(1, TooManyRequests(time.Second)),
// Inject(2, Drop()). Faults that set no status (Slow alone) delay the normal
// answer.
func (s *Server[C]) Inject(n int, faults ...Fault) { s.InjectPath("", n, faults...) }

// InjectPath is Inject for the requests to one path or "METHOD path",
// including the token and login endpoints.
func (s *Server[C]) InjectPath(path string, n int, faults ...Fault) {
	s.add(path, &step[C]{faults: faults, left: n})
}

func (s *Server[C]) add(path string, st *step[C]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script.add(path, st)
}

// ClearFaults drops every scripted answer not yet used.
func (s *Server[C]) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script[C]{}
}
