package zuora

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// synthetic is an answer with the given headers.
func synthetic(status int, headers ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

// TestPacingWaitsForTheWindow: once RateLimit-Remaining says the window is
// spent, the next request waits for RateLimit-Reset instead of being sent to
// be refused, in both of Zuora's error modes.
func TestPacingWaitsForTheWindow(t *testing.T) {
	for _, mode := range errorModes {
		t.Run(mode.name, func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{RateLimit: 3, RateLimitWindow: time.Second})
			c := newTestClient(t, url, apiVersion(mode.version))
			start := time.Now()
			for range 5 {
				if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if d := time.Since(start); d < 500*time.Millisecond {
				t.Fatalf("5 requests at 3 a second took %v: the client did not wait for the window", d)
			}
			for _, r := range fake.Requests() {
				if r.Status == http.StatusTooManyRequests || r.Fault != "" {
					t.Fatalf("a request was refused (%+v): the client should have waited instead", r)
				}
			}
		})
	}
}

// TestPacingRefusalHoldsEveryRequest: after one request is refused with a
// Retry-After, the client's other requests wait for it too, instead of
// each being refused in turn.
func TestPacingRefusalHoldsEveryRequest(t *testing.T) {
	for _, mode := range errorModes {
		t.Run(mode.name, func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url, apiVersion(mode.version))
			fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 1, RetryAfter: 400 * time.Millisecond})
			if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
				t.Fatal(err)
			}
			// The refused request waited 400 ms; a fresh one sent right
			// after the refusal waits out the same hold.
			fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 1, RetryAfter: 400 * time.Millisecond})
			var wg sync.WaitGroup
			wg.Go(func() { _, _ = c.ListSequenceSets(context.Background(), ListOptions{}) })
			time.Sleep(50 * time.Millisecond) // the refusal is in
			start := time.Now()
			fake.ResetStats()
			if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < 300*time.Millisecond {
				t.Fatalf("a request during the hold went after %v; want it held for the Retry-After", d)
			}
			wg.Wait()
			refused := 0
			for _, r := range fake.Requests() {
				if r.Fault != "" {
					refused++
				}
			}
			if refused != 0 {
				t.Fatalf("%d requests refused during the hold", refused)
			}
		})
	}
}

// TestPacingConcurrencyLimit: with Concurrency-Limit-Remaining at 0, a new
// request waits until one of the client's own finishes.
func TestPacingConcurrencyLimit(t *testing.T) {
	p := newPacer()
	ctx := context.Background()
	first, _ := p.admit(ctx)
	second, _ := p.admit(ctx)
	p.done(first, synthetic(200, "Concurrency-Limit-Remaining", "0"), nil)
	admitted := make(chan struct{})
	go func() {
		if _, err := p.admit(ctx); err == nil {
			close(admitted)
		}
	}()
	select {
	case <-admitted:
		t.Fatal("admitted while the tenant is at its concurrency limit and one of ours is in flight")
	case <-time.After(100 * time.Millisecond):
	}
	p.done(second, synthetic(200, "Concurrency-Limit-Remaining", "1"), nil)
	select {
	case <-admitted:
	case <-time.After(time.Second):
		t.Fatal("not admitted after one of ours finished")
	}
}

// TestPacingDeadlineShorterThanTheWait: the wait is refused at once, never
// slept.
func TestPacingDeadlineShorterThanTheWait(t *testing.T) {
	p := newPacer()
	seq, _ := p.admit(context.Background())
	p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "60", "Zuora-Request-Id", "req-1"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := p.admit(ctx)
	var waitErr *WaitError
	if !errors.As(err, &waitErr) || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("admit = %v after %v, want a *WaitError at once", err, time.Since(start))
	}
	if waitErr.RequestID != "req-1" || waitErr.Wait < 59*time.Second || !strings.Contains(err.Error(), "RateLimit-Remaining: 0") {
		t.Fatalf("%+v: %v", waitErr, err)
	}
	// Without a deadline it would wait; cancelling ends that wait.
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel2)
	if _, err := p.admit(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
}

// TestPacingWindowResets: a spent window holds until its reset, then the
// budget is unknown again and requests go.
func TestPacingWindowResets(t *testing.T) {
	p := newPacer()
	seq, _ := p.admit(context.Background())
	p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "0.2"), nil)
	start := time.Now()
	if _, err := p.admit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > time.Second {
		t.Fatalf("admitted after %v, want about 200ms", d)
	}
	// Remaining 2, reset far: two more go, the third waits.
	p.done(2, synthetic(200, "RateLimit-Remaining", "2", "RateLimit-Reset", "60"), nil)
	for range 2 {
		if _, err := p.admit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := p.admit(ctx); !errors.As(err, new(*WaitError)) {
		t.Fatalf("the third request in a window of 2: %v, want a wait past the deadline", err)
	}
}

// silentServer accepts connections and never answers, as a gateway that
// hangs; it closes them when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestAttemptTimeoutBoundsASilentServer: an answer that never comes ends
// the attempt at the attempt timeout and is retried like a lost connection.
func TestAttemptTimeoutBoundsASilentServer(t *testing.T) {
	_, url := startFake(t, zuorafake.Options{})
	silent := silentServer(t)
	// The token comes from the fake; every API request goes to the server
	// that never answers.
	c := newTestClient(t, url, retries(2), func(c *Config) {
		c.AttemptTimeout = 200 * time.Millisecond
		c.HTTPClient = &http.Client{Transport: redirectAPI(silent)}
	})
	start := time.Now()
	_, err := c.ListSequenceSets(context.Background(), ListOptions{})
	d := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "within the request timeout (200ms) in 3 attempt(s)") {
		t.Fatalf("err = %v, want three timed-out attempts", err)
	}
	if d < 600*time.Millisecond || d > 3*time.Second {
		t.Fatalf("gave up after %v, want about 3 × 200ms", d)
	}
}

// redirectAPI sends /v1/ requests to base instead, the rest where they go.
func redirectAPI(base string) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			r = r.Clone(r.Context())
			r.URL.Host = strings.TrimPrefix(base, "http://")
			r.Host = r.URL.Host
		}
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAttemptTimeoutCreateStaysSafe: a create that Zuora committed but
// whose answer never came is retried with its Idempotency-Key after the
// attempt timeout: one set, not two.
func TestAttemptTimeoutCreateStaysSafe(t *testing.T) {
	fake := zuorafake.New(zuorafake.Options{})
	var mu sync.Mutex
	var keys []string
	hung := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/") {
			mu.Lock()
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			first := !hung
			hung = true
			mu.Unlock()
			if first {
				fake.ServeHTTP(httptest.NewRecorder(), r) // committed...
				<-r.Context().Done()                      // ...and the answer never comes
				return
			}
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, func(c *Config) { c.AttemptTimeout = 300 * time.Millisecond })
	created, err := c.CreateSequenceSet(context.Background(), sampleSet("HANG", "HG"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("create attempts carried keys %q, want two with the same key", keys)
	}
	if n := len(fake.Sets()); n != 2 || created.ID == "" {
		t.Fatalf("Zuora holds %d sets (DEFAULT and HANG expected), created %+v", n, created)
	}
}

// TestPacingLogsLongWaits: a wait of a few seconds or more is logged at
// WARN with its cause and length, and the operation's meter adds it up.
func TestPacingLogsLongWaits(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	ctx, meter := WithWaitMeter(ctx)
	p := newPacer()
	p.loudWait = 100 * time.Millisecond
	seq, _ := p.admit(ctx)
	p.done(seq, synthetic(429, "Retry-After", "0.3", "Zuora-Request-Id", "r-9"), nil)
	if _, err := p.admit(ctx); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{`"@level":"warn"`, "waiting for Zuora's limits", "rate limit"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`"wait":"(2\d\d|300)ms"`).MatchString(out) {
		t.Errorf("the log does not say the wait was about 300ms:\n%s", out)
	}
	if got := meter.Total(); got < 250*time.Millisecond || !strings.Contains(meter.Summary(), "rate limit") {
		t.Fatalf("meter: %v, %q", got, meter.Summary())
	}
}

// TestPacingCountsOthersShare: when the window shrinks faster than this
// client spends it, other pipelines are at work on the tenant, and the
// client counts its own requests at its share of the pace.
func TestPacingCountsOthersShare(t *testing.T) {
	p := newPacer()
	ctx := context.Background()
	first, _ := p.admit(ctx)
	p.done(first, synthetic(200, "RateLimit-Remaining", "40", "RateLimit-Reset", "60"), nil)
	var last uint64
	for range 5 {
		last, _ = p.admit(ctx)
	}
	// 5 of ours, but the window shrank by 15: 10 were others'.
	p.done(last, synthetic(200, "RateLimit-Remaining", "25", "RateLimit-Reset", "60"), nil)
	if p.windowOwn != 5 || p.windowForeign != 10 {
		t.Fatalf("own %d, foreign %d; want 5 and 10", p.windowOwn, p.windowForeign)
	}
	// 25 left; counting others at twice our pace, far fewer than 25 of
	// ours may go before the client waits for the reset.
	deadline, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	sent := 0
	for {
		if _, err := p.admit(deadline); err != nil {
			break
		}
		sent++
	}
	if sent == 0 || sent > 12 {
		t.Fatalf("%d more sent of the 25 left while others spend twice as fast; want about a third", sent)
	}
}
