package zuorafake

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// FaultKind names a failure the fake can inject.
type FaultKind string

const (
	// FaultRateLimit answers 429 with reason code 70, RateLimit-Remaining: 0,
	// RateLimit-Reset and (when RetryAfter is set) Retry-After.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultUnavailable answers 503 with an HTML page, as a load balancer does.
	FaultUnavailable FaultKind = "unavailable"
	// FaultReset closes the TCP connection with a reset before doing anything.
	FaultReset FaultKind = "reset"
	// FaultDropAfterCommit processes the request fully (store, idempotency
	// record) and then resets the connection instead of answering.
	FaultDropAfterCommit FaultKind = "drop_after_commit"
	// FaultRaw answers Status, ContentType and Body exactly.
	FaultRaw FaultKind = "raw"
)

func (k FaultKind) valid() bool {
	switch k {
	case FaultRateLimit, FaultUnavailable, FaultReset, FaultDropAfterCommit, FaultRaw:
		return true
	}
	return false
}

// Fault is one queued failure.
type Fault struct {
	Kind   FaultKind
	Method string // "" = any
	// Route "" matches any /v1/ request; otherwise a route key such as
	// "POST /v1/sequence-sets", "GET /v1/sequence-sets/{id}" or
	// "POST /oauth/token" (the token endpoint is only hit when named).
	Route string
	Count int // matching requests it hits; 0 -> 1
	// RetryAfter is sent as Retry-After by rate_limit and unavailable:
	// whole seconds when whole, else a decimal such as "0.05".
	RetryAfter  time.Duration
	Status      int    // raw
	ContentType string // raw
	Body        string // raw
}

// FaultRates are probabilistic faults for storms: every /v1/ request that
// no queued fault hit draws once.
type FaultRates struct {
	RateLimit, Unavailable, Reset, DropAfterCommit float64 // 0..1, sum <= 1
	RetryAfter                                     time.Duration
	Seed                                           int64 // deterministic source
}

// Inject queues f; queued faults hit the next matching requests in FIFO
// order. Faults of an unknown kind are ignored.
func (s *Server) Inject(f Fault) {
	if !f.Kind.valid() {
		return
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// SetFaultRates replaces the probabilistic faults.
func (s *Server) SetFaultRates(r FaultRates) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates = r
	s.rng = rand.New(rand.NewPCG(uint64(r.Seed), uint64(r.Seed)^0x9e3779b97f4a7c15))
}

// SetConcurrencyLimit makes more than n API requests in flight answer 429
// with code 50000070; 0 removes the limit.
func (s *Server) SetConcurrencyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.concLimit = max(n, 0)
}

// SetLatency changes the delay added before every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = max(d, 0)
}

// ClearFaults removes queued faults, rates, the concurrency limit and latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.rates = FaultRates{}
	s.rng = nil
	s.concLimit = 0
	s.latency = 0
}

// takeFaultLocked returns the fault that hits this request, if any.
func (s *Server) takeFaultLocked(routeKey, method string, api bool) *Fault {
	for i := range s.faults {
		f := &s.faults[i]
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Route == "" && !api || f.Route != "" && f.Route != routeKey {
			continue
		}
		hit := *f
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		s.stats.FaultsInjected++
		return &hit
	}
	if !api || s.rng == nil {
		return nil
	}
	r := s.rates
	u := s.rng.Float64()
	for _, c := range []struct {
		p    float64
		kind FaultKind
	}{
		{r.RateLimit, FaultRateLimit},
		{r.Unavailable, FaultUnavailable},
		{r.Reset, FaultReset},
		{r.DropAfterCommit, FaultDropAfterCommit},
	} {
		if c.p <= 0 {
			continue
		}
		if u < c.p {
			s.stats.FaultsInjected++
			return &Fault{Kind: c.kind, RetryAfter: r.RetryAfter, Count: 1}
		}
		u -= c.p
	}
	return nil
}

// faultAnswer is the answer of an injected fault other than reset and drop.
func (c *call) faultAnswer(f Fault) answer {
	switch f.Kind {
	case FaultRateLimit:
		return c.rateLimitAnswer(ceilSeconds(f.RetryAfter), formatRetryAfter(f.RetryAfter))
	case FaultRaw:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		return answer{status: status, contentType: f.ContentType, body: []byte(f.Body), raw: true}
	default: // FaultUnavailable
		return answer{
			status:      http.StatusServiceUnavailable,
			contentType: "text/html; charset=utf-8",
			body:        []byte("<html>\r\n<head><title>503 Service Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"),
			retryAfter:  formatRetryAfter(f.RetryAfter),
		}
	}
}

// rateLimitAnswer is the rate limiter's 429 (code 70); a real status in
// every error mode.
func (c *call) rateLimitAnswer(resetSeconds int, retryAfter string) answer {
	a := c.errorAnswerWith(http.StatusTooManyRequests, catRateLimited,
		"API Rate limit exceeded for the minute, retry after "+strconv.Itoa(resetSeconds)+" seconds")
	a.limited = true
	a.resetSeconds = resetSeconds
	a.retryAfter = retryAfter
	return a
}

// concurrencyAnswer is the concurrency limiter's 429 (code 50000070).
func (c *call) concurrencyAnswer(retry time.Duration) answer {
	if retry <= 0 {
		retry = time.Second
	}
	a := c.errorAnswerWith(http.StatusTooManyRequests, reasonCode(catRateLimited),
		"Too many concurrent requests: the concurrency limit of this tenant was reached, retry later.")
	a.retryAfter = formatRetryAfter(retry)
	return a
}

// countInWindowLocked counts an API request against the rate limit of the
// current window, notes on c what its headers will say (the limiter's
// verdict at arrival, as a gateway attaches it), and reports whether it is
// over.
func (s *Server) countInWindowLocked(c *call, now time.Time) bool {
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.rateWindow {
		s.windowStart = now
		s.windowCount = 0
	}
	s.windowCount++
	c.rateCounted = true
	c.rateRemaining = max(s.rateLimit-s.windowCount, 0)
	c.rateReset = s.secondsLeftInWindowLocked(now)
	return s.windowCount > s.rateLimit
}

// secondsLeftInWindowLocked is RateLimit-Reset: whole seconds, at least 1.
func (s *Server) secondsLeftInWindowLocked(now time.Time) int {
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.rateWindow {
		return ceilSeconds(s.rateWindow)
	}
	return max(ceilSeconds(s.windowStart.Add(s.rateWindow).Sub(now)), 1)
}

// SetRateLimit sets the rate limiter: limit API requests per window
// (window 0: a minute). The current window starts over.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit > 0 {
		s.rateLimit = limit
	}
	if window <= 0 {
		window = time.Minute
	}
	s.rateWindow = window
	s.windowStart = time.Time{}
	s.windowCount = 0
}

// RateLimit returns the limit and its window.
func (s *Server) RateLimit() (int, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimit, s.rateWindow
}

// defaultConcurrencyLimit is Zuora's per-tenant limit for these endpoints.
const defaultConcurrencyLimit = 40

func (s *Server) setLimitHeaders(c *call, h http.Header, a answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	remaining, reset := c.rateRemaining, c.rateReset
	if !c.rateCounted { // the token endpoint: the window as it stands
		remaining = max(s.rateLimit-s.windowCount, 0)
		reset = s.secondsLeftInWindowLocked(time.Now())
		if s.windowStart.IsZero() || time.Since(s.windowStart) >= s.rateWindow {
			remaining = s.rateLimit
		}
	}
	if a.limited {
		remaining, reset = 0, a.resetSeconds
	}
	limit := strconv.Itoa(s.rateLimit)
	h.Set("RateLimit-Limit", limit+", "+limit+";w="+strconv.Itoa(ceilSeconds(s.rateWindow)))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(reset))
	conc := s.concLimit
	if conc <= 0 {
		conc = defaultConcurrencyLimit
	}
	h.Set("Concurrency-Limit-Type", "Default")
	h.Set("Concurrency-Limit-Limit", strconv.Itoa(conc))
	h.Set("Concurrency-Limit-Remaining", strconv.Itoa(max(conc-s.inFlight, 0)))
}

// resetConnection hijacks the connection and closes it with SO_LINGER 0,
// so the client sees a reset and no answer at all.
func (s *Server) resetConnection(c *call) {
	s.record(c, 0)
	conn, _, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler is net/http's own
		// way to kill the stream without an answer (it is recovered there).
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// formatRetryAfter writes whole seconds when whole, else a decimal
// ("0.05") so tests with fractional-second retries stay fast.
func formatRetryAfter(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
