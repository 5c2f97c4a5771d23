package throttle

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

// waitGroupWithin waits for wg, failing t when that takes longer than
// limit, a hang's bound far above what the work takes on a loaded machine.
// It prints every goroutine's stack first: go test's -timeout panic would
// end the whole binary, and its dump is easily lost.
func waitGroupWithin(t testing.TB, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		fmt.Fprintf(os.Stderr, "\n=== %s: %s: still waiting after %v; the stacks of every goroutine follow\n", t.Name(), what, limit)
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		t.Fatalf("%s: still waiting after %v: a hang; every goroutine's stack is on stderr", what, limit)
	}
}
