//go:build !race

package redisfleet

const raceDetector = false
