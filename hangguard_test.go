package apierr

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

// Hang guards for the tests that wait on many goroutines. A hang on a
// loaded CI machine otherwise ends in go test's -timeout panic, which kills
// the whole binary and whose dump is easily lost; a guard fails only its
// test and prints every goroutine's stack first. They are exported to the
// tests of package apierr_test (this is a _test.go file: no public API).

// DumpGoroutines prints every goroutine's stack to stderr, headed by why.
func DumpGoroutines(t testing.TB, why string) {
	t.Helper()
	fmt.Fprintf(os.Stderr, "\n=== %s: %s; the stacks of every goroutine follow\n", t.Name(), why)
	_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
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
