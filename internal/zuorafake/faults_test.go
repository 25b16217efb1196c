package zuorafake

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// freshConnections makes every request use a new connection: net/http
// silently retries GETs (and keyed POSTs) that die on a reused one.
func freshConnections(h *harness) {
	h.hc = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultRateLimit(t *testing.T) {
	for _, m := range errorModes {
		t.Run(m.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			h.version = m.version
			h.fake.Inject(Fault{Kind: FaultRateLimit, RetryAfter: 50 * time.Millisecond, Count: 2})
			for i := 0; i < 2; i++ {
				r := h.do(http.MethodGet, "/v1/sequence-sets", "")
				if r.status != http.StatusTooManyRequests || r.code() != 70 || r.m["success"] != false {
					t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
				}
				if !strings.Contains(string(r.body), "API Rate limit exceeded") {
					t.Errorf("message: %s", r.body)
				}
				if r.header.Get("RateLimit-Remaining") != "0" || r.header.Get("RateLimit-Reset") != "1" || r.header.Get("Retry-After") != "0.05" {
					t.Errorf("headers %v", r.header)
				}
				if !uuidV4.MatchString(r.header.Get("Zuora-Request-Id")) {
					t.Error("no request id")
				}
			}
			wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
			if st := h.fake.Stats(); st.FaultsInjected != 2 {
				t.Errorf("FaultsInjected = %d", st.FaultsInjected)
			}
			h.fake.Inject(Fault{Kind: FaultRateLimit, RetryAfter: 2 * time.Second})
			if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.header.Get("Retry-After") != "2" || r.header.Get("RateLimit-Reset") != "2" {
				t.Errorf("whole-second Retry-After: %v", r.header)
			}
		})
	}
}

func TestFaultUnavailable(t *testing.T) {
	h := newHarness(t, Options{})
	h.version = ""
	h.fake.Inject(Fault{Kind: FaultUnavailable, RetryAfter: 1500 * time.Millisecond})
	r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("U", "U")))
	if r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), "Service Unavailable") || r.header.Get("Retry-After") != "1.5" {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
	if _, ok := h.fake.SetByName("U"); ok {
		t.Error("a 503 stored the set")
	}
}

func TestFaultReset(t *testing.T) {
	h := newHarness(t, Options{})
	freshConnections(h)
	h.fake.Inject(Fault{Kind: FaultReset, Route: "POST /v1/sequence-sets"})
	r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("R", "R")))
	if r.err == nil {
		t.Fatalf("no transport error: %d %s", r.status, r.body)
	}
	if _, ok := h.fake.SetByName("R"); ok {
		t.Error("reset stored the set")
	}
	recs := h.fake.Requests()
	if last := recs[len(recs)-1]; last.Fault != "reset" || last.Status != 0 {
		t.Errorf("record %+v", last)
	}
	h.create(setJSON("R", "R"))
}

func TestFaultDropAfterCommit(t *testing.T) {
	h := newHarness(t, Options{})
	freshConnections(h)
	h.fake.Inject(Fault{Kind: FaultDropAfterCommit, Method: http.MethodPost})
	r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("D", "D")))
	if r.err == nil {
		t.Fatalf("no transport error: %d %s", r.status, r.body)
	}
	if _, ok := h.fake.SetByName("D"); !ok {
		t.Fatal("drop_after_commit did not store the set")
	}
	if st := h.fake.Stats(); st.Created != 1 || st.FaultsInjected != 1 {
		t.Errorf("stats %+v", st)
	}
	// A blind retry now trips the duplicate-name rule: why clients send keys.
	wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("D", "D"))), true, catRule)
}

func TestFaultRaw(t *testing.T) {
	h := newHarness(t, Options{})
	h.hc.Transport = &http.Transport{DisableCompression: true}
	long := "<html>" + strings.Repeat("x", 2000) + "</html>"
	h.fake.Inject(Fault{Kind: FaultRaw, Status: 502, ContentType: "text/html", Body: long})
	h.fake.Inject(Fault{Kind: FaultRaw, Status: 200, ContentType: "application/json", Body: `{"success":true,"sequenceSets":[{"na`})
	h.fake.Inject(Fault{Kind: FaultRaw, Status: 500})
	r := h.do(http.MethodGet, "/v1/sequence-sets", "", "Accept-Encoding", "gzip")
	if r.status != 502 || r.header.Get("Content-Type") != "text/html" || string(r.body) != long || r.header.Get("Content-Encoding") != "" {
		t.Errorf("raw html: %d %v", r.status, r.header)
	}
	if r = h.do(http.MethodGet, "/v1/sequence-sets", ""); r.status != 200 || string(r.body) != `{"success":true,"sequenceSets":[{"na` {
		t.Errorf("truncated json: %d %s", r.status, r.body)
	}
	if r = h.do(http.MethodGet, "/v1/sequence-sets", ""); r.status != 500 || len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		t.Errorf("empty body: %d %v %q", r.status, r.header, r.body)
	}
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(setJSON("M", "M"))
	h.fake.Inject(Fault{Kind: FaultRaw, Route: "GET /v1/sequence-sets/{id}", Status: 518, Body: "first"})
	h.fake.Inject(Fault{Kind: FaultRaw, Route: "GET /v1/sequence-sets/{id}", Status: 519, Body: "second"})
	h.fake.Inject(Fault{Kind: FaultRaw, Method: http.MethodDelete, Status: 520})
	// Other routes and methods pass the queued faults by.
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+id, `{"name":"M2"}`))
	if r := h.do(http.MethodGet, "/v1/sequence-sets/"+id, ""); r.status != 518 {
		t.Errorf("FIFO: got %d", r.status)
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets/"+id, ""); r.status != 519 {
		t.Errorf("FIFO: got %d", r.status)
	}
	if r := h.do(http.MethodDelete, "/v1/sequence-sets/"+id, ""); r.status != 520 {
		t.Errorf("method match: got %d", r.status)
	}
	// Route "" never hits the token endpoint; naming it does.
	h.fake.Inject(Fault{Kind: FaultUnavailable})
	h.grant("", "")
	h.fake.ClearFaults()
	h.fake.Inject(Fault{Kind: FaultUnavailable, Route: "POST /oauth/token"})
	if r := h.do(http.MethodPost, "/oauth/token", "client_id=x"); r.status != 503 {
		t.Errorf("token fault: %d", r.status)
	}
	h.fake.Inject(Fault{Kind: "bogus"})
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
}

func TestFaultRatesAreDeterministic(t *testing.T) {
	statuses := func() string {
		h := newHarness(t, Options{})
		h.fake.SetFaultRates(FaultRates{RateLimit: 0.3, Unavailable: 0.3, RetryAfter: 10 * time.Millisecond, Seed: 42})
		var out []string
		for i := 0; i < 30; i++ {
			out = append(out, strconv.Itoa(h.do(http.MethodGet, "/v1/sequence-sets", "").status))
		}
		if st := h.fake.Stats(); st.FaultsInjected == 0 || st.FaultsInjected == 30 {
			t.Errorf("FaultsInjected = %d of 30", st.FaultsInjected)
		}
		h.fake.ClearFaults()
		wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
		return strings.Join(out, ",")
	}
	a, b := statuses(), statuses()
	if a != b {
		t.Errorf("same seed, different storms:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "429") || !strings.Contains(a, "503") || !strings.Contains(a, "200") {
		t.Errorf("storm lacks a kind: %s", a)
	}

	h := newHarness(t, Options{})
	freshConnections(h)
	h.fake.SetFaultRates(FaultRates{DropAfterCommit: 1})
	if r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("S", "S"))); r.err == nil {
		t.Error("drop rate 1 answered")
	}
	if _, ok := h.fake.SetByName("S"); !ok {
		t.Error("dropped create not stored")
	}
}

func TestConcurrencyLimit(t *testing.T) {
	h := newHarness(t, Options{})
	h.fake.SetConcurrencyLimit(2)
	h.fake.SetLatency(150 * time.Millisecond)
	var wg sync.WaitGroup
	results := make([]*result, 5)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.do(http.MethodGet, "/v1/sequence-sets", "")
		}()
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, r := range results {
		switch {
		case r.status == 200:
			ok++
		case r.status == 429 && r.code() == 50000070 && r.header.Get("Retry-After") == "1":
			limited++
		default:
			t.Errorf("unexpected %d %v %s", r.status, r.header, r.body)
		}
	}
	if ok != 2 || limited != 3 {
		t.Errorf("ok=%d limited=%d, want 2 and 3", ok, limited)
	}
	if st := h.fake.Stats(); st.MaxInFlight < 3 {
		t.Errorf("MaxInFlight = %d, want at least 3", st.MaxInFlight)
	}

	// A sequential client never counts as concurrent, even at limit 1.
	h.fake.ClearFaults()
	h.fake.SetConcurrencyLimit(1)
	h.fake.SetFaultRates(FaultRates{RetryAfter: 30 * time.Millisecond})
	for i := 0; i < 30; i++ {
		wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Options{Latency: 60 * time.Millisecond})
	start := time.Now()
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answer after %v, latency 60ms", d)
	}
	start = time.Now()
	h.grant("", "")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("token after %v, latency 60ms", d)
	}

	// Cancelling the request ends the wait and stores nothing.
	h.fake.SetLatency(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/v1/sequence-sets", strings.NewReader(createBody(setJSON("L", "L"))))
	req.Header.Set("Authorization", "Bearer "+h.token)
	if _, err := h.hc.Do(req); err == nil {
		t.Fatal("no error from a cancelled request")
	}
	var last RequestRecord
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if recs := h.fake.Requests(); recs[len(recs)-1].Path == "/v1/sequence-sets" {
			last = recs[len(recs)-1]
			break
		}
	}
	if last.Path != "/v1/sequence-sets" || last.Status != 0 {
		t.Errorf("the cancelled request was not recorded as unanswered within a second: %+v", last)
	}
	if _, ok := h.fake.SetByName("L"); ok {
		t.Error("a cancelled create was stored")
	}

	h.fake.ClearFaults()
	start = time.Now()
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	if d := time.Since(start); d > time.Second {
		t.Errorf("ClearFaults kept latency: %v", d)
	}
}

func TestRateLimitPerMinute(t *testing.T) {
	for _, m := range errorModes {
		t.Run(m.name, func(t *testing.T) {
			h := newHarness(t, Options{RateLimitPerMinute: 3})
			h.version = m.version
			for i := 0; i < 3; i++ {
				r := h.do(http.MethodGet, "/v1/sequence-sets", "")
				wantOK(t, r)
				if got := r.header.Get("RateLimit-Remaining"); got != strconv.Itoa(2-i) {
					t.Errorf("RateLimit-Remaining %q after %d requests", got, i+1)
				}
			}
			r := h.do(http.MethodGet, "/v1/sequence-sets", "")
			if r.status != 429 || r.code() != 70 || r.header.Get("RateLimit-Remaining") != "0" {
				t.Fatalf("over the limit: %d %v %s", r.status, r.header, r.body)
			}
			reset, err := strconv.Atoi(r.header.Get("RateLimit-Reset"))
			if err != nil || reset < 1 || reset > 60 {
				t.Errorf("RateLimit-Reset %q", r.header.Get("RateLimit-Reset"))
			}
			if !strings.Contains(string(r.body), "retry after "+strconv.Itoa(reset)+" seconds") {
				t.Errorf("message: %s", r.body)
			}
			// The token endpoint is not part of the API budget.
			h.grant("", "")
		})
	}
}

// TestRateLimitWindow: a short, configurable window, so tests of clients
// that pace themselves run in seconds; the window starts over once it ends,
// and the control API sets it.
func TestRateLimitWindow(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 2, RateLimitWindow: time.Second})
	for i := range 2 {
		r := h.do(http.MethodGet, "/v1/sequence-sets", "")
		wantOK(t, r)
		if got := r.header.Get("RateLimit-Limit"); got != "2, 2;w=1" {
			t.Errorf("RateLimit-Limit %q", got)
		}
		if got := r.header.Get("RateLimit-Reset"); got != "1" {
			t.Errorf("request %d: RateLimit-Reset %q, want 1 (second)", i, got)
		}
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.status != 429 {
		t.Fatalf("the third request in the window: %d", r.status)
	}
	time.Sleep(time.Second)
	r := h.do(http.MethodGet, "/v1/sequence-sets", "")
	wantOK(t, r)
	if got := r.header.Get("RateLimit-Remaining"); got != "1" {
		t.Fatalf("in a new window RateLimit-Remaining is %q, want 1", got)
	}

	h.fake.SetRateLimit(50, 5*time.Second)
	if limit, window := h.fake.RateLimit(); limit != 50 || window != 5*time.Second {
		t.Fatalf("SetRateLimit: %d per %v", limit, window)
	}
	r = h.do(http.MethodGet, "/v1/sequence-sets", "")
	if got := r.header.Get("RateLimit-Reset"); got != "5" || r.header.Get("RateLimit-Remaining") != "49" {
		t.Fatalf("after SetRateLimit(50, 5s): remaining %q, reset %q", r.header.Get("RateLimit-Remaining"), got)
	}
}
