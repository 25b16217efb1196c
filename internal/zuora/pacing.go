package zuora

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
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
//
//   - When the window is spent (RateLimit-Remaining, less what was sent
//     since that answer, is 0) attempts wait for RateLimit-Reset.
//   - After a refusal for the rate or concurrency limit (HTTP 429, or
//     category 70 with HTTP 200), or an HTTP 503 with Retry-After (capped
//     at the backoff cap), every attempt of the client waits for the same
//     Retry-After or reset, not only the refused one; the held attempts go
//     again spread over a little time (holdSpread), not all at once.
//   - The concurrency gate counts: an attempt goes while the latest
//     answer's Concurrency-Limit-Remaining, less this client's attempts sent
//     since and still in flight, leaves a slot, and never past
//     Concurrency-Limit-Limit attempts of its own in flight.
//   - A wait that would end past the context's deadline fails at once with a
//     *WaitError; cancelling the context ends every wait.
//
// Several pipelines sharing a tenant see the same headers, so each paces
// itself to what is left for all of them.
type pacer struct {
	mu      sync.Mutex
	changes notifier // broadcast on every change of what follows
	now     func() time.Time
	spread  func(time.Duration) time.Duration // a random part of a hold's spread

	sent     uint64              // attempts admitted, in order: each has a sequence number
	inFlight map[uint64]struct{} // admitted attempts without their answer yet

	// From the answer to the latest attempt that carried the headers.
	rateSeq       uint64
	rateKnown     bool
	rateRemaining int
	rateResetAt   time.Time
	rateRequestID string
	// What others (other pipelines on the tenant) spent of the window while
	// this client spent own: between two answers, the window shrank by more
	// than what this client sent in between. The client then counts each
	// request of its own as 1 + foreign/own, its share of the pace.
	windowOwn, windowForeign int

	// From the latest answer that carried Concurrency-Limit-*: the slots
	// left then, the limit, and p.sent at that moment (the attempts sent
	// after it are not in its count).
	concKnown     bool
	concRemaining int
	concLimit     int // 0 while unknown
	concMark      uint64

	holdUntil     time.Time // after a refusal, nothing is sent before
	holdFor       time.Duration
	holdCause     string
	holdRequestID string
	holdNumber    uint64 // counts holds: a held attempt draws its spread once per hold

	serviceWaitCap time.Duration // the longest wait a 503's Retry-After may impose
	loudWait       time.Duration // waits this long or longer are logged at WARN
}

// defaultLoudWait is how long a wait must be to be logged at WARN.
const defaultLoudWait = 3 * time.Second

// maxHoldSpread bounds how long after a hold its attempts are spread.
const maxHoldSpread = time.Second

func newPacer() *pacer {
	return &pacer{
		now: time.Now, spread: rand.N[time.Duration], inFlight: map[uint64]struct{}{},
		loudWait: defaultLoudWait, serviceWaitCap: DefaultBackoffCap,
	}
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
	until, cause, requestID = p.wouldWaitLocked(p.now())
	return until, cause, requestID, p.changes.wait()
}

// admit waits until an attempt may be sent and returns its sequence number.
func (p *pacer) admit(ctx context.Context) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var waited time.Duration
	var cause string
	logged := false
	defer func() {
		if waited > 0 {
			meterFrom(ctx).add(cause, waited)
		}
	}()
	var turn heldTurn
	for {
		now := p.now()
		p.forgetEndedWindowLocked(now)
		until, why, requestID := p.wouldWaitLocked(now)
		deadline, hasDeadline := ctx.Deadline()
		if why != "" && !until.IsZero() && hasDeadline && until.After(deadline) {
			return 0, &WaitError{Cause: why, Wait: until.Sub(now), Until: until, Deadline: deadline, RequestID: requestID}
		}
		held := now.Before(p.holdUntil)
		if held && turn.hold != p.holdNumber {
			turn = p.drawTurnLocked(ctx)
		}
		if turn.hold == p.holdNumber && now.Before(turn.at) && (why == "" || held) {
			until, why = turn.at, p.holdCause // the hold is over, but not this attempt's turn
		}
		if why == "" {
			p.sent++
			p.inFlight[p.sent] = struct{}{}
			return p.sent, nil
		}
		cause = why
		if d := until.Sub(now); !until.IsZero() && d >= p.loudWait && !logged {
			logged = true // once per request, however often it wakes
			tflog.Warn(ctx, "waiting for Zuora's limits before sending a request", map[string]any{
				"cause": why, "wait": d.Round(time.Millisecond).String(), "until": until.UTC().Format(time.RFC3339),
			})
		}
		start := time.Now()
		err := p.waitLocked(ctx, until, now)
		waited += time.Since(start)
		if err != nil {
			return 0, err
		}
	}
}

// heldTurn is when an attempt that a hold held goes again.
type heldTurn struct {
	hold uint64 // the hold it was drawn for (0: none; holds count from 1)
	at   time.Time
}

// drawTurnLocked draws the turn of an attempt held by the current hold:
// within the hold's spread after its end, and well before ctx's deadline.
func (p *pacer) drawTurnLocked(ctx context.Context) heldTurn {
	spread := p.spread(max(holdSpread(p.holdFor), 1))
	if deadline, ok := ctx.Deadline(); ok {
		spread = min(spread, max(deadline.Sub(p.holdUntil)/2, 0))
	}
	return heldTurn{hold: p.holdNumber, at: p.holdUntil.Add(spread)}
}

// forgetEndedWindowLocked drops a rate window whose reset has passed: the
// next answer tells the new window's budget.
func (p *pacer) forgetEndedWindowLocked(now time.Time) {
	if p.rateKnown && !now.Before(p.rateResetAt) {
		p.rateKnown = false
	}
}

// wouldWaitLocked says, changing nothing, whether an attempt must wait now,
// until when (zero: until something changes) and why ("" when it may go).
func (p *pacer) wouldWaitLocked(now time.Time) (until time.Time, why, requestID string) {
	if now.Before(p.holdUntil) {
		return p.holdUntil, p.holdCause, p.holdRequestID
	}
	if p.rateKnown && now.Before(p.rateResetAt) && p.rateRemaining-p.spentSinceLocked() <= 0 {
		return p.rateResetAt, "Zuora's rate limit for the tenant is used up (RateLimit-Remaining: 0)", p.rateRequestID
	}
	if p.concurrencyFullLocked() {
		return time.Time{}, "Zuora's concurrency limit for the tenant is reached (Concurrency-Limit-Remaining: 0)", ""
	}
	return time.Time{}, "", ""
}

// concurrencyFullLocked says whether one more attempt would pass Zuora's
// concurrency limit: the slots the latest answer left are taken by this
// client's attempts sent since, or its own in flight reach the limit. With
// none of its own in flight nothing of its own can free a slot, so one goes.
func (p *pacer) concurrencyFullLocked() bool {
	own := len(p.inFlight)
	if own == 0 {
		return false
	}
	if p.concLimit > 0 && own >= p.concLimit {
		return true
	}
	if !p.concKnown {
		return false
	}
	since := 0
	for seq := range p.inFlight {
		if seq > p.concMark {
			since++
		}
	}
	return p.concRemaining-since <= 0
}

// spentSinceLocked estimates what the tenant spent of its window since the
// latest answer: this client's attempts since, and others' at the rate they
// have been seen spending alongside.
func (p *pacer) spentSinceLocked() int {
	own := int(p.sent - p.rateSeq)
	if p.windowForeign == 0 || own == 0 {
		return own
	}
	share := float64(p.windowForeign) / float64(max(p.windowOwn, 1))
	// Others' requests in flight are as many as ours, at that share: a
	// margin that keeps the pipelines from racing each other to the end of
	// the window.
	return own + int(float64(own+len(p.inFlight))*share+0.999)
}

// waitLocked releases p.mu until until (or the next change, when until is
// zero or sooner), or ctx's end.
func (p *pacer) waitLocked(ctx context.Context, until, now time.Time) error {
	changed := p.changes.wait()
	p.mu.Unlock()
	defer p.mu.Lock()
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

// done records the answer (or its absence) to attempt seq.
func (p *pacer) done(seq uint64, resp *http.Response, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.changes.broadcast()
	delete(p.inFlight, seq)
	if resp == nil {
		return
	}
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
			own := int(seq - p.rateSeq)
			if drop := p.rateRemaining - remaining; drop > own {
				p.windowForeign += drop - own
			}
			p.windowOwn += own
		} else { // the first answer of a window
			p.windowOwn, p.windowForeign = 0, 0
		}
		p.rateSeq, p.rateKnown, p.rateRemaining, p.rateResetAt, p.rateRequestID = seq, true, remaining, now.Add(reset), requestID
	}
	if conc, ok := parseCount(h.Get("Concurrency-Limit-Remaining")); ok {
		p.concKnown, p.concRemaining, p.concMark = true, conc, p.sent
	}
	if n, ok := parseCount(h.Get("Concurrency-Limit-Limit")); ok && n > 0 {
		p.concLimit = n
	}
	hold, ok := serverWait(h)
	switch {
	case refused:
		if !ok && okT && okR && remaining == 0 {
			hold, ok = reset, true
		}
		// A refusal that says nothing of when to come back holds no one:
		// its retry backs off with jitter as any other.
		if ok {
			p.holdLocked(now, hold, fmt.Sprintf("Zuora refused a request for its %s (HTTP %d), asking every request to wait %s",
				limit, resp.StatusCode, hold.Round(time.Millisecond)), requestID)
		}
	case resp.StatusCode == http.StatusServiceUnavailable && ok:
		hold = min(hold, p.serviceWaitCap)
		p.holdLocked(now, hold, fmt.Sprintf("Zuora is unavailable (HTTP 503), asking every request to wait %s",
			hold.Round(time.Millisecond)), requestID)
	}
}

// holdLocked holds every attempt for d from now, unless a longer hold is on.
func (p *pacer) holdLocked(now time.Time, d time.Duration, cause, requestID string) {
	until := now.Add(d)
	if !until.After(p.holdUntil) {
		return
	}
	p.holdUntil, p.holdFor, p.holdCause, p.holdRequestID = until, d, cause, requestID
	p.holdNumber++
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
