package zuora

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// A pacer is the one gate every attempt of a client passes, above the
// attempt timeout and below the operation: it reads Zuora's RateLimit-* and
// Concurrency-Limit-* headers on every answer and holds new attempts instead
// of sending them to be refused. Every wait the server asks for is its to
// keep, checked against the deadline of the operation (never the attempt's).
// The token endpoint, limited apart (per IP), has a pacer of its own.
//
//   - When the window is spent (RateLimit-Remaining, less what was sent
//     since that answer, is 0) attempts wait for RateLimit-Reset.
//   - After a refusal for the rate or concurrency limit (HTTP 429, or
//     category 70 with HTTP 200), or an HTTP 5xx with Retry-After (capped
//     at the backoff cap), every attempt of the client waits for the same
//     Retry-After or reset, not only the refused one.
//   - The attempts that waited for a hold or a window's reset go again one
//     by one, in the order they came, spread over a little time after its
//     end (holdSpread), not all at once. The spread is the client's own
//     caution: an attempt whose slot would end past its deadline goes at
//     once instead.
//   - The concurrency gate (concurrency_share.go) keeps a window of
//     attempts in flight: it starts small, grows once a round, and beside
//     other pipelines takes half of the slots it counts free, never past
//     Concurrency-Limit-Limit attempts of its own in flight.
//   - First come, first served: attempts are admitted in the order they
//     asked; a freed slot goes to the oldest waiter, newcomers queue behind.
//   - Only attempts that reached the wire count against the window: one
//     whose dial failed is given back (unsent).
//   - A wait that would end past the context's deadline fails at once with a
//     *WaitError; cancelling the context ends every wait.
//   - It decides under its lock and logs after releasing it.
//
// Several pipelines sharing a tenant see the same headers, so each paces
// itself to what is left for all of them.
type pacer struct {
	mu      sync.Mutex
	changes notifier // broadcast on every change of what follows
	now     func() time.Time
	spread  func(time.Duration) time.Duration // a random part of a released attempt's slot

	// Who the limits are, in causes: Zuora's API for the tenant, or its
	// token endpoint.
	subject, windowName string

	sent       uint64               // attempts admitted, in order: each has a sequence number
	inFlight   map[uint64]time.Time // admitted attempts without their answer yet, and when they went
	unsentSeqs []uint64             // admitted after rateSeq, but never reached the wire

	queue   []uint64 // tickets of the attempts waiting, oldest first
	tickets uint64

	// From the answer to the latest attempt that carried the headers.
	rateSeq       uint64
	rateKnown     bool
	rateRemaining int
	rateResetAt   time.Time
	rateFor       time.Duration // how long the window had left at that answer
	rateRequestID string
	// What others (other pipelines on the tenant) spent of the window while
	// this client spent own: between two answers, the window shrank by more
	// than what this client sent in between. The client then counts each
	// request of its own as 1 + foreign/own, its share of the pace.
	windowOwn, windowForeign int

	// The concurrency gate's (concurrency_share.go): whether an answer
	// carried Concurrency-Limit-*, and the limit (0 while unknown).
	concKnown  bool
	concLimit  int
	concWindow int              // how many of its own may be in flight in this round
	concFree   int              // Concurrency-Limit-Remaining of the latest answer that had it
	roundEnd   time.Time        // when the window may grow again
	concOthers bool             // another pipeline had requests in flight at some answer
	othersSeen []othersInFlight // what the answers of the latest round said others had in flight
	// How many attempts may go before Zuora's first answer (0: any; the
	// token endpoint's pacer has no concurrency gate), and whether it came.
	firstWave int
	answered  bool

	holdUntil     time.Time // after a refusal, nothing is sent before
	holdFor       time.Duration
	holdCause     string
	holdRequestID string

	waitedFor gate    // the latest timed gate an attempt waited for
	release   release // the spread release of the attempts it held

	serviceWaitCap time.Duration // the longest wait a 503's Retry-After may impose
	loudWait       time.Duration // waits this long or longer are logged at WARN
}

// gate is what keeps an attempt from going now: until when (zero: until
// something changes), for how long in all (span, of a timed gate), why (""
// when it may go) and the Zuora-Request-Id of the answer that said so.
type gate struct {
	until     time.Time
	span      time.Duration
	cause     string
	requestID string
}

// release lets the attempts a timed gate held go one at a time, in their
// order, each in its own slot of gap after the gate's end (with a random
// place in the slot), so that neither this client nor several in step
// send them at one instant.
type release struct {
	left  int       // attempts still to go; 0: no release under way
	next  time.Time // when the next may go
	end   time.Time // the gate's end
	gap   time.Duration
	done  int // attempts released so far
	cause string
}

// defaultLoudWait is how long a wait must be to be logged at WARN.
const defaultLoudWait = 3 * time.Second

// maxHoldSpread bounds how long after a hold its attempts are spread.
const maxHoldSpread = time.Second

func newPacer() *pacer {
	return &pacer{
		now: time.Now, spread: rand.N[time.Duration], inFlight: map[uint64]time.Time{}, firstWave: firstWave,
		subject: "Zuora", windowName: "Zuora's rate limit for the tenant",
		loudWait: defaultLoudWait, serviceWaitCap: DefaultBackoffCap,
	}
}

// newTokenPacer paces the token endpoint, rate limited apart from the API.
func newTokenPacer() *pacer {
	p := newPacer()
	p.firstWave = 0
	p.subject, p.windowName = "Zuora's token endpoint", "the rate limit of Zuora's token endpoint"
	return p
}

// holdSpread is the span over which the attempts a hold of d held are let
// go again: half the hold, at most a second.
func holdSpread(d time.Duration) time.Duration { return min(d/2, maxHoldSpread) }

// WaitError is an attempt refused by the client itself: Zuora's limits
// would hold it past the deadline of its operation.
type WaitError struct {
	Cause     string        // which limit, as Zuora reported it
	Wait      time.Duration // how long it would have had to wait
	Until     time.Time     // when the limit resets
	Deadline  time.Time
	RequestID string // of the answer that reported the limit
}

// checkWait is the one rule every wait for Zuora's limits passes, the
// pacer's and a reader's of the listing alike: a wait for cause until until
// that would end past ctx's deadline fails now with a *WaitError. A wait
// without an end (until zero) or without a cause passes.
func checkWait(ctx context.Context, now time.Time, g gate) error {
	deadline, ok := ctx.Deadline()
	if g.cause == "" || g.until.IsZero() || !ok || !g.until.After(deadline) {
		return nil
	}
	return &WaitError{Cause: g.cause, Wait: g.until.Sub(now), Until: g.until, Deadline: deadline, RequestID: g.requestID}
}

// Is makes a WaitError a context.DeadlineExceeded: the deadline is why.
func (e *WaitError) Is(target error) bool { return target == context.DeadlineExceeded }

func (e *WaitError) Error() string {
	msg := fmt.Sprintf("%s; the limit resets in %s (at %s), after this operation's deadline (%s): "+
		"giving up now instead of waiting past it",
		e.Cause, e.Wait.Round(time.Second), e.Until.UTC().Format(time.RFC3339),
		e.Deadline.UTC().Format(time.RFC3339))
	if e.RequestID != "" {
		msg += " (Zuora-Request-Id: " + e.RequestID + ")"
	}
	return msg + ". Raise the resource's timeouts, or run fewer pipelines against the tenant at once."
}

// holding reports whether a refusal (or a 503 with Retry-After) holds every
// attempt now.
func (p *pacer) holding() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now().Before(p.holdUntil)
}

// peek reports, changing nothing, whether an attempt sent now would wait: until when (zero: until
// something changes), why ("" when it would go at once), the Zuora-Request-Id of the answer that
// reported the limit, and a channel closed at the pacer's next change.
func (p *pacer) peek() (until time.Time, cause, requestID string, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.wouldWaitLocked(p.now())
	return g.until, g.cause, g.requestID, p.changes.wait()
}

// admit waits until an attempt may be sent and returns its sequence number.
func (p *pacer) admit(ctx context.Context) (uint64, error) {
	p.mu.Lock()
	p.tickets++
	ticket := p.tickets
	p.queue = append(p.queue, ticket)
	var waited time.Duration
	var cause string
	logged := false
	defer func() {
		p.leaveQueueLocked(ticket)
		p.mu.Unlock()
		if waited > 0 {
			meterFrom(ctx).add(cause, waited)
		}
	}()
	for {
		now := p.now()
		p.forgetEndedWindowLocked(now)
		g := p.wouldWaitLocked(now)
		if err := checkWait(ctx, now, g); err != nil {
			return 0, err
		}
		if g.cause != "" && !g.until.IsZero() {
			p.waitedFor = g // those waiting now go spread after its end
		}
		if g.cause == "" {
			g = p.turnLocked(ctx, now, ticket)
		}
		if g.cause == "" {
			p.sent++
			p.inFlight[p.sent] = now
			p.releasedLocked()
			return p.sent, nil
		}
		cause = g.cause
		var warn func()
		if d := g.until.Sub(now); !g.until.IsZero() && d >= p.loudWait && !logged {
			logged = true // once per request, however often it wakes
			fields := map[string]any{"cause": g.cause, "wait": d.Round(time.Millisecond).String(), "until": g.until.UTC().Format(time.RFC3339)}
			warn = func() { tflog.Warn(ctx, "waiting for Zuora's limits before sending a request", fields) }
		}
		start := time.Now()
		err := p.waitLocked(ctx, g.until, now, warn)
		waited += time.Since(start)
		if err != nil {
			return 0, err
		}
	}
}

// turnLocked says, the limits allowing an attempt now, whether it is the
// turn of the attempt with ticket: the oldest waiter goes first, and the
// attempts a timed gate held go in the slots of its release.
func (p *pacer) turnLocked(ctx context.Context, now time.Time, ticket uint64) gate {
	if w := p.waitedFor; !w.until.IsZero() && !now.Before(w.until) {
		p.waitedFor = gate{}
		p.startReleaseLocked(w, len(p.queue))
	}
	if p.queue[0] != ticket {
		if p.turnPastDeadlineLocked(ctx, ticket) {
			return gate{} // its turn in the release would come past its deadline: the spread gives way
		}
		cause := "earlier requests go first"
		if p.release.left > 0 {
			cause = p.release.cause
		}
		return gate{cause: cause} // until the one ahead goes
	}
	if p.release.left == 0 || !now.Before(p.release.next) {
		return gate{}
	}
	if deadline, ok := ctx.Deadline(); ok && p.release.next.After(deadline) {
		return gate{} // its slot is past its deadline: the spread gives way
	}
	return gate{until: p.release.next, cause: p.release.cause}
}

// turnPastDeadlineLocked reports whether, a release under way, the slot
// of the attempt with ticket (its place in the queue counted from the
// release's next slot) would end past its context's deadline. The spread
// is the client's own caution, not a wait Zuora asked for: it never makes
// an operation miss its deadline, so such an attempt goes at once.
func (p *pacer) turnPastDeadlineLocked(ctx context.Context, ticket uint64) bool {
	deadline, ok := ctx.Deadline()
	if !ok || p.release.left == 0 {
		return false
	}
	place := slices.Index(p.queue, ticket)
	if place < 0 {
		return false
	}
	slotEnd := p.release.end.Add(time.Duration(p.release.done+place+1) * p.release.gap)
	return slotEnd.After(deadline)
}

// startReleaseLocked begins the release of the n attempts that g held.
func (p *pacer) startReleaseLocked(g gate, n int) {
	spread := holdSpread(g.span)
	if n <= 0 || spread <= 0 {
		p.release = release{}
		return
	}
	p.release = release{left: n, end: g.until, gap: spread / time.Duration(n), cause: g.cause}
	p.release.next = p.slotLocked(0)
}

// slotLocked is when the k-th attempt of the release may go: somewhere in
// its slot of gap, slots in the order of the attempts.
func (p *pacer) slotLocked(k int) time.Time {
	return p.release.end.Add(time.Duration(k)*p.release.gap + p.spread(max(p.release.gap, 1)))
}

// releasedLocked accounts for an attempt admitted: the next slot of the
// release, if one is under way, is drawn.
func (p *pacer) releasedLocked() {
	if p.release.left == 0 {
		return
	}
	p.release.left--
	p.release.done++
	if p.release.left == 0 {
		p.release = release{}
		return
	}
	p.release.next = p.slotLocked(p.release.done)
}

// leaveQueueLocked takes ticket out of the queue, admitted or given up;
// the one behind it may be next.
func (p *pacer) leaveQueueLocked(ticket uint64) {
	if i := slices.Index(p.queue, ticket); i >= 0 {
		p.queue = slices.Delete(p.queue, i, i+1)
		if i == 0 {
			p.changes.broadcast()
		}
	}
}

// forgetEndedWindowLocked drops a rate window whose reset has passed: the
// next answer tells the new window's budget.
func (p *pacer) forgetEndedWindowLocked(now time.Time) {
	if p.rateKnown && !now.Before(p.rateResetAt) {
		p.rateKnown = false
	}
}

// wouldWaitLocked says, changing nothing, whether an attempt must wait now
// for Zuora's limits, and what for.
func (p *pacer) wouldWaitLocked(now time.Time) gate {
	if now.Before(p.holdUntil) {
		return gate{until: p.holdUntil, span: p.holdFor, cause: p.holdCause, requestID: p.holdRequestID}
	}
	if p.rateKnown && now.Before(p.rateResetAt) && p.rateRemaining-p.spentSinceLocked() <= 0 {
		cause := p.windowName + " is used up (RateLimit-Remaining: 0)"
		if p.rateRemaining > 0 { // spent by what was sent since: say so, not a 0 Zuora never sent
			cause = fmt.Sprintf("%s is used up (RateLimit-Remaining: %d, all spent since by requests of this client and, at the pace seen, of others)",
				p.windowName, p.rateRemaining)
		}
		return gate{until: p.rateResetAt, span: p.rateFor, cause: cause, requestID: p.rateRequestID}
	}
	return p.concurrencyGateLocked(now)
}

// spentSinceLocked estimates what the tenant spent of its window since the
// latest answer: this client's attempts since, and others' at the rate they
// have been seen spending alongside.
func (p *pacer) spentSinceLocked() int {
	own := p.sentBetweenLocked(p.rateSeq, p.sent)
	if p.windowForeign == 0 || own == 0 {
		return own
	}
	share := float64(p.windowForeign) / float64(max(p.windowOwn, 1))
	// Others' requests in flight are as many as ours, at that share: a
	// margin that keeps the pipelines from racing each other to the end of
	// the window.
	return own + int(float64(own+len(p.inFlight))*share+0.999)
}

// sentBetweenLocked counts the attempts after from, up to to, that
// reached the wire.
func (p *pacer) sentBetweenLocked(from, to uint64) int {
	n := int(to - from)
	for _, seq := range p.unsentSeqs {
		if seq > from && seq <= to {
			n--
		}
	}
	return n
}

// waitLocked releases p.mu until until (or the next change, when until is
// zero or sooner), or ctx's end. It writes the log line warn, if any, with
// the lock released.
func (p *pacer) waitLocked(ctx context.Context, until, now time.Time, warn func()) error {
	changed := p.changes.wait()
	p.mu.Unlock()
	defer p.mu.Lock()
	if warn != nil {
		warn()
	}
	var timer <-chan time.Time
	if !until.IsZero() {
		t := time.NewTimer(until.Sub(now))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-changed:
	case <-timer:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// unsent gives back attempt seq, which never reached the wire (its dial
// failed): it does not count against the window.
func (p *pacer) unsent(seq uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.changes.broadcast()
	delete(p.inFlight, seq)
	if seq > p.rateSeq {
		p.unsentSeqs = append(p.unsentSeqs, seq)
	}
}

// done records the answer (or its absence) to attempt seq.
func (p *pacer) done(seq uint64, resp *http.Response, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.changes.broadcast()
	sentAt, sent := p.inFlight[seq]
	delete(p.inFlight, seq)
	if resp == nil {
		return
	}
	p.answered = true
	now := p.now()
	h := resp.Header
	requestID := h.Get("Zuora-Request-Id")
	remaining, okR := parseCount(h.Get("RateLimit-Remaining"))
	reset, okT := parseSeconds(h.Get("RateLimit-Reset"))
	limit, refused := refusedByLimit(resp.StatusCode, body)
	retryAfter := strings.TrimSpace(h.Get("Retry-After")) != ""
	// A refusal's Retry-After is the more precise word on when to come
	// back; its RateLimit-* headers are not used against it.
	if okR && okT && seq >= p.rateSeq && (!refused || !retryAfter) {
		if p.rateKnown && remaining <= p.rateRemaining {
			own := p.sentBetweenLocked(p.rateSeq, seq)
			if drop := p.rateRemaining - remaining; drop > own {
				p.windowForeign += drop - own
			}
			p.windowOwn += own
		} else { // the first answer of a window
			p.windowOwn, p.windowForeign = 0, 0
		}
		p.rateSeq, p.rateKnown, p.rateRemaining, p.rateResetAt, p.rateFor, p.rateRequestID = seq, true, remaining, now.Add(reset), reset, requestID
		p.unsentSeqs = slices.DeleteFunc(p.unsentSeqs, func(s uint64) bool { return s <= seq })
	}
	if !sent {
		sentAt = now
	}
	p.concurrencyAnsweredLocked(h, now, sentAt)
	hold, ok := serverWait(h)
	switch {
	case refused:
		if !ok && okT && okR && remaining == 0 {
			hold, ok = reset, true
		}
		// A refusal that says nothing of when to come back holds no one:
		// its retry backs off with jitter as any other.
		if ok {
			p.holdLocked(now, hold, fmt.Sprintf("%s refused a request for its %s (HTTP %d), asking every request to wait %s",
				p.subject, limit, resp.StatusCode, hold.Round(time.Millisecond)), requestID)
		}
	case resp.StatusCode >= http.StatusInternalServerError && ok:
		hold = min(hold, p.serviceWaitCap)
		p.holdLocked(now, hold, fmt.Sprintf("%s is unavailable (HTTP %d), asking every request to wait %s",
			p.subject, resp.StatusCode, hold.Round(time.Millisecond)), requestID)
	}
}

// holdLocked holds every attempt for d from now, unless a longer hold is on.
func (p *pacer) holdLocked(now time.Time, d time.Duration, cause, requestID string) {
	until := now.Add(d)
	if !until.After(p.holdUntil) {
		return
	}
	p.holdUntil, p.holdFor, p.holdCause, p.holdRequestID = until, d, cause, requestID
}

// serverWait reads Retry-After, in seconds or as a date.
func serverWait(h http.Header) (time.Duration, bool) {
	if d, ok := parseSeconds(h.Get("Retry-After")); ok {
		return d, true
	}
	return retryAfterDate(h.Get("Retry-After"))
}

// refusedByLimit tells a refusal by the rate or concurrency limiter: HTTP
// 429, or category 70 with HTTP 200 and "success": false.
func refusedByLimit(status int, body []byte) (string, bool) {
	limited := status == http.StatusTooManyRequests
	concurrency := false
	if !limited && !bytes.Contains(body, []byte("false")) {
		return "", false // an answer of success: no need to decode it here
	}
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Success != nil && !*env.Success {
		for _, r := range env.Reasons {
			if r.Category() == CategoryRateLimited {
				limited = limited || status == http.StatusOK
				concurrency = concurrency || r.Code == concurrencyLimitCode
			}
		}
	}
	switch {
	case !limited:
		return "", false
	case concurrency:
		return "concurrency limit", true
	}
	return "rate limit", true
}

// concurrencyLimitCode is the reason code of Zuora's concurrency limiter.
const concurrencyLimitCode = "50000070"

// parseCount reads a header count such as RateLimit-Remaining.
func parseCount(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil && n >= 0
}

// pacingTransport passes every attempt through the pacer.
type pacingTransport struct {
	pacer *pacer
	next  http.RoundTripper
}

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	seq, err := t.pacer.admit(req.Context())
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil && neverSent(err) {
		t.pacer.unsent(seq)
		return nil, err
	}
	var body []byte
	if err == nil && resp != nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusTooManyRequests) {
		// A refusal may come as HTTP 200 with "success": false: look.
		if body, err = bufferBody(resp); err != nil {
			t.pacer.done(seq, resp, nil)
			return nil, err
		}
	}
	t.pacer.done(seq, resp, body)
	return resp, err
}

// neverSent reports whether err says an attempt never reached Zuora: no
// connection was made (the name does not resolve, nothing listens, no
// route: the dial failed) or the TLS handshake failed, before any request
// was written.
func neverSent(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr) ||
		errors.As(err, &certErr) || errors.As(err, &authorityErr) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || plainHTTPAnswer(err)
}

// WaitMeter adds up how long the calls made with its context waited for
// Zuora's limits.
type WaitMeter struct {
	mu     sync.Mutex
	total  time.Duration
	causes map[string]time.Duration
}

type meterKey struct{}

// WithWaitMeter returns a context whose calls report their waits to the
// meter it returns.
func WithWaitMeter(ctx context.Context) (context.Context, *WaitMeter) {
	m := &WaitMeter{causes: map[string]time.Duration{}}
	return context.WithValue(ctx, meterKey{}, m), m
}

func meterFrom(ctx context.Context) *WaitMeter {
	m, _ := ctx.Value(meterKey{}).(*WaitMeter)
	return m
}

func (m *WaitMeter) add(cause string, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total += d
	m.causes[cause] += d
}

// Total is the time waited.
func (m *WaitMeter) Total() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// Summary says how long was waited for what, longest first.
func (m *WaitMeter) Summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	causes := slices.SortedFunc(maps.Keys(m.causes), func(a, b string) int { return cmp.Compare(m.causes[b], m.causes[a]) })
	parts := make([]string, len(causes))
	for i, c := range causes {
		parts[i] = fmt.Sprintf("%s: %s", c, m.causes[c].Round(time.Second))
	}
	return strings.Join(parts, "; ")
}
