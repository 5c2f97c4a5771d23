// Package benchcpu adds a CPU-time metric to the module's benchmarks. The
// machine they run on is shared: other processes stretch wall time (ns/op)
// by whatever they take, but barely change the CPU time the benchmark's own
// process uses per operation.
package benchcpu

import "testing"

// Start returns a function that reports, as "cpu-ns/op", the CPU time (user
// and system, every thread: GC and loopback servers included) the process
// used per operation since Start. Call Start after any setup and the
// returned function after the b.N loop. Where the platform gives no process
// CPU time, nothing is reported.
func Start(b *testing.B) func() {
	start, ok := processCPU()
	if !ok {
		return func() {}
	}
	return func() {
		end, _ := processCPU()
		if b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
