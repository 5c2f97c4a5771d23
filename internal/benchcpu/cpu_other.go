//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package benchcpu

// processCPU reports that this platform's process CPU time is not read.
func processCPU() (int64, bool) { return 0, false }
