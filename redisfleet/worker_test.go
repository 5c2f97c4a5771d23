package redisfleet

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accessapi/apierr"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// A worker is this test binary run again with workerEnv set: one process of
// the fleet. It reads its job from the environment, makes its calls through
// an apierr client with the fleet, and prints a workerReport as JSON.
// Between phases it prints "phase N done" and waits for a line on stdin, so
// the parent can act on every worker at once (revoke, then let them go on).
const workerEnv = "APIERR_FLEET_WORKER"

// workerJob is what the parent tells a worker.
type workerJob struct {
	Kind     string        // "tapkey", "exos" or "plain" (no auth: the shared limits' tests)
	Base     string        // the fake's base URL
	TokenURL string        // tapkey: the token endpoint (maybe a proxy)
	ClientID string        // tapkey
	Secret   string        // tapkey
	User     string        // exos
	Password string        // exos
	APIKey   string        // exos
	Login    string        // exos
	Logout   string        // exos
	Redis    string        // redis-server's unix socket
	Key      string        // the fleet key, hex
	Calls    int           // calls per phase
	Phases   int           // phases, with a barrier after each
	Every    time.Duration // pause between calls
	Deadline time.Duration // per call
	// OpTimeout is the fleet's deadline per Redis operation: generous where
	// a test counts token requests (a loaded machine must not make a worker
	// act alone), the default where it measures Redis trouble.
	OpTimeout time.Duration

	// The shared limits' tests.
	Conc        int     // goroutines sharing each phase's calls; 0 or 1: one, pausing Every
	RateLimit   float64 // WithRateLimit(RateLimit, Burst) when positive
	Burst       int
	MaxInFlight int  // WithMaxInFlight when positive
	Ready       bool // print "ready" and wait for a line before the first phase
	OwnLimits   bool // hide FleetLimits: each process keeps its own limits (the baseline)
}

// tokensOnly is a Fleet without FleetLimits.
type tokensOnly struct{ apierr.Fleet }

// workerReport is what a worker prints.
type workerReport struct {
	OK, Failed int
	Errors     []string
	Latencies  []time.Duration
	Elapsed    time.Duration // the phases' calls, barriers left out
	// TokenFallbacks counts the token steps this worker took alone because
	// the fleet failed it (Observer.FleetFallback, feature "token"): on a
	// loaded machine a Redis call can miss its deadline, and the worker then
	// asks for a token of its own, as designed.
	TokenFallbacks int
}

// fallbackCounter counts a client's fleet fallbacks for the token.
type fallbackCounter struct {
	apierr.NopObserver
	token atomic.Int64
}

func (f *fallbackCounter) FleetFallback(_ context.Context, e apierr.FleetFallbackEvent) {
	if e.Feature == "token" {
		f.token.Add(1)
	}
}

func runWorker() {
	var job workerJob
	if err := json.Unmarshal([]byte(os.Getenv(workerEnv)), &job); err != nil {
		fmt.Fprintln(os.Stderr, "worker: bad job:", err)
		os.Exit(2)
	}
	rep, err := job.run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(2)
	}
	b, _ := json.Marshal(rep)
	fmt.Println("report " + string(b))
	os.Exit(0)
}

func (job workerJob) run() (*workerReport, error) {
	key, err := hex.DecodeString(job.Key)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewClient(ClientOptions("unix", job.Redis))
	defer rdb.Close()
	fleet, err := New(rdb, key, WithBreaker(3, 500*time.Millisecond), WithOpTimeout(job.OpTimeout))
	if err != nil {
		return nil, err
	}
	var shared apierr.Fleet = fleet
	if job.OwnLimits {
		shared = tokensOnly{fleet}
	}
	opts := []apierr.Option{apierr.WithBaseURL(job.Base), apierr.WithFleet(shared)}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts = append(opts, apierr.WithLogger(log))
	fallbacks := &fallbackCounter{}
	opts = append(opts, apierr.WithObserver(fallbacks))
	path := "Owners/o-1/BoundLocks"
	switch job.Kind {
	case "tapkey":
		opts = append(opts, apierr.WithClientCredentials(&clientcredentials.Config{
			ClientID: job.ClientID, ClientSecret: job.Secret, TokenURL: job.TokenURL, AuthStyle: oauth2.AuthStyleInHeader,
		}))
	case "plain":
		path = "items"
	case "exos":
		path = "ExosApi/api/v1.0/persons"
		opts = append(opts, apierr.WithExosSession(apierr.ExosSession{
			LoginURL: job.Login, LogoutURL: job.Logout, APIKey: job.APIKey,
			UserName: job.User, Password: job.Password,
		}))
	}
	if job.RateLimit > 0 {
		opts = append(opts, apierr.WithRateLimit(job.RateLimit, job.Burst))
	}
	if job.MaxInFlight > 0 {
		opts = append(opts, apierr.WithMaxInFlight(job.MaxInFlight))
	}
	client, err := apierr.New(opts...)
	if err != nil {
		return nil, err
	}
	rep := &workerReport{}
	in := bufio.NewScanner(os.Stdin)
	if job.Ready {
		fmt.Println("ready")
		if !in.Scan() {
			return nil, fmt.Errorf("stdin closed before the start")
		}
	}
	var mu sync.Mutex
	call := func() {
		ctx, cancel := context.WithTimeout(context.Background(), job.Deadline)
		start := time.Now()
		req, err := client.NewRequest(ctx, http.MethodGet, path, nil)
		if err == nil {
			_, err = client.Do(req, io.Discard)
		}
		cancel()
		took := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		rep.Latencies = append(rep.Latencies, took)
		if err != nil {
			rep.Failed++
			if len(rep.Errors) < 5 {
				rep.Errors = append(rep.Errors, err.Error())
			}
		} else {
			rep.OK++
		}
	}
	for phase := 1; phase <= max(job.Phases, 1); phase++ {
		start := time.Now()
		if job.Conc <= 1 {
			for i := 0; i < job.Calls; i++ {
				call()
				time.Sleep(job.Every)
			}
		} else {
			calls := make(chan struct{}, job.Calls)
			for i := 0; i < job.Calls; i++ {
				calls <- struct{}{}
			}
			close(calls)
			var wg sync.WaitGroup
			for g := 0; g < job.Conc; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range calls {
						call()
					}
				}()
			}
			wg.Wait()
		}
		rep.Elapsed += time.Since(start)
		fmt.Println("phase " + strconv.Itoa(phase) + " done")
		if !in.Scan() {
			return nil, fmt.Errorf("stdin closed before phase %d", phase+1)
		}
	}
	if err := client.Close(); err != nil {
		rep.Errors = append(rep.Errors, "close: "+err.Error())
	}
	rep.TokenFallbacks = int(fallbacks.token.Load())
	return rep, nil
}

// worker is a running worker process.
type worker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{}
	rep   *workerReport
}

// startWorker runs job in a new process of this test binary.
func startWorker(t *testing.T, job workerJob) *worker {
	t.Helper()
	b, err := json.Marshal(job)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	w := &worker{cmd: cmd, lines: make(chan string, 16), done: make(chan struct{})}
	w.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if r, ok := strings.CutPrefix(line, "report "); ok {
				w.rep = new(workerReport)
				_ = json.Unmarshal([]byte(r), w.rep)
				continue
			}
			w.lines <- line
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return w
}

// awaitLine waits for the worker to print want.
func (w *worker) awaitLine(t *testing.T, want string, d time.Duration) {
	t.Helper()
	select {
	case line := <-w.lines:
		require.Equal(t, want, line)
	case <-w.done:
		t.Fatalf("worker exited before %q", want)
	case <-time.After(d):
		t.Fatalf("worker did not print %q within %v", want, d)
	}
}

// proceed lets the worker go on to its next phase (or close).
func (w *worker) proceed(t *testing.T) {
	t.Helper()
	_, err := io.WriteString(w.stdin, "go\n")
	require.NoError(t, err)
}

// finish waits for the worker's report.
func (w *worker) finish(t *testing.T, d time.Duration) *workerReport {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(d):
		t.Fatalf("worker did not finish within %v", d)
	}
	require.NoError(t, w.cmd.Wait())
	require.NotNil(t, w.rep, "no report")
	return w.rep
}

// runPhases runs the workers through every phase together: after each
// phase, between(phase) runs once all have reached the barrier.
func runPhases(t *testing.T, ws []*worker, phases int, between func(phase int)) []*workerReport {
	t.Helper()
	for p := 1; p <= phases; p++ {
		for _, w := range ws {
			w.awaitLine(t, "phase "+strconv.Itoa(p)+" done", 60*time.Second)
		}
		if between != nil {
			between(p)
		}
		for _, w := range ws {
			w.proceed(t)
		}
	}
	reps := make([]*workerReport, len(ws))
	for i, w := range ws {
		reps[i] = w.finish(t, 30*time.Second)
	}
	return reps
}

// totals sums the reports and returns every latency, sorted.
func totals(reps []*workerReport) (ok, failed int, errs []string, lat []time.Duration) {
	for _, r := range reps {
		ok += r.OK
		failed += r.Failed
		errs = append(errs, r.Errors...)
		lat = append(lat, r.Latencies...)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return ok, failed, errs, lat
}

func quantile(lat []time.Duration, q float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[min(len(lat)-1, int(q*float64(len(lat))))]
}
