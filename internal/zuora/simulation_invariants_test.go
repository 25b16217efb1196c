package zuora

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// simInvariant is one named check of a simulated run: it returns its
// violations, each a sentence that says what happened and when (virtual
// time since the run's start, "+1m2s").
type simInvariant struct {
	name  string
	says  string
	check func(*simRun) []string
}

// simInvariants are checked after every run, in this order. That no
// goroutine is left is synctest's to check: a run whose goroutines do not
// all end fails as a deadlock of its seed's subtest.
var simInvariants = []simInvariant{
	{"inflight-limit", "never more of this client's requests in flight than Concurrency-Limit-Limit", simCheckInFlight},
	{"fifo-admission", "a request waiting for a slot is sent before a later one", simCheckFIFO},
	{"deadline-wait", "no wait the server asked for runs into the deadline without a WaitError", simCheckDeadline},
	{"rate-counts-sent", "the rate window counts only attempts that were sent", simCheckRateCounts},
	{"read-truth", "every read returns the model's truth or an error, never a stale set after this client's write", simCheckTruth},
	{"list-pages-asked", "list pages ≤ min(⌈S/40⌉+3, reads asked of the listing+3) plus failed pages", simCheckPagesAsked},
	{"list-pages", "list pages ≤ min(⌈S/40⌉+3, GETs replaced+3) plus failed pages", simCheckPages},
	{"no-false-repeat", "pages shifted by creates and deletes never fail a listing as repeated", simCheckRepeat},
	{"valid-token-used", "no call fails for want of a token while the latest token is still valid", simCheckTokenServed},
	{"no-secret", "no client secret or token in any error or log line", simCheckSecrets},
}

// at is t as virtual time since the run's start.
func (r *simRun) at(t time.Time) string { return "+" + t.Sub(r.model.start).String() }

// api reports whether q is a request of the API (not a token call, not the
// other pipeline's act).
func (q *simRequest) api() bool { return q.route != "token" && q.route != "foreign" }

// holdType reports whether q's answer asked to come back later: a 429 or a
// 503 with Retry-After, or a spent window.
func (q *simRequest) holdType() bool { return !q.holdUntil.IsZero() && !q.cut && !q.lost }

// opRequests are the requests op caused, token calls included, in arrival order.
func (r *simRun) opRequests(op *simOp) []*simRequest {
	var out []*simRequest
	for _, q := range r.model.requests {
		if q.op == op {
			out = append(out, q)
		}
	}
	return out
}

func simCheckInFlight(r *simRun) []string {
	var v []string
	for _, q := range r.model.requests {
		if q.api() && q.knownLimit > 0 && q.ownInFlight > q.knownLimit {
			v = append(v, fmt.Sprintf("at %s %s %s was this client's request number %d in flight; the latest Concurrency-Limit-Limit it had was %d",
				r.at(q.arrived), q.method, q.path, q.ownInFlight, q.knownLimit))
		}
	}
	return v
}

// calm reports whether nothing but the concurrency gate could have held a
// request from from to to: no answer asking to come back later (nor its
// spread after), no rate window ending, no token call under way or failed.
func (r *simRun) calm(from, to time.Time) bool {
	w := r.faults.rateWindow
	if from.Sub(r.model.start)/w != to.Sub(r.model.start)/w {
		return false
	}
	for _, q := range r.model.requests {
		if q.arrived.After(to) {
			break
		}
		if q.holdType() && q.holdUntil.Add(maxHoldSpread).After(from) {
			return false
		}
		if q.route == "token" && !q.answered.Before(from) {
			// A token fetch under way: the bearer sits above the pacer, so
			// the requests waiting for it come to the pacer in the order
			// they wake, not the order they came (and a failed fetch
			// fails them).
			return false
		}
	}
	return true
}

func simCheckFIFO(r *simRun) []string {
	type writer struct {
		op    *simOp
		first time.Time
	}
	// An operation's first attempt is when the pacer let it go, whether it
	// reached the tenant or its dial was refused (then its retry waits for
	// a backoff of its own, not for a slot).
	var ws []writer
	for _, op := range r.ops {
		if op.kind != "create" && op.kind != "update" && op.kind != "delete" {
			continue
		}
		if first, ok := r.model.firstTry[op]; ok {
			ws = append(ws, writer{op, first})
		}
	}
	var v []string
	for _, a := range ws {
		if !a.first.After(a.op.start) {
			continue // sent at once: waited for nothing
		}
		for _, n := range ws {
			if n.op.start.After(a.op.start) && n.first.Before(a.first) && r.calm(a.op.start, a.first) {
				v = append(v, fmt.Sprintf("%s (%s) waited from %s and was sent at %s, after %s (%s), which came at %s and was sent at %s",
					a.op.key, a.op.kind, r.at(a.op.start), r.at(a.first), n.op.key, n.op.kind, r.at(n.op.start), r.at(n.first)))
			}
		}
	}
	return v
}

func simCheckDeadline(r *simRun) []string {
	var v []string
	for _, op := range r.ops {
		if op.err == nil {
			continue
		}
		if op.end.After(op.deadline) {
			v = append(v, fmt.Sprintf("%s (%s) returned at %s, %s after its deadline: %v", op.key, op.kind, r.at(op.end), op.end.Sub(op.deadline), op.err))
			continue
		}
		var waitErr *WaitError
		if !errors.Is(op.err, context.DeadlineExceeded) || errors.As(op.err, &waitErr) {
			continue
		}
		reqs := r.opRequests(op)
		var last *simRequest
		sending := false
		for _, q := range reqs {
			if q.answered.IsZero() || !q.answered.Before(op.deadline) {
				sending = true // the deadline cut an attempt on the wire: no wait
			} else if last == nil || !q.answered.Before(last.answered) {
				last = q
			}
		}
		if sending {
			continue
		}
		var asked *simRequest
		switch {
		case last != nil && last.holdType() && last.holdUntil.After(op.deadline):
			asked = last
		case last == nil:
			// Never sent: what held it was the pacer's, from others' answers.
			for _, q := range r.model.requests {
				if q.api() && q.holdType() && !q.answered.IsZero() && q.answered.Before(op.deadline) && q.holdUntil.After(op.deadline) {
					asked = q
				}
			}
		}
		if asked != nil {
			v = append(v, fmt.Sprintf("%s (%s) ran into its deadline %s waiting, with no WaitError, though the answer to %s %s at %s (HTTP %d) asked to wait until %s: %v",
				op.key, op.kind, r.at(op.deadline), asked.method, asked.path, r.at(asked.answered), asked.status, r.at(asked.holdUntil), op.err))
		}
	}
	return v
}

// simSpentClaim reports whether cause is the client's word that the rate
// window is spent: Zuora's own 0, or a window the client counts as spent by
// what was sent since ("RateLimit-Remaining: 7, all spent since ...").
func simSpentClaim(cause string) bool {
	return strings.Contains(cause, "is used up (RateLimit-Remaining: ")
}

func simCheckRateCounts(r *simRun) []string {
	if r.faults.foreignRate && r.faults.foreignEvery > 0 {
		return nil // others spend the window too: the client's share of it is an estimate
	}
	// The client's word that the window is spent: a WaitError, or its
	// warning that it waits for the reset.
	type claim struct {
		at   time.Time
		who  string
		says string
	}
	var claims []claim
	for _, op := range r.ops {
		var waitErr *WaitError
		if errors.As(op.err, &waitErr) && simSpentClaim(waitErr.Cause) {
			claims = append(claims, claim{op.end, op.key + " failed", waitErr.Cause})
		}
	}
	for _, line := range r.logs {
		var entry struct {
			Message string `json:"@message"`
			Cause   string `json:"cause"`
			Op      string `json:"sim.op"`
		}
		if json.Unmarshal([]byte(line.text), &entry) == nil && simSpentClaim(entry.Cause) {
			claims = append(claims, claim{line.at, orDefault(entry.Op, "a request") + " waited", entry.Cause})
		}
	}
	var v []string
	for _, c := range claims {
		t := c.at
		// An admitted attempt goes to the wire at once (the bearer sits
		// above the pacer), so the client's count is behind the tenant's by
		// its attempts in flight when answers come out of order: never more
		// than its first wave or the concurrency limit.
		slack := 1 + max(r.faults.concLimit, firstWave)
		var last *simRequest
		for _, q := range r.model.requests {
			if q.arrived.After(t) {
				break
			}
			if q.api() && q.status != 0 {
				last = q
			}
		}
		if last == nil {
			v = append(v, fmt.Sprintf("%s at %s with %q before any answer carried RateLimit-Remaining", c.who, r.at(t), c.says))
			continue
		}
		remaining := last.remaining
		if end := last.windowStart.Add(r.faults.rateWindow); !t.Before(end) {
			if t.Before(end.Add(time.Second)) {
				continue // the reset, in whole seconds, may not have come for the client yet
			}
			remaining = r.faults.rateLimit
		}
		// The client's share of a window is an estimate when answers come
		// out of order; what it must not count are the attempts that never
		// reached Zuora (refused connections, no token): judged only when
		// those explain the gap and the window was far from spent.
		windowStart := r.model.start.Add(t.Sub(r.model.start) / r.faults.rateWindow * r.faults.rateWindow)
		unsent := 0
		for _, at := range r.model.unsent {
			if !at.Before(windowStart) && !at.After(t) {
				unsent++
			}
		}
		for _, o := range r.ops {
			var tokErr *TokenError
			if errors.As(o.err, &tokErr) && !o.end.Before(windowStart) && !o.end.After(t) {
				unsent++
			}
		}
		if unsent > 0 && unsent+slack >= remaining && remaining > slack && remaining >= r.faults.rateLimit/4 {
			v = append(v, fmt.Sprintf("%s at %s with %q while the window still held %d of %d requests (at most %d could be on their way), none spent by others, "+
				"after %d attempts in the window that never reached Zuora: they were counted", c.who, r.at(t), c.says, remaining, r.faults.rateLimit, slack, unsent))
		}
	}
	return v
}

// simSame compares a set read with one of the model, ids aside.
func simSame(a, b SequenceSet) bool {
	a.ID, b.ID, a.Number, b.Number = "", "", "", ""
	return reflect.DeepEqual(a, b)
}

// simMatch finds a version of s's set equal to s that was current at some
// moment of [from, to] (from zero: any moment up to to); absent looks for
// a moment the set did not exist.
func (r *simRun) simMatch(id string, s *SequenceSet, from, to time.Time) bool {
	versions := r.model.versionsOf(id)
	if s == nil && (len(versions) == 0 || versions[0].from.After(to)) {
		return true
	}
	for i, ver := range versions {
		until := time.Time{}
		if i+1 < len(versions) {
			until = versions[i+1].from
		}
		if ver.from.After(to) || !until.IsZero() && until.Before(from) {
			continue
		}
		if s == nil && ver.set == nil || s != nil && ver.set != nil && simSame(*s, *ver.set) {
			return true
		}
	}
	return false
}

func simCheckTruth(r *simRun) []string {
	var v []string
	bad := func(op *simOp, format string, args ...any) {
		v = append(v, fmt.Sprintf("%s (%s %q, %s–%s): ", op.key, op.kind, op.id+op.name, r.at(op.start), r.at(op.end))+fmt.Sprintf(format, args...))
	}
	for _, op := range r.ops {
		from := time.Time{}
		if op.fresh {
			from = op.start
		}
		switch op.kind {
		case "read":
			blank := strings.TrimSpace(op.id) == ""
			switch {
			case blank && op.err == nil:
				bad(op, "a blank id was read as set %s", op.set.ID)
			case blank:
			case op.err == nil && !strings.EqualFold(op.set.ID, strings.TrimSpace(op.id)):
				bad(op, "read set %q instead", op.set.ID)
			case op.err == nil && !r.simMatch(op.id, op.set, from, op.end):
				what := "a set the tenant never held"
				if op.fresh {
					what = "a stale set after this client's own write"
				}
				bad(op, "returned %s: %s", what, simJSON(op.set))
			case IsNotFound(op.err) && !r.simMatch(op.id, nil, op.start, op.end):
				bad(op, "not found, while the set existed from start to end")
			}
		case "readAll", "each":
			if op.err != nil {
				continue
			}
			seen := map[string]bool{}
			if op.kind == "each" {
				from = op.start // a listing of its own: its pages come while it runs
			}
			for _, s := range op.sets {
				switch {
				case s.ID == "":
					bad(op, "listed a set without an id: %s", simJSON(&s))
				case seen[strings.ToLower(s.ID)]:
					bad(op, "listed set %s twice", s.ID)
				case !r.simMatch(s.ID, &s, from, op.end):
					bad(op, "listed %s, not the tenant's then: %s", s.ID, simJSON(&s))
				}
				seen[strings.ToLower(s.ID)] = true
			}
		case "byName":
			switch {
			case op.err != nil:
			case op.set.Name != op.name || op.set.ID == "":
				bad(op, "answered %s", simJSON(op.set))
			case !r.simMatch(op.set.ID, op.set, time.Time{}, op.end):
				bad(op, "answered a set the tenant never held: %s", simJSON(op.set))
			}
		case "create":
			if op.err == nil && !r.simMatch(op.set.ID, op.set, op.start, op.end) {
				bad(op, "returned %s, which the tenant does not hold", simJSON(op.set))
			}
		}
	}
	return v
}

func simJSON(s *SequenceSet) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// simFailed reports whether a list page request failed, as the client sees it.
func simFailed(q *simRequest) bool { return q.status != 200 || q.lost || q.cut || q.idless }

func simCheckPages(r *simRun) []string {
	perListing := (r.model.maxSets+1+ListPageSize-1)/ListPageSize + listingSparePages
	var v []string
	pages, failed, replaced := 0, 0, 0
	for _, q := range r.model.requests {
		if q.route == "list" && q.op == nil {
			pages++
			if simFailed(q) {
				failed++
			}
		}
	}
	for _, op := range r.ops {
		reqs := r.opRequests(op)
		own, ownFailed := 0, 0
		for _, q := range reqs {
			if q.route == "list" {
				own++
				if simFailed(q) {
					ownFailed++
				}
			}
		}
		if op.err == nil && len(reqs) == 0 {
			switch op.kind {
			case "read", "byName":
				replaced++
			case "readAll":
				replaced += perListing - listingSparePages
			}
		}
		if own > perListing+ownFailed {
			v = append(v, fmt.Sprintf("%s (%s, %s–%s) asked for %d pages (%d failed) of a tenant of at most %d sets: bound %d",
				op.key, op.kind, r.at(op.start), r.at(op.end), own, ownFailed, r.model.maxSets, perListing+ownFailed))
		}
	}
	if bound := min(perListing, replaced+listingSparePages) + failed; pages > bound {
		v = append([]string{fmt.Sprintf("the listing fetched %d pages (%d failed) for %d reads it served, of a tenant of at most %d sets: bound %d",
			pages, failed, replaced, r.model.maxSets, bound)}, v...)
	}
	return v
}

// simCheckPagesAsked checks the bound the listing's budget guarantees as it
// goes (listing_budget.go): no more pages than the reads asked of it would
// cost as GETs, plus listingSparePages, and no more than the tenant's pages
// plus as many; a whole listing asked for may take the tenant's. The reads
// asked are, at most, the reads of one set under way while the listing
// was: from loneReadWait before its first page to its last page's answer.
// (list-pages judges the same pages against what they saved after the
// fact, which no rule deciding page by page can promise: see simKnownFailing.)
func simCheckPagesAsked(r *simRun) []string {
	perListing := (r.model.maxSets+1+ListPageSize-1)/ListPageSize + listingSparePages
	pages, failed := 0, 0
	var first, last, runEnd time.Time
	for _, op := range r.ops {
		if op.end.After(runEnd) {
			runEnd = op.end
		}
	}
	for _, q := range r.model.requests {
		if q.route != "list" || q.op != nil {
			continue
		}
		pages++
		if simFailed(q) {
			failed++
		}
		if first.IsZero() || q.arrived.Before(first) {
			first = q.arrived
		}
		if end := cmp.Or(q.answered, runEnd); end.After(last) {
			last = end
		}
	}
	if pages == 0 {
		return nil
	}
	asked, whole := 0, false
	for _, op := range r.ops {
		if op.start.After(last) || op.end.Before(first.Add(-loneReadWait)) {
			continue
		}
		switch op.kind {
		case "read":
			asked++
		case "readAll":
			whole = true
		}
	}
	bound := perListing
	if !whole {
		bound = min(perListing, asked+listingSparePages)
	}
	if pages > bound+failed {
		return []string{fmt.Sprintf("the listing fetched %d pages (%d failed) while at most %d reads of one set were under way%s, of a tenant of at most %d sets: bound %d",
			pages, failed, asked, map[bool]string{true: " and a whole listing", false: ""}[whole], r.model.maxSets, bound+failed)}
	}
	return nil
}

func simCheckRepeat(r *simRun) []string {
	var v []string
	for _, op := range r.ops {
		if op.err != nil && strings.Contains(op.err.Error(), "repeated sequence set") {
			v = append(v, fmt.Sprintf("%s (%s) at %s: %v", op.key, op.kind, r.at(op.end), op.err))
		}
	}
	for _, line := range r.logs {
		if strings.Contains(line.text, "repeated sequence set") {
			v = append(v, fmt.Sprintf("log at %s: %s", r.at(line.at), simExcerpt(line.text)))
		}
	}
	return v
}

func simCheckTokenServed(r *simRun) []string {
	var v []string
	for _, op := range r.ops {
		var tokErr *TokenError
		if !errors.As(op.err, &tokErr) {
			continue
		}
		var latest *simGrant
		for i := range r.model.grants {
			if g := &r.model.grants[i]; !g.at.After(op.end) {
				latest = g
			}
		}
		if latest != nil && !r.model.revoked[latest.token] && latest.expires.After(op.end) {
			v = append(v, fmt.Sprintf("%s (%s) failed at %s for want of a token, while the token granted at %s was valid until %s: %v",
				op.key, op.kind, r.at(op.end), r.at(latest.at), r.at(latest.expires), simRedacted(op.err.Error(), append([]string{simSecret}, r.model.issued...))))
		}
	}
	return v
}

func simCheckSecrets(r *simRun) []string {
	secrets := append([]string{simSecret}, r.model.issued...)
	leak := func(s string) string {
		for _, x := range secrets {
			if strings.Contains(s, x) {
				if x == simSecret {
					return "the client secret"
				}
				return "an access token"
			}
		}
		return ""
	}
	var v []string
	for _, op := range r.ops {
		if op.err == nil {
			continue
		}
		if what := leak(op.err.Error()); what != "" {
			v = append(v, fmt.Sprintf("%s (%s) error holds %s: %s", op.key, op.kind, what, simRedacted(op.err.Error(), secrets)))
		}
	}
	for _, line := range r.logs {
		if what := leak(line.text); what != "" {
			v = append(v, fmt.Sprintf("a log line at %s holds %s: %s", r.at(line.at), what, simExcerpt(simRedacted(line.text, secrets))))
		}
	}
	return v
}

// simRedacted hides the secrets in a violation's own message.
func simRedacted(s string, secrets []string) string {
	for _, x := range secrets {
		s = strings.ReplaceAll(s, x, "<"+x[:3]+"…>")
	}
	return s
}

func simExcerpt(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
