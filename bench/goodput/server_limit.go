package goodput

import (
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// NewLimitServer starts an API that admits perSecond requests a second with
// the given burst (a token bucket) and answers the rest with 429, with
// Retry-After when retryAfter is positive (whole seconds).
func NewLimitServer(horizon time.Duration, perSecond float64, burst int, retryAfter time.Duration) *Server {
	return newServer(horizon, func(s *Server) http.Handler {
		lim := rate.NewLimiter(rate.Limit(perSecond), burst)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			if !lim.Allow() {
				s.tl.Count(Throttled)
				problem(w, http.StatusTooManyRequests, retryAfter)
				return
			}
			s.ok(w, r)
		})
	}, nil)
}
