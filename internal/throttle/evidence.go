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

// weigh completes seen, a fresh throttle at now of p while the learned rate
// m was in force, with what the sends tell: the sends since the gate opened
// up to p's (the fleet's when shared: the server limits the fleet), the
// limit estimated from them, and whether the learned rate was what held
// the callers back. Accepted and Window become those sends but the
// throttled one, over that time: what the server let through, as far as
// anyone knew when it throttled.
func (l *Limiter) weigh(m *learnedMirror, p Permit, now time.Time, seen Observed, closure time.Duration) Observed {
	end, ev := l.evidenceEnd(p, now, seen)
	held := l.heldWindow()
	all, allWhole := l.sendsUpTo(max(ev.Window, held), end, now)
	sends, whole := lastSlots(all, allWhole, ev.Window)
	seen.Evidence = sum(sends)
	seen.Window, seen.Accepted = ev.Window, max(0, seen.Evidence-1)
	if !whole {
		seen.Window = time.Duration(len(sends)) * sendSlot
	}
	seen.Limit = l.estimateLimit(m.st, sends, whole, end, seen, closure)
	recent, _ := lastSlots(all, allWhole, held)
	seen.Recent = max(0, sum(recent)-1) / l.heldCovered().Seconds()
	// The learned rate is on the store's clock.
	seen.Limiting = l.limitedBy(m.st, end.Add(-m.offset), recent)
	return seen
}

// heldWindow is how far back limitedBy looks.
func (l *Limiter) heldWindow() time.Duration { return max(l.learn.Doubling, 2*sendSlot) }

// heldCovered is the time the slots of the last heldWindow cover: a little
// more than the window, the first one having started before it.
func (l *Limiter) heldCovered() time.Duration { return (l.heldWindow()/sendSlot + 1) * sendSlot }

// limitedBy reports whether the learned rate st was what held the callers
// back up to at (the store's clock): over the last heldWindow, whose sends
// (the fleet's when shared) are recent, they sent at least keptUp times
// what it allowed. Only then is a throttle news about the rate the probe
// or the curve reached; callers that sent less ran into the limit (or a
// stray throttle) with their own demand.
func (l *Limiter) limitedBy(st RateState, at time.Time, recent []float64) bool {
	allowed := l.learn.rateAt(st, at) * l.heldCovered().Seconds()
	return allowed > 0 && sum(recent) >= keptUp*allowed
}

// lastSlots returns the slots of sends (oldest first, whole if they reach
// back to their window) that cover the last window, and whether they reach
// back that far.
func lastSlots(sends []float64, whole bool, window time.Duration) ([]float64, bool) {
	n := int(window/sendSlot) + 1
	if n < len(sends) {
		return sends[len(sends)-n:], true
	}
	return sends, whole && n == len(sends)
}

func sum(xs []float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
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

// addShare adds late, the answers of the server's burst that this process
// saw after its first throttle, to the learned rate's burst (the fleet's,
// when shared), while it still probes from the closure that ended at
// opened (our clock).
func (l *Limiter) addShare(late float64, opened time.Time) {
	if l.learn.Off {
		return
	}
	var offset time.Duration
	if m := l.learnedSt.Load(); m != nil {
		offset = m.offset
	}
	l.updateRate(func(s RateState, _ time.Time) RateState {
		s, _ = l.learn.withShare(s, late, opened.Add(-offset))
		return s
	})
}
