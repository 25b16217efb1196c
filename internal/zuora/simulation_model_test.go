package zuora

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing/synctest"
	"time"
)

// The simulation's Zuora: an in-memory tenant reached through the client's
// transport, inside the simulation's synctest bubble. It follows the
// contract (/work/shared/zuora-api.md: real HTTP statuses, RateLimit-* on
// every answer, Concurrency-Limit-* on successes, the limiters' 429s) and
// injects what a real tenant shared with other pipelines does: latency,
// 503s and 429s with and without Retry-After, rate windows that reset,
// a concurrency limit another client changes, token failures and expiries,
// answers lost after the commit, pages without ids, pages shifted by
// creates and deletes of other pipelines.
//
// Determinism: every request waits at the model's arbiter, which serves
// the requests of one virtual instant only once every goroutine of the
// bubble is blocked (synctest.Wait), in the order of their keys (the
// operation, the route, the attempt), never in the order the scheduler
// happened to run them; each request's faults and latency come from a
// random source seeded by the run's seed and that key alone.

// simOpKey carries the simulated operation in a context; the model finds
// it in every request the operation causes (token requests included).
type simOpKey struct{}

func simOpFrom(ctx context.Context) *simOp {
	op, _ := ctx.Value(simOpKey{}).(*simOp)
	return op
}

// simFaults are a run's fault rates and shape, drawn from its seed.
type simFaults struct {
	latencyMax     time.Duration // a usual answer takes 1 ms up to this
	slow           float64       // an answer takes seconds
	timeout        float64       // an answer takes longer than the attempt timeout
	lost           float64       // the answer is lost after the commit
	refused        float64       // the connection is refused: the request never reaches Zuora
	unavailable    float64       // HTTP 503
	unavailableRA  float64       // of those, the share with Retry-After
	internal       float64       // HTTP 500, category 61
	concurrencyRA  float64       // a concurrency refusal carries Retry-After
	idlessPage     float64       // a full page comes without ids
	idlessGet      float64       // a GET's answer leaves out the id (as the doc sample does)
	revoke         float64       // an API request finds its token expired early (401)
	echoBearer     float64       // a 401's body quotes the bearer token (a proxy)
	tokenFail      float64       // /oauth/token answers 503
	tokenRA        float64       // /oauth/token answers 429 with Retry-After
	tokenEcho      float64       // /oauth/token's error body echoes the form (client_secret)
	tokenLife      time.Duration // expires_in
	tokenStorms    []simStorm
	dialStorms     []simStorm // spans in which every API dial is refused (a network blip)
	shiftInsert    float64    // a create goes anywhere in the listing order, not at its end
	endless        bool       // past the last set, every page is full of id-less sets
	rateLimit      int        // requests per window
	rateWindow     time.Duration
	concLimit      int
	foreignEvery   time.Duration // another pipeline acts about this often (0: never)
	foreignRate    bool          // it spends the rate window too
	foreignLimitTo []int         // concurrency limits it sets, in turn
	backoff        time.Duration // the client's BackoffBase (its cap is 60 times it)
}

// simStorm is a time when /oauth/token fails every request: with 503s, or
// with 429s and Retry-After.
type simStorm struct {
	from, to time.Duration
	limited  bool
}

// dialStorm reports whether at is in one of the run's dial storms.
func (m *simModel) dialStorm(at time.Time) bool {
	for _, s := range m.faults.dialStorms {
		if el := at.Sub(m.start); el >= s.from && el < s.to {
			return true
		}
	}
	return false
}

// simVersion is one state of a set: from when on, and the set (nil: absent).
type simVersion struct {
	from time.Time
	set  *SequenceSet
	by   string // the op or actor that made it
}

// simRequest is one request the model saw, as the invariants read it.
type simRequest struct {
	key      string // the arbiter's order: op, route, attempt
	op       *simOp // nil for the listing's own pages and the token calls no op owns
	route    string // token, create, get, list, update, delete, foreign
	method   string
	path     string
	query    url.Values
	header   http.Header
	body     []byte
	arrived  time.Time
	answered time.Time // delivered, cut short or lost; zero while in flight
	status   int
	lost     bool // committed, the answer never came
	cut      bool // the client gave up first (attempt timeout, deadline)
	idless   bool // a full page without ids
	page     int
	slot     bool // it took a slot of the concurrency limit

	ownInFlight int // this client's API requests in flight at its arrival, itself included
	knownLimit  int // Concurrency-Limit-Limit as the client could know it then (0: not yet)
	remaining   int // the window's RateLimit-Remaining after it
	foreignUsed int // others' requests in the window so far
	windowStart time.Time
	holdUntil   time.Time // when a 429 or a 503 with Retry-After, or RateLimit-Remaining 0, asks to come back

	answer  simAnswer
	reply   chan simAnswer
	foreign func(*simModel) // for the other pipeline's acts
}

type simAnswer struct {
	status  int
	header  http.Header
	body    []byte
	latency time.Duration
	lost    bool
}

// simModel is the tenant.
type simModel struct {
	seed   uint64
	faults simFaults
	start  time.Time
	secret string

	mu      sync.Mutex
	pending []*simRequest
	signal  chan struct{}
	ending  chan struct{} // closed when the actors are done
	stopped chan struct{} // closed when the arbiter is done
	open    int           // requests submitted and not finished

	// Set only by the arbiter (or under mu).
	order    []string // ids in listing order
	sets     map[string]*SequenceSet
	history  map[string][]simVersion
	nextID   int
	attempts map[string]int       // per op and route
	idem     map[string]simAnswer // Idempotency-Key → the first answer
	created  map[string][]string  // Idempotency-Key → the ids created with it
	tokens   map[string]time.Time // access token → when it expires
	revoked  map[string]bool      // tokens the model expired early
	issued   []string             // every access token handed out
	grants   []simGrant           // the tokens handed out, with their lives
	unsent   []time.Time          // when attempts were refused before reaching the tenant
	firstTry map[*simOp]time.Time // when each operation's first API attempt left the client, sent or not
	requests []*simRequest        // in arrival order
	ownFlow  int                  // own API requests in flight
	accepted int                  // own API requests holding a slot
	foreignF int                  // others' requests holding a slot
	limit    int                  // the concurrency limit now
	window   time.Time            // the rate window's start
	used     int                  // requests in the window
	foreignW int                  // others' requests in the window
	tokenWin [2]int               // token requests this minute: minute, count
	limitLog [2]simLimitAt        // the two latest Concurrency-Limit-Limit delivered
	maxSets  int                  // the most sets the tenant held
	deletes  []time.Time          // when sets were deleted
}

type simGrant struct {
	token       string
	at, expires time.Time
}

type simLimitAt struct {
	at    time.Time
	limit int
}

const simDefaultID = "2c92c0f8000000000000000000000000"

func newSimModel(seed uint64, f simFaults, preload int, secret string) *simModel {
	m := &simModel{
		seed: seed, faults: f, start: time.Now(), secret: secret,
		signal: make(chan struct{}, 1), ending: make(chan struct{}), stopped: make(chan struct{}),
		sets: map[string]*SequenceSet{}, history: map[string][]simVersion{},
		attempts: map[string]int{}, firstTry: map[*simOp]time.Time{}, idem: map[string]simAnswer{}, created: map[string][]string{},
		tokens: map[string]time.Time{}, revoked: map[string]bool{},
		limit: f.concLimit, window: time.Now(),
	}
	def := SequenceSet{ID: simDefaultID, Name: "DEFAULT",
		Invoice: &Numbering{"INV", 1}, CreditMemo: &Numbering{"CM", 1}, DebitMemo: &Numbering{"DM", 1},
		Payment: &Numbering{"P-", 1}, Refund: &Numbering{"R-", 1}}
	m.put(def, "preload")
	m.order = append(m.order, def.ID)
	for i := range preload {
		s := simSet(fmt.Sprintf("pre%d", i), fmt.Sprintf("PRE%d", i))
		s.ID = m.newID()
		m.put(s, "preload")
		m.order = append(m.order, s.ID)
	}
	m.maxSets = len(m.order)
	return m
}

// simSet is a valid set named name whose prefixes start with p.
func simSet(name, p string) SequenceSet {
	return SequenceSet{Name: name,
		Invoice: &Numbering{p + "I", 1}, CreditMemo: &Numbering{p + "C", 1}, DebitMemo: &Numbering{p + "D", 1}}
}

func (m *simModel) newID() string {
	m.nextID++
	return fmt.Sprintf("8a8082c4%024x", m.nextID)
}

// put records a new version of s (by its id).
func (m *simModel) put(s SequenceSet, by string) {
	c := s.clone()
	m.sets[s.ID] = &c
	v := c.clone()
	m.history[s.ID] = append(m.history[s.ID], simVersion{from: time.Now(), set: &v, by: by})
}

func (m *simModel) remove(id, by string) {
	delete(m.sets, id)
	m.order = slices.DeleteFunc(m.order, func(x string) bool { return x == id })
	m.history[id] = append(m.history[id], simVersion{from: time.Now(), by: by})
	m.deletes = append(m.deletes, time.Now())
}

// rng is the random source of one request: the run's seed and the key.
func (m *simModel) rng(key string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return rand.New(rand.NewPCG(m.seed, h.Sum64()))
}

// simQuiet is how long the arbiter outlives the actors without a request:
// longer than any backoff, Retry-After or attempt timeout of the run, so
// the listing's last pages and retries still get their answers.
const simQuiet = 10 * time.Minute

// run is the arbiter: it serves each instant's requests in key order once
// the whole bubble waits. Once the actors are done (ending), it ends after
// simQuiet without a request.
func (m *simModel) run() {
	defer close(m.stopped)
	ending := m.ending
	var idle <-chan time.Time
	for {
		select {
		case <-m.signal:
		case <-ending:
			ending = nil
			idle = time.After(simQuiet)
			continue
		case <-idle:
			m.mu.Lock()
			quiet := m.open == 0 && len(m.pending) == 0
			m.mu.Unlock()
			if quiet {
				return
			}
			idle = time.After(simQuiet)
			continue
		}
		if ending == nil {
			idle = time.After(simQuiet)
		}
		synctest.Wait()
		m.mu.Lock()
		batch := m.pending
		m.pending = nil
		m.mu.Unlock()
		slices.SortFunc(batch, func(a, b *simRequest) int { return cmp.Compare(a.key, b.key) })
		for _, r := range batch {
			m.mu.Lock()
			m.serve(r)
			m.mu.Unlock()
			r.reply <- r.answer
		}
	}
}

// submit queues r for the arbiter and waits for its answer.
func (m *simModel) submit(r *simRequest) simAnswer {
	r.reply = make(chan simAnswer, 1)
	m.mu.Lock()
	m.pending = append(m.pending, r)
	if r.foreign == nil {
		m.open++
	}
	m.mu.Unlock()
	select {
	case m.signal <- struct{}{}:
	default:
	}
	return <-r.reply
}

// errSimRefused is a refused connection as net/http's dialer reports it.
var errSimRefused = &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 443},
	Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

var errSimLost = errors.New("read tcp 127.0.0.1:40000->10.0.0.1:443: read: connection reset by peer")

func (m *simModel) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	r := &simRequest{op: simOpFrom(req.Context()), method: req.Method, path: req.URL.Path,
		query: req.URL.Query(), header: req.Header.Clone(), body: body}
	r.route = simRoute(req.Method, req.URL.Path)
	opName := "~nobody"
	if r.op != nil {
		opName = r.op.key
	}
	if r.route == "list" && r.op == nil {
		opName = "~listing"
	}
	r.page, _ = strconv.Atoi(r.query.Get("page"))
	base := fmt.Sprintf("%s/%s/p%04d", opName, r.route, r.page)
	m.mu.Lock()
	m.attempts[base]++
	r.key = fmt.Sprintf("%s/%03d", base, m.attempts[base])
	if _, tried := m.firstTry[r.op]; !tried && r.op != nil && r.route != "token" {
		m.firstTry[r.op] = time.Now()
	}
	refused := r.route != "token" && (m.rng(r.key+"/dial").Float64() < m.faults.refused || m.dialStorm(time.Now()))
	if refused {
		m.unsent = append(m.unsent, time.Now())
	}
	m.mu.Unlock()
	if refused {
		return nil, errSimRefused
	}

	ans := m.submit(r)
	timer := time.NewTimer(ans.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-req.Context().Done():
		m.finish(r, true)
		return nil, context.Cause(req.Context())
	}
	m.finish(r, false)
	if ans.lost {
		return nil, errSimLost
	}
	return &http.Response{StatusCode: ans.status, Status: http.StatusText(ans.status), Header: ans.header,
		Body: io.NopCloser(bytes.NewReader(ans.body)), ContentLength: int64(len(ans.body)), Request: req,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

func simRoute(method, path string) string {
	switch {
	case path == "/oauth/token":
		return "token"
	case path == sequenceSetsPath && method == http.MethodPost:
		return "create"
	case path == sequenceSetsPath:
		return "list"
	case method == http.MethodGet:
		return "get"
	case method == http.MethodPut:
		return "update"
	case method == http.MethodDelete:
		return "delete"
	}
	return "other"
}

// finish records the end of r: its slot is free.
func (m *simModel) finish(r *simRequest, cut bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	m.open--
	r.answered, r.cut, r.lost = now, cut, !cut && r.answer.lost
	if r.route == "token" || r.route == "foreign" {
		return
	}
	m.ownFlow--
	if r.slot {
		m.accepted--
	}
	if cut || r.answer.lost {
		return
	}
	// RateLimit-Remaining and -Reset say what is left when the answer
	// leaves, as a server that reads its counter then: the same for every
	// answer of one instant, whatever order the requests came in.
	if h := r.answer.header; h.Get("RateLimit-Remaining") != "" {
		m.rollWindowLocked(now)
		h.Set("RateLimit-Remaining", strconv.Itoa(max(m.faults.rateLimit-m.used, 0)))
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(m.window.Add(m.faults.rateWindow).Sub(now).Seconds()))))
	}
	if n, err := strconv.Atoi(r.answer.header.Get("Concurrency-Limit-Limit")); err == nil {
		if m.limitLog[1].at.Before(now) {
			m.limitLog[0] = m.limitLog[1]
		}
		m.limitLog[1] = simLimitAt{at: now, limit: n}
	}
}

// knownLimitLocked is the concurrency limit the client may know at now:
// from the answers delivered before this instant, or, of this instant's,
// the larger.
func (m *simModel) knownLimitLocked(now time.Time) int {
	latest, before := m.limitLog[1], m.limitLog[0]
	if latest.at.Before(now) {
		return latest.limit
	}
	return max(latest.limit, before.limit)
}

// serve decides r's answer and applies its effect, at its arrival.
func (m *simModel) serve(r *simRequest) {
	now := time.Now()
	r.arrived = now
	m.requests = append(m.requests, r)
	if r.foreign != nil {
		r.foreign(m)
		r.answer = simAnswer{}
		return
	}
	rng := m.rng(r.key)
	f := m.faults
	var lat time.Duration
	if p := rng.Float64(); p < f.timeout {
		lat = 10 * time.Minute
	} else if p < f.timeout+f.slow {
		lat = time.Second + time.Duration(rng.Int64N(int64(8*time.Second)))
	} else {
		lat = time.Millisecond + time.Duration(rng.Int64N(int64(max(f.latencyMax, time.Millisecond))))
	}
	r.answer.latency = lat
	if r.route == "token" {
		m.serveToken(r, rng)
		r.status = r.answer.status
		return
	}

	m.ownFlow++
	r.ownInFlight = m.ownFlow
	r.knownLimit = m.knownLimitLocked(now)
	h := http.Header{}
	h.Set("Zuora-Request-Id", simRequestID(r.key))
	h.Set("Content-Type", "application/json")
	r.answer.header = h

	// The rate window counts every request, refused or not.
	m.rollWindowLocked(now)
	m.used++
	remaining := max(f.rateLimit-m.used, 0)
	reset := m.window.Add(f.rateWindow).Sub(now)
	resetSecs := int(math.Ceil(reset.Seconds()))
	h.Set("RateLimit-Limit", fmt.Sprintf("%d;w=%d", f.rateLimit, int(f.rateWindow.Seconds())))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(resetSecs))
	r.remaining, r.foreignUsed, r.windowStart = remaining, m.foreignW, m.window

	refuse := func(status int, code, msg string) {
		r.answer.status = status
		r.answer.body = simFailure(r.key, code, msg)
	}
	switch {
	case m.used > f.rateLimit:
		refuse(http.StatusTooManyRequests, "70", fmt.Sprintf("API Rate limit exceeded for the window, retry after %d seconds", resetSecs))
		r.holdUntil = now.Add(time.Duration(resetSecs) * time.Second)
	case m.accepted+m.foreignF >= m.limit:
		refuse(http.StatusTooManyRequests, concurrencyLimitCode, "Concurrency limit exceeded")
		h.Del("RateLimit-Remaining") // the concurrency limiter's answer: Retry-After, when any
		h.Del("RateLimit-Reset")
		h.Del("RateLimit-Limit")
		if rng.Float64() < f.concurrencyRA {
			ra := 1 + rng.IntN(5)
			h.Set("Retry-After", strconv.Itoa(ra))
			r.holdUntil = now.Add(time.Duration(ra) * time.Second)
		}
	default:
		m.accepted++
		r.slot = true
		m.serveAPI(r, rng)
	}
	if remaining == 0 && r.holdUntil.IsZero() {
		r.holdUntil = now.Add(time.Duration(resetSecs) * time.Second)
	}
	r.status = r.answer.status
}

// serveAPI answers a request that passed the limiters.
func (m *simModel) serveAPI(r *simRequest, rng *rand.Rand) {
	f := m.faults
	h := r.answer.header
	token := bearer(r.header.Get("Authorization"))
	exp, known := m.tokens[token]
	if !known || !time.Now().Before(exp) || m.revoked[token] || rng.Float64() < f.revoke {
		m.revoked[token] = true
		r.answer.status = http.StatusUnauthorized
		msg := "Authentication error"
		if rng.Float64() < f.echoBearer {
			msg = "Authentication error: Authorization: Bearer " + token + " is not valid"
		}
		r.answer.body, _ = json.Marshal(map[string]string{"message": msg})
		return
	}
	p := rng.Float64()
	switch {
	case p < f.unavailable:
		r.answer.status = http.StatusServiceUnavailable
		if rng.Float64() < f.unavailableRA {
			ra := 1 + rng.IntN(4)
			h.Set("Retry-After", strconv.Itoa(ra))
			r.holdUntil = time.Now().Add(time.Duration(ra) * time.Second)
		}
		r.answer.body = simFailure(r.key, "50000061", "Service unavailable")
		return
	case p < f.unavailable+f.internal:
		r.answer.status = http.StatusInternalServerError
		r.answer.body = simFailure(r.key, "50000061", "Temporary error, please retry")
		return
	}
	m.answerAPI(r, rng)
	if r.answer.status == http.StatusOK {
		h.Set("Concurrency-Limit-Type", "Default")
		h.Set("Concurrency-Limit-Limit", strconv.Itoa(m.limit))
		h.Set("Concurrency-Limit-Remaining", strconv.Itoa(max(m.limit-m.accepted-m.foreignF, 0)))
	}
	if rng.Float64() < f.lost {
		r.answer.lost = true
	}
}

// answerAPI applies a sequence-set request.
func (m *simModel) answerAPI(r *simRequest, rng *rand.Rand) {
	ok := func(v any) {
		r.answer.status = http.StatusOK
		r.answer.body, _ = json.Marshal(v)
	}
	id := strings.TrimPrefix(r.path, sequenceSetsPath+"/")
	by := r.key
	switch r.route {
	case "create":
		key := r.header.Get("Idempotency-Key")
		if prev, seen := m.idem[key]; seen && key != "" {
			r.answer.status, r.answer.body = prev.status, prev.body
			return
		}
		var in sequenceSetsBody
		if json.Unmarshal(r.body, &in) != nil || len(in.SequenceSets) != 1 {
			r.answer.status, r.answer.body = http.StatusBadRequest, simFailure(r.key, "50000090", "malformed")
			return
		}
		s := in.SequenceSets[0]
		s.ID, s.Number = m.newID(), ""
		m.put(s, by)
		pos := len(m.order)
		if rng.Float64() < m.faults.shiftInsert {
			pos = 1 + rng.IntN(len(m.order))
		}
		m.order = slices.Insert(m.order, pos, s.ID)
		m.maxSets = max(m.maxSets, len(m.order))
		m.created[key] = append(m.created[key], s.ID)
		ok(map[string]any{"success": true, "sequenceSets": []SequenceSet{s}})
		m.idem[key] = r.answer
	case "get":
		s, found := m.sets[id]
		if !found {
			r.answer.status, r.answer.body = http.StatusNotFound, simFailure(r.key, "50000040", "sequence set not found")
			return
		}
		out := s.clone()
		if rng.Float64() < m.faults.idlessGet {
			out.ID = ""
		}
		ok(struct {
			Success bool `json:"success"`
			SequenceSet
		}{true, out})
	case "update":
		s, found := m.sets[id]
		if !found || id == simDefaultID {
			r.answer.status, r.answer.body = http.StatusNotFound, simFailure(r.key, "50000040", "sequence set not found")
			return
		}
		var p SequenceSetPatch
		if json.Unmarshal(r.body, &p) != nil {
			r.answer.status, r.answer.body = http.StatusBadRequest, simFailure(r.key, "50000090", "malformed")
			return
		}
		n := simPatched(*s, p)
		m.put(n, by)
		ok(map[string]bool{"success": true})
	case "delete":
		if _, found := m.sets[id]; !found || id == simDefaultID {
			r.answer.status, r.answer.body = http.StatusNotFound, simFailure(r.key, "50000040", "sequence set not found")
			return
		}
		m.remove(id, by)
		ok(map[string]bool{"success": true})
	case "list":
		m.answerList(r, rng, ok)
	default:
		r.answer.status, r.answer.body = http.StatusNotFound, simFailure(r.key, "50000040", "no such route")
	}
}

func (m *simModel) answerList(r *simRequest, rng *rand.Rand, ok func(any)) {
	size, _ := strconv.Atoi(r.query.Get("pageSize"))
	if size <= 0 {
		size = 20
	}
	size = min(size, ListPageSize)
	page := max(r.page, 1)
	ids := m.order
	if name := r.query.Get("name"); name != "" {
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return m.sets[id].Name != name })
	}
	var out []SequenceSet
	for i := (page - 1) * size; i < page*size && i < len(ids); i++ {
		out = append(out, m.sets[ids[i]].clone())
	}
	if m.faults.endless && r.query.Get("name") == "" && len(out) < size {
		for len(out) < size {
			out = append(out, simSet(fmt.Sprintf("ghost%d", len(out)), "GHOST"))
		}
		r.idless = true
	}
	if len(out) == size && rng.Float64() < m.faults.idlessPage {
		r.idless = true
	}
	if r.idless {
		for i := range out {
			out[i].ID = ""
		}
	}
	if out == nil {
		out = []SequenceSet{}
	}
	ok(map[string]any{"success": true, "sequenceSets": out})
}

// simPatched is s with patch p merged as Zuora merges a PUT.
func simPatched(s SequenceSet, p SequenceSetPatch) SequenceSet {
	s = s.clone()
	if p.Name != nil {
		s.Name = *p.Name
	}
	for _, c := range []struct {
		n **Numbering
		p *NumberingPatch
	}{{&s.Invoice, p.Invoice}, {&s.CreditMemo, p.CreditMemo}, {&s.DebitMemo, p.DebitMemo}, {&s.Payment, p.Payment}, {&s.Refund, p.Refund}} {
		if c.p.empty() {
			continue
		}
		if *c.n == nil {
			*c.n = &Numbering{}
		}
		if c.p.Prefix != nil {
			(*c.n).Prefix = *c.p.Prefix
		}
		if c.p.StartNumber != nil {
			(*c.n).StartNumber = *c.p.StartNumber
		}
	}
	return s
}

// serveToken answers /oauth/token.
func (m *simModel) serveToken(r *simRequest, rng *rand.Rand) {
	f := m.faults
	now := time.Now()
	h := http.Header{"Content-Type": {"application/json"}, "Zuora-Request-Id": {simRequestID(r.key)}}
	r.answer.header = h
	form, _ := url.ParseQuery(string(r.body))
	storm, stormLimited := false, false
	for _, s := range f.tokenStorms {
		if el := now.Sub(m.start); el >= s.from && el < s.to {
			storm, stormLimited = true, s.limited
		}
	}
	minute := int(now.Sub(m.start) / time.Minute)
	if m.tokenWin[0] != minute {
		m.tokenWin = [2]int{minute, 0}
	}
	m.tokenWin[1]++
	fail := func(status int, body string) {
		r.answer.status, r.answer.body = status, []byte(body)
		if rng.Float64() < f.tokenEcho {
			// A proxy that echoes the form it could not pass on.
			r.answer.body = []byte("upstream refused client_secret=" + form.Get("client_secret") +
				"&client_id=" + form.Get("client_id") + "&grant_type=client_credentials")
			h.Set("Content-Type", "text/plain")
		}
	}
	p := rng.Float64()
	switch {
	case m.tokenWin[1] > 100 || p < f.tokenRA || stormLimited:
		ra := 5 + rng.IntN(60)
		h.Set("Retry-After", strconv.Itoa(ra))
		r.holdUntil = now.Add(time.Duration(ra) * time.Second)
		fail(http.StatusTooManyRequests, `{"error":"too_many_requests","error_description":"Token rate limit exceeded"}`)
	case storm || p < f.tokenRA+f.tokenFail:
		fail(http.StatusServiceUnavailable, `{"error":"temporarily_unavailable","error_description":"try again later"}`)
	case form.Get("client_secret") != m.secret:
		fail(http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Bad client credentials"}`)
	default:
		tok := fmt.Sprintf("tok%016x%016x", rng.Uint64(), rng.Uint64())
		m.tokens[tok] = now.Add(f.tokenLife)
		m.issued = append(m.issued, tok)
		m.grants = append(m.grants, simGrant{token: tok, at: now, expires: now.Add(f.tokenLife)})
		r.answer.status = http.StatusOK
		r.answer.body, _ = json.Marshal(map[string]any{"access_token": tok, "token_type": "bearer",
			"expires_in": int(f.tokenLife.Seconds()), "scope": "entity.sim", "jti": tok[3:11]})
	}
}

// simFailure is a classic v1 failure body.
func simFailure(key, code, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"success": false, "processId": "SIM", "requestId": simRequestID(key),
		"reasons": []map[string]any{{"code": json.Number(code), "message": msg}}})
	return b
}

// simRequestID is a 36-character id for the request of key.
func simRequestID(key string) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(key))
	s := fmt.Sprintf("%x", h.Sum(nil))
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// foreign runs another pipeline on the tenant until stop: it creates and
// deletes its own sets (shifting the pages), updates preloaded ones,
// spends the rate window, takes concurrency slots, and changes the limit.
func (m *simModel) foreign(rng *rand.Rand, done func()) {
	defer done()
	f := m.faults
	if f.foreignEvery == 0 {
		return
	}
	var mine []string
	limits := 0
	for n := 0; ; n++ {
		t := time.NewTimer(time.Duration(rng.Int64N(int64(2 * f.foreignEvery))))
		select {
		case <-m.ending:
			t.Stop()
			return
		case <-t.C:
		}
		act := rng.IntN(6)
		var do func(*simModel)
		switch act {
		case 0, 1: // create, anywhere in the order
			name, pos := fmt.Sprintf("fx%d", n), rng.Float64()
			do = func(m *simModel) {
				s := simSet(name, fmt.Sprintf("FX%d", n))
				s.ID = m.newID()
				m.put(s, "foreign")
				i := 1 + int(pos*float64(len(m.order)-1))
				m.order = slices.Insert(m.order, i, s.ID)
				m.maxSets = max(m.maxSets, len(m.order))
				mine = append(mine, s.ID)
			}
		case 2: // delete one of its own, or a preloaded set
			pick := rng.Float64()
			do = func(m *simModel) {
				if len(mine) > 0 && pick < 0.5 {
					i := int(pick * 2 * float64(len(mine)))
					id := mine[i]
					mine = slices.Delete(mine, i, i+1)
					m.remove(id, "foreign")
					return
				}
				if len(m.order) > 1 {
					id := m.order[1+int(pick*float64(len(m.order)-1))]
					if h := m.history[id]; len(h) > 0 && h[0].by == "preload" {
						m.remove(id, "foreign")
					}
				}
			}
		case 3: // update a preloaded set
			pick, start := rng.Float64(), int64(2+rng.IntN(1000))
			do = func(m *simModel) {
				if len(m.order) > 1 {
					id := m.order[1+int(pick*float64(len(m.order)-1))]
					if h := m.history[id]; len(h) > 0 && h[0].by == "preload" {
						m.put(simPatched(*m.sets[id], SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &start}}), "foreign")
					}
				}
			}
		case 4: // spend the window, take slots for a while
			k, hold := 1+rng.IntN(5), time.Duration(rng.Int64N(int64(3*time.Second)))
			do = func(m *simModel) {
				if f.foreignRate {
					m.used += k
					m.foreignW += k
				}
				m.foreignF += k
			}
			release := func(m *simModel) { m.foreignF -= k }
			go func() {
				time.Sleep(hold)
				m.submitForeign(n, "release", release)
			}()
		case 5: // another client's limit
			if len(f.foreignLimitTo) == 0 {
				continue
			}
			to := f.foreignLimitTo[limits%len(f.foreignLimitTo)]
			limits++
			do = func(m *simModel) { m.limit = to }
		}
		m.submitForeign(n, "act", do)
	}
}

func (m *simModel) submitForeign(n int, what string, do func(*simModel)) {
	m.submit(&simRequest{key: fmt.Sprintf("~foreign/%06d/%s", n, what), route: "foreign", foreign: do})
}

// versionsOf is the history of id (nil versions: absent).
func (m *simModel) versionsOf(id string) []simVersion {
	return m.history[strings.ToLower(id)]
}

// rollWindowLocked starts the rate windows that began by now.
func (m *simModel) rollWindowLocked(now time.Time) {
	for !now.Before(m.window.Add(m.faults.rateWindow)) {
		m.window, m.used, m.foreignW = m.window.Add(m.faults.rateWindow), 0, 0
	}
}
