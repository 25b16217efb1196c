package zuora

import "time"

// temporary: replaced by pacing.go's peek at merge.
//
// peek reports, changing nothing, whether an attempt sent now would wait: until when (zero: until
// something changes), why ("" when it would go at once), the Zuora-Request-Id of the answer that
// reported the limit, and a channel closed at the pacer's next change.
//
// It follows blockedLocked without its one change of state (forgetting a
// rate window that has reset).
func (p *pacer) peek() (until time.Time, cause, requestID string, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	changed = p.changed
	switch {
	case now.Before(p.holdUntil):
		return p.holdUntil, p.holdCause, p.holdRequestID, changed
	case p.rateKnown && now.Before(p.rateResetAt) && p.rateRemaining-p.spentSinceLocked() <= 0:
		return p.rateResetAt, "Zuora's rate limit for the tenant is used up (RateLimit-Remaining: 0)", p.rateRequestID, changed
	case p.concKnown && p.concRemaining <= 0 && p.inFlight > 0:
		return time.Time{}, "Zuora's concurrency limit for the tenant is reached (Concurrency-Limit-Remaining: 0)", "", changed
	}
	return time.Time{}, "", "", changed
}
