package apierr

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter reads how long the server asked us to wait, from
// retry-after-ms, x-ms-retry-after-ms (milliseconds) or Retry-After
// (delta-seconds or an HTTP date). An HTTP date is measured against the
// response's own Date header when it has one, so that a skewed server clock
// cancels out; otherwise against now. A date in the past means 0. A value
// that is no wait at all (negative, not a number, or too long for a
// time.Duration: "99999999999999999999" would read as 292 years) is
// ignored, as if the header were missing.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if len(h) == 0 {
		return 0, false
	}
	for _, k := range [...]string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := h.Get(k); v != "" {
			if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 {
				if d, ok := waitOf(ms * float64(time.Millisecond)); ok {
					return d, true
				}
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return waitOf(secs * float64(time.Second))
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	if !at.After(now) {
		return 0, true
	}
	if d := at.Sub(now); d < math.MaxInt64 { // Sub saturates: a date past year 2262
		return d, true
	}
	return 0, false
}

// waitOf converts nanoseconds to a Duration; false when ns is not a wait a
// Duration can hold (NaN, infinite, 292 years or more).
func waitOf(ns float64) (time.Duration, bool) {
	switch {
	case math.IsNaN(ns) || ns >= math.MaxInt64:
		return 0, false
	case ns <= 0:
		return 0, true
	}
	return time.Duration(ns), true
}
