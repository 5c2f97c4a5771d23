package throttle

import (
	"sync"
	"time"
)

// sendLog counts the requests sent per slot over the last few seconds, for
// estimating the server's rate at a throttle. Only the slow path (the
// learned rate in force) records sends.
type sendLog struct {
	mu    sync.Mutex
	slots [sendSlots]struct {
		at int64 // slot number (unix ns / sendSlot) the count belongs to
		n  float64
	}
}

const (
	sendSlot  = 5 * time.Millisecond
	sendSlots = 512
)

func (s *sendLog) add(now time.Time) {
	k := now.UnixNano() / int64(sendSlot)
	s.mu.Lock()
	e := &s.slots[k%sendSlots]
	if e.at != k {
		e.at, e.n = k, 0
	}
	e.n++
	s.mu.Unlock()
}

// since returns the counts of the slots from the one holding from to the
// one holding now, oldest first, at most sendSlots of them, and whether
// they reach back to from.
func (s *sendLog) since(from, now time.Time) ([]float64, bool) {
	first, last := from.UnixNano()/int64(sendSlot), now.UnixNano()/int64(sendSlot)
	whole := true
	if last-first >= sendSlots {
		first, whole = last-sendSlots+1, false
	}
	if last < first {
		return nil, whole
	}
	out := make([]float64, 0, last-first+1)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := first; k <= last; k++ {
		e := &s.slots[k%sendSlots]
		if e.at == k {
			out = append(out, e.n)
		} else {
			out = append(out, 0)
		}
	}
	return out, whole
}
