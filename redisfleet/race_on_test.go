//go:build race

package redisfleet

// raceDetector: the race detector slows every process several times over,
// so the timing budgets of the multi-process tests are not checked under it.
const raceDetector = true
