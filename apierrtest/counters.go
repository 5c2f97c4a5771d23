package apierrtest

// Requests returns the number of API calls received, whatever their answer;
// token and login requests are not counted.
func (s *Server[C]) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Attempts returns the number of requests received for path, or for
// "METHOD path", whatever their answer (token and login endpoints included).
func (s *Server[C]) Attempts(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[path]
}

// Bodies returns the request bodies received for path, or for
// "METHOD path", in order (each at most 1 MiB). A replay shows up as a
// second, identical body.
func (s *Server[C]) Bodies(path string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.bodies[path]))
	for i, b := range s.bodies[path] {
		out[i] = append([]byte(nil), b...)
	}
	return out
}

// TokenRequests returns the number of requests to the token endpoint, any
// grant, accepted or not.
func (s *Server[C]) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenReq
}

// RefreshRequests returns how many token requests used the refresh_token grant.
func (s *Server[C]) RefreshRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshQ
}

// Logins returns the number of exos login requests (both endpoints),
// accepted or not.
func (s *Server[C]) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Logouts returns the number of accepted exos logoutMyself requests.
func (s *Server[C]) Logouts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logouts
}

// ResetCounters sets every counter to zero and forgets the recorded bodies;
// tokens, sessions, resources and scripted answers stay.
func (s *Server[C]) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.tokenReq, s.refreshQ, s.logins, s.logouts = 0, 0, 0, 0, 0
	clear(s.attempts)
	clear(s.bodies)
}
