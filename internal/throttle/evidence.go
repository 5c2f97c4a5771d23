package throttle

import "time"

// evidenceEnd is where the evidence about the server's rate ends for a
// throttle seen at now: when the throttled request was sent, if the
// learned rate recorded it, rather than when its answer came back (the
// sends in between met a bucket already dry). seen is adjusted to match.
func (l *Limiter) evidenceEnd(p Permit, now time.Time, seen Observed) (time.Time, Observed) {
	if p.sent == 0 || p.sent > now.UnixNano() || p.sent < l.winStart.Load() {
		return now, seen
	}
	end := time.Unix(0, p.sent)
	seen.Window -= now.Sub(end)
	return end, seen
}

// limitedBy reports whether the learned rate st was what held this
// process's callers back up to now: over the last Doubling they sent at
// least keptUp times what it allowed. Only then is a throttle news about
// the rate the probe or the curve reached; callers that sent less ran into
// the limit (or a stray throttle) with their own demand.
func (l *Limiter) limitedBy(st RateState, now time.Time) bool {
	window := max(l.learn.Doubling, 2*sendSlot)
	// The slots cover a little more than window: the first one started
	// before it.
	covered := (window/sendSlot + 1) * sendSlot
	allowed := l.learn.rateAt(st, now) * covered.Seconds()
	return allowed > 0 && l.sendsBetween(now.Add(-window), now) >= keptUp*allowed
}

// sendsBetween counts this process's sends recorded in the slots from the
// one holding from to the one holding to.
func (l *Limiter) sendsBetween(from, to time.Time) float64 {
	sends, _ := l.sends.since(from, to)
	total := 0.0
	for _, n := range sends {
		total += n
	}
	return total
}

// keptUp is the share of the learned rate's allowance that callers held
// back by it send: a rate doubling every Doubling allowed twice in the
// last Doubling what it did before, so callers that kept up sent about
// 0.72 of it over that time; callers held back by a steady rate send all
// of it; callers with less to send than the rate allows send less.
const keptUp = 0.5

// burstSeen is what the server accepted before the first throttle (the
// one that turned the learned rate on) when that came within a second: the
// bucket running dry, so what it let through is its burst. It counts the
// answers that came back after the closure, which the throttle's own count
// (Observed.Accepted) misses when answers lag behind under load, and what
// the bucket refilled from when it ran dry until the closure: it sets
// l.burstSpan to the time from the window's start to the closure, for
// estimateLimit to take that out. 0: not known. l.mu is held.
func (l *Limiter) burstSeen() float64 {
	start := time.Unix(0, l.winStart.Load())
	if l.closedAt.Before(start) || l.closedAt.Sub(start) >= time.Second {
		l.burstSpan.Store(0)
		return 0
	}
	l.burstSpan.Store(int64(l.closedAt.Sub(start)))
	return float64(l.ok.Load() - l.winOK.Load())
}
