package goodput

import (
	"sync/atomic"
	"time"
)

// BucketWidth is the span of one Timeline bucket.
const BucketWidth = 100 * time.Millisecond

// Outcome is how a fake server answered one request.
type Outcome int

// The outcomes a Timeline counts. Every request gets exactly one.
const (
	OK           Outcome = iota // 2xx
	Throttled                   // 429
	Unavailable                 // 503
	Conflict                    // exos 400241
	Unauthorized                // 401: no token, or an expired or unknown one
	numOutcomes
)

// Bucket is what a server received during one BucketWidth.
type Bucket struct {
	Requests     int64 `json:"requests,omitempty"`
	OK           int64 `json:"ok,omitempty"`
	Throttled    int64 `json:"throttled_429,omitempty"`
	Unavailable  int64 `json:"unavailable_503,omitempty"`
	Conflict     int64 `json:"conflict_400241,omitempty"`
	Unauthorized int64 `json:"unauthorized_401,omitempty"`
}

// add sums b into a.
func (a *Bucket) add(b Bucket) {
	a.Requests += b.Requests
	a.OK += b.OK
	a.Throttled += b.Throttled
	a.Unavailable += b.Unavailable
	a.Conflict += b.Conflict
	a.Unauthorized += b.Unauthorized
}

// Timeline counts a server's answers per BucketWidth since its start. The
// counters are atomic and preallocated, so that counting costs the fake
// server no lock under tens of thousands of requests a second; an answer
// after the horizon goes to the last bucket.
type Timeline struct {
	start   time.Time
	now     func() time.Time
	buckets [][numOutcomes]atomic.Int64
}

// NewTimeline starts a timeline now with room for horizon.
func NewTimeline(horizon time.Duration) *Timeline {
	n := int(horizon/BucketWidth) + 1
	return &Timeline{start: time.Now(), now: time.Now, buckets: make([][numOutcomes]atomic.Int64, n)}
}

// Start is when the timeline's first bucket begins.
func (t *Timeline) Start() time.Time { return t.start }

// Since is the time elapsed since Start.
func (t *Timeline) Since() time.Duration { return t.now().Sub(t.start) }

// Count records one answer at the current time.
func (t *Timeline) Count(o Outcome) {
	i := int(t.Since() / BucketWidth)
	if i < 0 {
		i = 0
	}
	if i >= len(t.buckets) {
		i = len(t.buckets) - 1
	}
	t.buckets[i][o].Add(1)
}

// Buckets returns the counts so far, up to the last bucket that holds any.
func (t *Timeline) Buckets() []Bucket {
	out := make([]Bucket, len(t.buckets))
	last := -1
	for i := range t.buckets {
		c := &t.buckets[i]
		b := Bucket{
			OK:           c[OK].Load(),
			Throttled:    c[Throttled].Load(),
			Unavailable:  c[Unavailable].Load(),
			Conflict:     c[Conflict].Load(),
			Unauthorized: c[Unauthorized].Load(),
		}
		b.Requests = b.OK + b.Throttled + b.Unavailable + b.Conflict + b.Unauthorized
		if b.Requests > 0 {
			last = i
		}
		out[i] = b
	}
	return out[:last+1]
}

// Total sums buckets.
func Total(buckets []Bucket) Bucket {
	var t Bucket
	for _, b := range buckets {
		t.add(b)
	}
	return t
}
