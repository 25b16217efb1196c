// Package zuorafake is an in-memory fake of Zuora's REST API for sequence
// sets, following the project's API contract (zuora-api.md). Users run it
// through cmd/zuorafake to try the provider without a tenant; tests mount
// it with httptest.NewServer. It uses the standard library only.
package zuorafake

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultEntityID is the UUID of the single entity a fake has unless
// Options.Entities says otherwise.
const DefaultEntityID = "a1b2c3d4-0000-4000-8000-000000000001"

// Default credentials accepted by /oauth/token.
const (
	DefaultClientID     = "zuorafake-client-id-0000000000000000" // 36 characters, like Zuora's
	DefaultClientSecret = "zuorafake-client-secret"
)

// Options configures a fake. The zero value is a usable single-entity tenant.
type Options struct {
	ClientID, ClientSecret string        // "" -> DefaultClientID / DefaultClientSecret
	TokenLifetime          time.Duration // 0 -> 1h; expires_in is its whole seconds, at least 1
	// Entities lists the entity UUIDs of the tenant; the first is the default
	// one. A token covers all of them; with more than one the
	// Zuora-Entity-Ids header is required. nil -> []string{DefaultEntityID}.
	Entities []string
	Latency  time.Duration // added before every answer of /v1/ and /oauth/token
	// ControlAPI serves the /_fake/ control surface.
	ControlAPI bool
	// ReadOmitsID leaves "id" out of GET /v1/sequence-sets/{id}, as the
	// documentation sample does, so tests can prove clients don't need it.
	ReadOmitsID bool
	// ReadShowsInheritedPaymentRefund makes a set stored without payment or
	// refund report the DEFAULT set's containers on reads; by default the
	// keys are omitted. The contract leaves this open, so clients must cope
	// with both.
	ReadShowsInheritedPaymentRefund bool
	// ReadShowsSequenceSetNumber puts a set's sequenceSetNumber, when it
	// has one, in read, list and create answers. The answers' schema does
	// not list it and whether tenants send it is unknown, so by default it
	// is left out; clients must cope with both.
	ReadShowsSequenceSetNumber bool
	// RateLimit API requests are allowed per RateLimitWindow (0: a
	// minute); a request over it is answered 429 with RateLimit-Reset.
	// 0 takes RateLimitPerMinute, then 50000.
	RateLimit       int
	RateLimitWindow time.Duration
	// RateLimitPerMinute is RateLimit for the default window of a minute.
	RateLimitPerMinute int
}

// Server is the fake. It implements http.Handler and is safe for concurrent use.
type Server struct {
	clientID, clientSecret string
	tokenLifetime          time.Duration
	rateLimit              int           // per rateWindow; under mu
	rateWindow             time.Duration // under mu
	readOmitsID            bool
	inheritPaymentRefund   bool
	showsNumber            bool
	controlAPI             bool

	// entities and tenants never change after New, so they are read
	// without the lock; everything a tenant holds is guarded by mu.
	entities []string
	tenants  map[string]*Tenant

	mu          sync.Mutex
	tokens      map[string]time.Time // access token -> expiry
	issued      []string
	stats       Stats
	records     []RequestRecord
	faults      []Fault
	rates       FaultRates
	rng         *rand.Rand
	concLimit   int
	latency     time.Duration
	inFlight    int
	windowStart time.Time
	windowCount int
	// The never-ending listing (endless_listing.go): its mode, and the
	// sets it has made up so far.
	endless       EndlessListing
	endlessListed int

	// A state file's save (state_file.go), when there is one: every
	// request that may change what a tenant holds runs under keepMu and
	// then keep; an answer goes only once its change is kept.
	keepMu sync.Mutex
	keep   func() error
}

// New builds a fake with a DEFAULT sequence set in every entity.
func New(opts Options) *Server {
	s := &Server{
		clientID:             opts.ClientID,
		clientSecret:         opts.ClientSecret,
		tokenLifetime:        opts.TokenLifetime,
		rateLimit:            opts.RateLimitPerMinute,
		readOmitsID:          opts.ReadOmitsID,
		inheritPaymentRefund: opts.ReadShowsInheritedPaymentRefund,
		showsNumber:          opts.ReadShowsSequenceSetNumber,
		controlAPI:           opts.ControlAPI,
		latency:              max(opts.Latency, 0),
		tenants:              map[string]*Tenant{},
		tokens:               map[string]time.Time{},
		stats:                Stats{ByRoute: map[string]int{}},
	}
	if s.clientID == "" {
		s.clientID = DefaultClientID
	}
	if s.clientSecret == "" {
		s.clientSecret = DefaultClientSecret
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = time.Hour
	}
	if opts.RateLimit > 0 {
		s.rateLimit = opts.RateLimit
	}
	if s.rateLimit <= 0 {
		s.rateLimit = 50000
	}
	s.rateWindow = opts.RateLimitWindow
	if s.rateWindow <= 0 {
		s.rateWindow = time.Minute
	}
	for _, id := range opts.Entities {
		id = strings.TrimSpace(id)
		if id == "" || s.tenants[id] != nil {
			continue
		}
		s.entities = append(s.entities, id)
		s.tenants[id] = newTenant(s, id)
	}
	if len(s.entities) == 0 {
		s.entities = []string{DefaultEntityID}
		s.tenants[DefaultEntityID] = newTenant(s, DefaultEntityID)
	}
	return s
}

// call carries what one request needs while it is being answered.
type call struct {
	w          http.ResponseWriter
	r          *http.Request
	requestID  string
	realStatus bool // Zuora-Version opts in to real HTTP statuses
	rec        RequestRecord
	recorded   bool // false for paths outside /v1/ and /oauth/token
	latency    time.Duration
	slept      bool
	// The rate limiter's verdict when the request arrived: what its
	// RateLimit-* headers say.
	rateRemaining, rateReset int
	rateCounted              bool
	body                     []byte
	bodyErr                  error
	bodyRead                 bool
}

// readBody reads the request body once, at most maxBodyBytes of it.
func (c *call) readBody() {
	if c.bodyRead {
		return
	}
	c.bodyRead = true
	if c.r.Body == nil {
		return
	}
	c.body, c.bodyErr = io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBodyBytes))
}

// answer is a response not yet written, so it can be stored for
// idempotent replay or thrown away by a drop_after_commit fault.
type answer struct {
	status      int
	contentType string // "" with raw: no Content-Type at all
	body        []byte
	retryAfter  string
	allow       string
	raw         bool // written exactly: no gzip
	// limited marks a rate-limiter answer: RateLimit-Remaining is 0 and
	// RateLimit-Reset is resetSeconds.
	limited      bool
	resetSeconds int
	gone         bool // the client went away before anything was done
}

const setsPath = "/v1/sequence-sets"

// ServeHTTP routes to the token endpoint, the API, or the control surface.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/oauth/token":
		s.serveToken(s.newCall(w, r, true))
	case path == "/v1" || strings.HasPrefix(path, "/v1/"):
		s.serveAPI(s.newCall(w, r, true))
	case s.controlAPI && (path == "/_fake" || strings.HasPrefix(path, "/_fake/")):
		s.serveControl(w, r)
	default:
		c := s.newCall(w, r, false)
		s.finish(c, c.errorAnswer(catNotFound, "No HTTP resource was found that matches the request URI "+path+"."))
	}
}

func (s *Server) newCall(w http.ResponseWriter, r *http.Request, recorded bool) *call {
	c := &call{
		w:          w,
		r:          r,
		requestID:  newUUID(),
		realStatus: wantsRealStatus(r.Header.Get("Zuora-Version")),
		recorded:   recorded,
	}
	c.rec = RequestRecord{
		Method:         r.Method,
		Path:           r.URL.Path,
		TrackID:        r.Header.Get("Zuora-Track-Id"),
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		EntityIDs:      r.Header.Get("Zuora-Entity-Ids"),
		Version:        r.Header.Get("Zuora-Version"),
		UserAgent:      r.Header.Get("User-Agent"),
		RequestID:      c.requestID,
	}
	return c
}

// realStatusSince is the first API version that answers errors with real
// HTTP statuses instead of 200 + success:false.
const realStatusSince = "2024-05-20"

func wantsRealStatus(version string) bool {
	v := strings.TrimSpace(version)
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return false // absent, or an old numeric version such as 211.0
	}
	return v >= realStatusSince
}

// finish writes a with the headers every Zuora answer carries and records it.
func (s *Server) finish(c *call, a answer) {
	h := c.w.Header()
	h.Set("Zuora-Request-Id", c.requestID)
	// Only a valid track id is echoed: the answer's header is bounded
	// like the request's (64 characters), and a refused one is not ours.
	if tid := c.r.Header.Get("Zuora-Track-Id"); tid != "" && validTrackID(tid) {
		h.Set("Zuora-Track-Id", tid)
	}
	s.setLimitHeaders(c, h, a)
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	if a.allow != "" {
		h.Set("Allow", a.allow)
	}
	if a.contentType != "" {
		h.Set("Content-Type", a.contentType)
	} else if a.raw {
		h["Content-Type"] = nil // stops net/http from sniffing one
	}
	body := a.body
	if !a.raw {
		h.Set("Vary", "Accept-Encoding")
		if len(body) > 1000 && acceptsGzip(c.r.Header.Values("Accept-Encoding")) {
			if z, ok := gzipBytes(body); ok {
				body = z
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	status := a.status
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError // WriteHeader would panic
	}
	// Record first: a test that has just read the answer must find it.
	s.record(c, status)
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(body)
	}
}

func (s *Server) record(c *call, status int) {
	if !c.recorded {
		return
	}
	c.rec.Status = status
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) >= maxRecords {
		// Keep memory bounded for long cmd/zuorafake sessions.
		s.records = append(s.records[:0], s.records[len(s.records)-maxRecords/2:]...)
	}
	s.records = append(s.records, c.rec)
}

const maxRecords = 20000

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				continue
			}
			return true
		}
	}
	return false
}

func gzipBytes(b []byte) ([]byte, bool) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, false
	}
	if err := zw.Close(); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// route is what the path and method of an API request resolve to.
type route struct {
	key     string // "GET /v1/sequence-sets/{id}"; "" when the path is unknown
	id      string
	allow   string
	handler func(s *Server, c *call, t *Tenant, id string) answer // nil: method not allowed
}

func resolveRoute(method, path string) route {
	switch {
	case path == setsPath:
		rt := route{key: method + " " + setsPath, allow: "GET, POST"}
		switch method {
		case http.MethodGet:
			rt.handler = (*Server).listSets
		case http.MethodPost:
			rt.handler = (*Server).createSets
		}
		return rt
	case strings.HasPrefix(path, setsPath+"/"):
		id := path[len(setsPath)+1:]
		if id == "" || strings.Contains(id, "/") {
			return route{}
		}
		rt := route{key: method + " " + setsPath + "/{id}", id: id, allow: "GET, PUT, DELETE"}
		switch method {
		case http.MethodGet:
			rt.handler = (*Server).readSet
		case http.MethodPut:
			rt.handler = (*Server).updateSet
		case http.MethodDelete:
			rt.handler = (*Server).deleteSet
		}
		return rt
	}
	return route{}
}

// serveAPI answers /v1/. The order mirrors Zuora's layers: limiters and
// injected faults in front, then the gateway (auth, entity), then the
// idempotency layer, then the sequence-set service.
func (s *Server) serveAPI(c *call) {
	rt := resolveRoute(c.r.Method, c.r.URL.Path)
	c.rec.Route = rt.key

	now := time.Now()
	s.mu.Lock()
	s.stats.Requests++
	s.stats.APIRequests++
	if rt.key != "" {
		s.stats.ByRoute[rt.key]++
	}
	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
	overRate := s.countInWindowLocked(c, now)
	overConcurrency := s.concLimit > 0 && s.inFlight > s.concLimit
	var fault *Fault
	if !overConcurrency {
		fault = s.takeFaultLocked(rt.key, c.r.Method, true)
	}
	concurrencyRetry := s.rates.RetryAfter
	latency := s.latency
	s.mu.Unlock()

	// The request stops counting as in flight just before its answer is
	// written: a sequential client must never see itself as concurrent.
	released := false
	release := func() {
		if !released {
			released = true
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}
	}
	defer release()

	if overConcurrency {
		c.rec.Fault = "concurrency_limit"
		release()
		s.finish(c, c.concurrencyAnswer(concurrencyRetry))
		return
	}
	if fault != nil {
		c.rec.Fault = string(fault.Kind)
		if fault.Kind == FaultReset {
			release()
			s.resetConnection(c)
			return
		}
	}
	c.latency = latency
	// Read the body before waiting: only then does net/http watch the
	// connection and cancel the context of a client that gives up.
	c.readBody()
	answeredInFront := fault != nil && fault.Kind != FaultDropAfterCommit || overRate
	// A POST with an Idempotency-Key spends its latency after its key is
	// registered, so a duplicate sent meanwhile sees the first one still
	// running (409), as with a slow Zuora.
	keyed := c.r.Method == http.MethodPost && c.r.Header.Get("Idempotency-Key") != ""
	if (answeredInFront || !keyed) && !c.sleep() {
		s.record(c, 0) // the client went away
		return
	}
	var a answer
	switch {
	case fault != nil && fault.Kind != FaultDropAfterCommit:
		a = c.faultAnswer(*fault)
	case overRate:
		a = c.rateLimitAnswer(c.rateReset, "")
	case keyed:
		a = s.handleAPI(c, rt) // the idempotency layer keeps what its request changes
	default:
		a = s.kept(c, func() answer { return s.handleAPI(c, rt) })
	}
	if a.gone || !c.sleep() {
		s.record(c, 0)
		return
	}
	release()
	if fault != nil && fault.Kind == FaultDropAfterCommit {
		s.resetConnection(c) // drop_after_commit: everything is already stored
		return
	}
	s.finish(c, a)
}

// handleAPI is the gateway and the service behind it.
func (s *Server) handleAPI(c *call, rt route) answer {
	if rt.key == "" {
		return c.errorAnswer(catNotFound, "No HTTP resource was found that matches the request URI "+c.r.URL.Path+".")
	}
	if rt.handler == nil {
		a := c.errorAnswer(catMethod, "The requested HTTP method "+c.r.Method+" is not supported for "+c.r.URL.Path+".")
		a.allow = rt.allow
		return a
	}
	if !s.validToken(bearerToken(c.r)) {
		return gatewayUnauthorized()
	}
	c.rec.Authorized = true
	t, a, ok := s.resolveEntity(c)
	if !ok {
		return a
	}
	if tid := c.r.Header.Get("Zuora-Track-Id"); tid != "" && !validTrackID(tid) {
		return c.errorAnswer(catBadValue, `Zuora-Track-Id must be at most 64 US-ASCII characters and must not contain : ; " or '.`)
	}
	run := func() answer { return rt.handler(s, c, t, rt.id) }
	if key := c.r.Header.Get("Idempotency-Key"); key != "" {
		if c.r.Method == http.MethodPost {
			return s.idempotent(c, t, key, run)
		}
		// Keys only make other methods idempotent on PATCH, which this API
		// lacks; a key already used elsewhere is still refused.
		if a, conflict := s.idempotencyConflict(c, t, key); conflict {
			return a
		}
	}
	return run()
}

func validTrackID(v string) bool {
	if len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b < 0x20 || b > 0x7e || b == ':' || b == ';' || b == '"' || b == '\'' {
			return false
		}
	}
	return true
}

// sleep spends the request's latency once; false if the client went away.
func (c *call) sleep() bool {
	if c.slept {
		return true
	}
	c.slept = true
	return sleepCtx(c.r, c.latency)
}

// sleepCtx waits d unless the request is cancelled first.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
