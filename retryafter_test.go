package apierr

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzRetryAfter feeds the Retry-After parser every header form: it never
// panics, never returns a negative wait, and reads delta-seconds and integer milliseconds exactly.
func FuzzRetryAfter(f *testing.F) {
	const date = "Sun, 01 Mar 2026 12:00:00 GMT"
	seeds := [][3]string{ // Retry-After, retry-after-ms, Date
		{"120", "", ""},
		{"0", "", ""},
		{"-1", "", ""},
		{"1.5", "", ""},
		{"99999999999999999999", "", ""},
		{"1e308", "", ""},
		{"NaN", "", ""},
		{"Inf", "", ""},
		{"Sun, 01 Mar 2026 12:00:07 GMT", "", date},
		{"Sunday, 01-Mar-26 12:00:07 GMT", "", date},
		{"Sun Mar  1 12:00:07 2026", "", date},
		{"Sun, 01 Mar 2026 11:00:00 GMT", "", date},
		{"Fri, 31 Dec 9999 23:59:59 GMT", "", "Mon, 01 Jan 0001 00:00:00 GMT"},
		{"Sun, 01 Mar 2026 12:00:07 GMT", "", "garbage"},
		{"", "1500", ""},
		{"", "-5", ""},
		{"120", "-5", ""}, // an invalid milliseconds header is ignored
		{"120", "NaN", ""},
		{"", "1e400", ""},
		{"3", "250.5", ""},
		{"soon", "", ""},
		{" 7 ", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, retryAfterValue, ms, date string) {
		h := http.Header{}
		if retryAfterValue != "" {
			h.Set("Retry-After", retryAfterValue)
		}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		if date != "" {
			h.Set("Date", date)
		}
		d, ok := retryAfter(h, now)
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, h)
		}
		if !ok && d != 0 {
			t.Fatalf("wait %v without ok for %q", d, h)
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(ms), 10, 32); err == nil {
			if !ok || d != time.Duration(n)*time.Millisecond {
				t.Fatalf("Retry-After-Ms %q: got %v, %v; want %dms", ms, d, ok, n)
			}
			return
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && f >= 0 {
			return // a valid milliseconds header wins; a negative or NaN one is ignored
		}
		v := strings.TrimSpace(retryAfterValue)
		if n, err := strconv.ParseUint(v, 10, 32); err == nil && v != "" {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("Retry-After %q: got %v, %v; want %ds", v, d, ok, n)
			}
		}
	})
}
