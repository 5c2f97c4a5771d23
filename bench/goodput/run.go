package goodput

import (
	"context"
	"slices"
	"time"
)

// Result is one run of one client in one scenario, or the median of
// several (Runs > 1).
type Result struct {
	Scenario string `json:"scenario"`
	Client   string `json:"client"`
	Runs     int    `json:"runs"`     // how many runs this is the median of
	CutRuns  int    `json:"cut_runs"` // how many of them the cut ended

	// What the caller saw.
	Calls       int           `json:"calls"`
	OK          int           `json:"ok"`
	Failed      int           `json:"failed"` // calls - ok: errors, and calls the cut left unstarted
	Wall        time.Duration `json:"wall_ns"`
	Ideal       time.Duration `json:"ideal_ns"`
	P50         time.Duration `json:"p50_ns"`
	P99         time.Duration `json:"p99_ns"`
	OKPerSecond float64       `json:"ok_per_second"`

	// What the server saw.
	Server        Bucket `json:"server"`
	Rejected      int64  `json:"rejected"` // the scenario's rejections: 429s, 400241s, 503s or 401s
	TokenRequests int64  `json:"token_requests"`
	// The outage scenario: calls due during the outage, and requests the
	// server received during it (it answered each with 503).
	ArrivedInOutage int   `json:"arrived_in_outage"`
	SentInOutage    int64 `json:"sent_in_outage"`

	// Buckets is the server's count per 100 ms, of the run whose wall time
	// is the median.
	Buckets []Bucket `json:"buckets"`
}

// Run runs client c in scenario s once, against a server of its own.
func Run(ctx context.Context, s Scenario, c Client) (Result, error) {
	if err := s.validate(); err != nil {
		return Result{}, err
	}
	srv := s.server()
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	setup := s.setup(srv)
	caller, err := c.New(setup)
	if err != nil {
		return Result{}, err
	}
	r := Result{Scenario: s.Name, Client: c.Label(setup), Runs: 1, Ideal: s.Ideal}

	var (
		samples []sample
		cut     bool
		t0      = time.Now()
	)
	switch s.Load {
	case Closed:
		samples, cut = runClosed(ctx, s, caller)
	case Open:
		t0 = srv.Timeline().Start()
		samples = runOpen(ctx, s, caller, t0)
	case Timed:
		samples = runTimed(ctx, s, caller)
	}
	r.Wall = time.Since(t0)
	caller.Close()
	// Close waits for the handlers still running, so the counts are final.
	srv.Close()
	closed = true
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}

	if cut {
		r.CutRuns = 1
	}
	r.Calls = len(samples)
	var lat []time.Duration
	for _, sm := range samples {
		if !sm.started {
			continue
		}
		lat = append(lat, sm.latency)
		if sm.ok {
			r.OK++
		}
		if s.OutageLen > 0 && sm.arrival >= s.OutageFrom && sm.arrival < s.OutageFrom+s.OutageLen {
			r.ArrivedInOutage++
		}
	}
	r.Failed = r.Calls - r.OK
	slices.Sort(lat)
	r.P50, r.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	if r.Wall > 0 {
		r.OKPerSecond = float64(r.OK) / r.Wall.Seconds()
	}
	r.Buckets = srv.Timeline().Buckets()
	r.Server = Total(r.Buckets)
	r.Rejected = s.rejected(r.Server)
	r.TokenRequests = srv.TokenRequests()
	if s.OutageLen > 0 {
		r.SentInOutage = r.Server.Unavailable
	}
	return r, nil
}

// rejected picks the scenario's rejections out of the server's counts.
func (s Scenario) rejected(b Bucket) int64 {
	switch s.Rejection {
	case "429":
		return b.Throttled
	case "503":
		return b.Unavailable
	case "400241":
		return b.Conflict
	case "401":
		return b.Unauthorized
	}
	return 0
}

// percentile is the nearest-rank percentile of sorted durations; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Median folds runs of one client in one scenario into one Result: each
// figure is the median of the runs' (the lower middle one for an even
// count), and Buckets are those of the run with the median wall time (for
// a throughput scenario, the median ok calls a second).
func Median(runs []Result) Result {
	if len(runs) == 0 {
		return Result{}
	}
	m := runs[0]
	m.Runs = len(runs)
	m.CutRuns = 0
	for _, r := range runs {
		m.CutRuns += r.CutRuns
	}
	mid := (len(runs) - 1) / 2
	med := func(f func(Result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[mid]
	}
	medInt := func(f func(Result) int64) int64 { return int64(med(func(r Result) float64 { return float64(f(r)) })) }

	m.Calls = int(medInt(func(r Result) int64 { return int64(r.Calls) }))
	m.OK = int(medInt(func(r Result) int64 { return int64(r.OK) }))
	m.Failed = int(medInt(func(r Result) int64 { return int64(r.Failed) }))
	m.Wall = time.Duration(medInt(func(r Result) int64 { return int64(r.Wall) }))
	m.P50 = time.Duration(medInt(func(r Result) int64 { return int64(r.P50) }))
	m.P99 = time.Duration(medInt(func(r Result) int64 { return int64(r.P99) }))
	m.OKPerSecond = med(func(r Result) float64 { return r.OKPerSecond })
	m.Rejected = medInt(func(r Result) int64 { return r.Rejected })
	m.TokenRequests = medInt(func(r Result) int64 { return r.TokenRequests })
	m.ArrivedInOutage = int(medInt(func(r Result) int64 { return int64(r.ArrivedInOutage) }))
	m.SentInOutage = medInt(func(r Result) int64 { return r.SentInOutage })
	m.Server = Bucket{
		Requests:     medInt(func(r Result) int64 { return r.Server.Requests }),
		OK:           medInt(func(r Result) int64 { return r.Server.OK }),
		Throttled:    medInt(func(r Result) int64 { return r.Server.Throttled }),
		Unavailable:  medInt(func(r Result) int64 { return r.Server.Unavailable }),
		Conflict:     medInt(func(r Result) int64 { return r.Server.Conflict }),
		Unauthorized: medInt(func(r Result) int64 { return r.Server.Unauthorized }),
	}

	// The representative run: the one whose key figure is the median.
	key := func(r Result) float64 { return float64(r.Wall) }
	if m.Ideal == 0 {
		key = func(r Result) float64 { return r.OKPerSecond }
	}
	want := med(key)
	for _, r := range runs {
		if key(r) == want {
			m.Buckets = r.Buckets
			break
		}
	}
	return m
}
