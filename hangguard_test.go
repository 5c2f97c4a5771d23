package apierr

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Hang guards for the tests that wait on many goroutines. A hang on a
// loaded CI machine otherwise ends in go test's -timeout panic, which kills
// the whole binary and whose dump is easily lost; a guard fails only its
// test and prints every goroutine's stack first. They are exported to the
// tests of package apierr_test (this is a _test.go file: no public API).

// guardDump is where the guards print the stacks: stderr, but for the
// guards' own tests.
var guardDump io.Writer = os.Stderr

// DumpGoroutines prints every goroutine's stack to stderr, headed by why.
func DumpGoroutines(t testing.TB, why string) {
	t.Helper()
	fmt.Fprintf(guardDump, "\n=== %s: %s; the stacks of every goroutine follow\n", t.Name(), why)
	_ = pprof.Lookup("goroutine").WriteTo(guardDump, 2)
}

// WaitProgress waits until done is closed. It fails t, after dumping every
// goroutine, only when progress (a counter of finished work) stands still
// for stall: a slow machine makes the wait longer, a hang makes it stop.
func WaitProgress(t testing.TB, done <-chan struct{}, stall time.Duration, progress func() int64, what string) {
	t.Helper()
	tick := time.NewTicker(min(time.Second, stall/4))
	defer tick.Stop()
	last, since := progress(), time.Now()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		if p := progress(); p != last {
			last, since = p, time.Now()
			continue
		}
		if time.Since(since) >= stall {
			DumpGoroutines(t, fmt.Sprintf("%s: no progress for %v", what, stall))
			t.Fatalf("%s: no progress for %v (stuck at %d): a hang; every goroutine's stack is on stderr", what, stall, last)
		}
	}
}

// WaitGroupWithin waits for wg, failing t with a dump of every goroutine
// when that takes longer than limit. limit is a hang's bound, far above
// what the work takes on a loaded machine.
func WaitGroupWithin(t testing.TB, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		DumpGoroutines(t, fmt.Sprintf("%s: still waiting after %v", what, limit))
		t.Fatalf("%s: still waiting after %v: a hang; every goroutine's stack is on stderr", what, limit)
	}
}

// guardTB is a testing.TB whose Fatalf ends only the guard's goroutine and
// records that it was called, for testing the guards themselves.
type guardTB struct {
	testing.TB
	failed chan string
}

func (g *guardTB) Fatalf(format string, args ...any) {
	g.failed <- fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runGuard runs guard with a guardTB and returns its Fatalf message, or ""
// when it returned.
func runGuard(t *testing.T, guard func(tb testing.TB)) string {
	g := &guardTB{TB: t, failed: make(chan string, 1)}
	done := make(chan struct{})
	go func() { defer close(done); guard(g) }()
	<-done
	select {
	case msg := <-g.failed:
		return msg
	default:
		return ""
	}
}

// catchDump sends the guards' stacks to a buffer for the rest of the test.
func catchDump(t *testing.T) *syncBuffer {
	var b syncBuffer
	guardDump = &b
	t.Cleanup(func() { guardDump = os.Stderr })
	return &b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWaitProgressTellsSlowFromStuck(t *testing.T) {
	dump := catchDump(t)
	// Slow: the work moves at every look, and ends after 20 looks, about
	// five times the stall bound: a fixed bound on the whole wait would
	// fail it.
	var looks atomic.Int64
	done := make(chan struct{})
	progress := func() int64 {
		if looks.Add(1) == 20 {
			close(done)
		}
		return looks.Load()
	}
	start := time.Now()
	assert.Empty(t, runGuard(t, func(tb testing.TB) {
		WaitProgress(tb, done, 40*time.Millisecond, progress, "slow work")
	}))
	assert.Greater(t, time.Since(start), 40*time.Millisecond, "the work outlasted the stall bound")
	assert.Empty(t, dump.String())

	// Stuck: no progress for the bound.
	msg := runGuard(t, func(tb testing.TB) {
		WaitProgress(tb, make(chan struct{}), 40*time.Millisecond, func() int64 { return 7 }, "stuck work")
	})
	assert.Contains(t, msg, "stuck work: no progress for 40ms (stuck at 7)")
	assert.Contains(t, dump.String(), "stuck work: no progress for 40ms; the stacks of every goroutine follow")
	assert.Contains(t, dump.String(), "hangguard_test.go", "the dump shows the goroutines")
}

func TestWaitGroupWithin(t *testing.T) {
	dump := catchDump(t)
	var wg sync.WaitGroup
	assert.Empty(t, runGuard(t, func(tb testing.TB) { WaitGroupWithin(tb, &wg, time.Minute, "nothing") }))

	wg.Add(1)
	msg := runGuard(t, func(tb testing.TB) { WaitGroupWithin(tb, &wg, 20*time.Millisecond, "a stuck worker") })
	assert.Contains(t, msg, "a stuck worker: still waiting after 20ms")
	assert.Contains(t, dump.String(), "sync.WaitGroup.Wait", "the dump shows the goroutine waiting")
	wg.Done()
}
