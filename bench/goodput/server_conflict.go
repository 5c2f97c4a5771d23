package goodput

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
)

// exosConflict is the body exos sends with 400241: its error shape, with
// the catalogue's description as the message.
var exosConflict = func() []byte {
	b, err := json.Marshal(map[string]any{
		"ErrorCode": int(exos.ConcurrencyError),
		"Message":   exos.ConcurrencyError.Info().Description,
	})
	if err != nil {
		panic(err) // a fixed map of a string and an int always encodes
	}
	return b
}()

// NewConflictServer starts an exos-like API that takes service to handle a
// write and refuses one with exos 400241 (concurrency error, in exos's
// error body and status) while maxInFlight requests are already being
// handled for the same resource (the same path).
func NewConflictServer(horizon time.Duration, maxInFlight int, service time.Duration) *Server {
	status := apierrtest.StatusFor(exos.ConcurrencyError)
	return newServer(horizon, func(s *Server) http.Handler {
		var inFlight sync.Map // path → *atomic.Int32
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			v, _ := inFlight.LoadOrStore(r.URL.Path, new(atomic.Int32))
			n := v.(*atomic.Int32)
			if n.Add(1) > int32(maxInFlight) {
				n.Add(-1)
				s.tl.Count(Conflict)
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(status)
				_, _ = w.Write(exosConflict)
				return
			}
			time.Sleep(service)
			n.Add(-1)
			s.ok(w, r)
		})
	}, nil)
}
