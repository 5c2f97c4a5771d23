package goodput

import (
	"net/http"
	"time"
)

// NewOutageServer starts an API that answers 503 (RFC 9457 body, no
// Retry-After, as a load balancer with no healthy backend does) to every
// request that arrives in [from, from+length) after the server started, and
// 200 otherwise.
func NewOutageServer(horizon, from, length time.Duration) *Server {
	return newServer(horizon, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			if at := s.tl.Since(); at >= from && at < from+length {
				s.tl.Count(Unavailable)
				problem(w, http.StatusServiceUnavailable, 0)
				return
			}
			s.ok(w, r)
		})
	}, nil)
}
