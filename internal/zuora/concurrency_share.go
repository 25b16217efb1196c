package zuora

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// The concurrency gate: how many attempts a client has in flight against
// Zuora's concurrency limit, which every pipeline of the tenant shares.
//
// Zuora asks a request refused for its concurrency limit to wait two
// minutes (Retry-After: 120), and the pacer holds every attempt for that
// wait: one refusal costs more than all the slots the gate could save. So
// the gate keeps a window, how many of its own may be in flight, and
// fills no slot it cannot account for:
//
//   - Until Zuora's first answer the window is firstWave: the limit and
//     what others have in flight are unknown.
//   - An answer's Concurrency-Limit-Remaining is already old when it
//     arrives: attempts sent since, this client's and others', are not in
//     it. The gate counts the free slots from what it knows now instead:
//     the limit, less its own in flight now, less the most that an answer
//     of the latest round said others had in flight (the limit, less what
//     was free, less its own in flight then), less the slots others are
//     about to fill again (a quarter of theirs, and one).
//   - The window grows once a round (a round: the time the answered
//     attempt took), by at most what it was (TCP's slow start: it at most
//     doubles), and by at most its share of the free slots
//     (concurrencyShare): beside others half of them, since they count the
//     same slots and grow in the same round; alone (no answer yet said
//     another had requests in flight) all but one, left for the first
//     request of a pipeline that comes next. It shrinks at any answer
//     that counts fewer free slots than it leaves.
//   - Never more than Concurrency-Limit-Limit of its own in flight. With
//     none of its own in flight and a window of none, no answer is to
//     come: one goes a round later.
//
// An answer without the headers (Zuora's error answers have none) leaves
// the window as it is.

// firstWave is the window before Zuora's first answer: Terraform's
// default parallelism, a quarter of Zuora's default limit of 40, so that
// two pipelines starting at once fit beside others.
const firstWave = 10

// othersInFlight is what one answer said others had in flight.
type othersInFlight struct {
	at time.Time
	n  int
}

// concurrencyGateLocked says whether one more attempt would pass the gate
// at now, and if not until when it waits (zero: until an answer).
func (p *pacer) concurrencyGateLocked(now time.Time) gate {
	own := len(p.inFlight)
	full := false
	var until time.Time
	switch {
	case p.firstWave > 0 && !p.answered:
		full = own >= max(p.firstWave, 1)
	case p.concLimit > 0 && own >= p.concLimit:
		full = true
	case !p.concKnown || own < p.concWindow:
	case own == 0:
		full, until = now.Before(p.roundEnd), p.roundEnd
	default:
		full = true
	}
	if !full {
		return gate{}
	}
	return gate{until: until, cause: fmt.Sprintf("Zuora's concurrency limit for the tenant is reached "+
		"(Concurrency-Limit-Remaining: %d at the latest answer, less what this client and others sent since)", p.concFree)}
}

// concurrencyAnsweredLocked accounts for an answer's headers, at now, to
// an attempt sent at sentAt and already out of p.inFlight.
func (p *pacer) concurrencyAnsweredLocked(h http.Header, now, sentAt time.Time) {
	if n, ok := parseCount(h.Get("Concurrency-Limit-Limit")); ok && n > 0 {
		p.concLimit = n
	}
	free, ok := parseCount(h.Get("Concurrency-Limit-Remaining"))
	if !ok {
		return
	}
	if !p.concKnown {
		p.concKnown, p.concWindow = true, max(p.firstWave, 1)
	}
	p.concFree = free
	own := len(p.inFlight)
	if p.concLimit > 0 {
		// The latest round: the answers since this attempt went.
		p.othersSeen = slices.DeleteFunc(p.othersSeen, func(o othersInFlight) bool { return o.at.Before(sentAt) })
		p.othersSeen = append(p.othersSeen, othersInFlight{at: now, n: max(p.concLimit-free-own, 0)})
		others := 0
		for _, o := range p.othersSeen {
			others = max(others, o.n)
		}
		p.concOthers = p.concOthers || others > 0
		if others > 0 {
			others += (others+3)/4 + 1 // theirs about to be sent again
		}
		free = min(free, p.concLimit-own-others)
	}
	window := min(own+concurrencyShare(free, p.concOthers), 2*max(p.concWindow, 1))
	if now.Before(p.roundEnd) {
		p.concWindow = min(p.concWindow, max(window, 0)) // shrink only
		return
	}
	p.concWindow = max(window, 0)
	p.roundEnd = now.Add(max(now.Sub(sentAt), time.Millisecond))
}

// concurrencyShare is how many of free slots a client may take, beside
// others or alone; less than none when it has more than its share.
func concurrencyShare(free int, others bool) int {
	if others {
		if free < 0 {
			return free
		}
		return free / 2
	}
	return free - 1
}
