package zuora

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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
			synctest.Test(t, func(t *testing.T) {
				fake, c := bubbleClient(t, zuorafake.Options{RateLimit: 3, RateLimitWindow: time.Second}, apiVersion(mode.version))
				start := time.Now()
				for range 5 {
					if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				if d := time.Since(start); d < time.Second {
					t.Fatalf("5 requests at 3 a second took %v: the client did not wait for the window", d)
				}
				if _, refused := countRoute(fake, ""); refused != 0 {
					t.Fatalf("%d requests were refused: the client should have waited instead", refused)
				}
			})
		})
	}
}

// TestPacingRefusalHoldsEveryRequest: after one request is refused with a
// Retry-After, the client's other requests wait for it too, instead of
// each being refused in turn.
func TestPacingRefusalHoldsEveryRequest(t *testing.T) {
	for _, mode := range errorModes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c := bubbleClient(t, zuorafake.Options{}, apiVersion(mode.version))
				if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil { // the token
					t.Fatal(err)
				}
				fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 1, RetryAfter: 400 * time.Millisecond})
				var wg sync.WaitGroup
				wg.Go(func() { _, _ = c.ListSequenceSets(context.Background(), ListOptions{}) })
				synctest.Wait() // the refusal is in
				fake.ResetStats()
				start := time.Now()
				if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d < 400*time.Millisecond {
					t.Fatalf("a request during the hold went after %v; want it held for the Retry-After", d)
				}
				wg.Wait()
				if _, refused := countRoute(fake, ""); refused != 0 {
					t.Fatalf("%d requests refused during the hold", refused)
				}
			})
		})
	}
}

// TestPacingConcurrencyLimit: with Concurrency-Limit-Remaining at 0, a new
// request waits until one of the client's own finishes.
func TestPacingConcurrencyLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
		synctest.Wait()
		select {
		case <-admitted:
			t.Fatal("admitted while the tenant is at its concurrency limit and one of ours is in flight")
		default:
		}
		p.done(second, synthetic(200, "Concurrency-Limit-Remaining", "1"), nil)
		synctest.Wait()
		select {
		case <-admitted:
		default:
			t.Fatal("not admitted after one of ours finished")
		}
	})
}

// TestPacingDeadlineShorterThanTheWait: the wait is refused at once, never
// slept.
func TestPacingDeadlineShorterThanTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		seq, _ := p.admit(context.Background())
		p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "60", "Zuora-Request-Id", "req-1"), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := p.admit(ctx)
		var waitErr *WaitError
		if !errors.As(err, &waitErr) || time.Since(start) != 0 {
			t.Fatalf("admit = %v after %v, want a *WaitError at once", err, time.Since(start))
		}
		if waitErr.RequestID != "req-1" || waitErr.Wait != 60*time.Second || !strings.Contains(err.Error(), "RateLimit-Remaining: 0") {
			t.Fatalf("%+v: %v", waitErr, err)
		}
		// Without a deadline it would wait; cancelling ends that wait.
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel2)
		if _, err := p.admit(ctx2); !errors.Is(err, context.Canceled) || time.Since(start) != 50*time.Millisecond {
			t.Fatalf("a cancelled wait: %v after %v", err, time.Since(start))
		}
	})
}

// TestPacingWindowResets: a spent window holds until its reset, then the
// budget is unknown again and requests go.
func TestPacingWindowResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		seq, _ := p.admit(context.Background())
		p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "0.2"), nil)
		start := time.Now()
		if _, err := p.admit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 200*time.Millisecond {
			t.Fatalf("admitted after %v, want 200ms", d)
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
	})
}

// silentAPI is a transport whose API requests never get an answer, as
// from a gateway that hangs; the rest goes to next.
func silentAPI(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			<-r.Context().Done()
			return nil, context.Cause(r.Context())
		}
		return next.RoundTrip(r)
	})
}

// TestAttemptTimeoutBoundsASilentServer: an answer that never comes ends
// the attempt at the attempt timeout and is retried like a lost connection.
func TestAttemptTimeoutBoundsASilentServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := bubbleClient(t, zuorafake.Options{}, retries(2), func(c *Config) {
			c.AttemptTimeout = 200 * time.Millisecond
			c.BackoffBase, c.BackoffCap = time.Millisecond, 10*time.Millisecond
			c.HTTPClient.Transport = silentAPI(c.HTTPClient.Transport)
		})
		start := time.Now()
		_, err := c.ListSequenceSets(context.Background(), ListOptions{})
		d := time.Since(start)
		if err == nil || !strings.Contains(err.Error(), "within the request timeout (200ms) in 3 attempt(s)") {
			t.Fatalf("err = %v, want three timed-out attempts", err)
		}
		if d < 600*time.Millisecond || d > 700*time.Millisecond {
			t.Fatalf("gave up after %v, want 3 × 200ms and the backoffs", d)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAttemptTimeoutCreateStaysSafe: a create that Zuora committed but
// whose answer never came is retried with its Idempotency-Key after the
// attempt timeout: one set, not two.
func TestAttemptTimeoutCreateStaysSafe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := zuorafake.New(zuorafake.Options{})
		var mu sync.Mutex
		var keys []string
		hung := false
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		})
		c := newTestClient(t, "http://127.0.0.1:8080", func(c *Config) {
			c.AttemptTimeout = 300 * time.Millisecond
			c.HTTPClient = &http.Client{Transport: inMemory{handler}}
		})
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
	})
}

// TestPacingLogsLongWaits: a wait of a few seconds or more is logged at
// WARN with its cause and length, and the operation's meter adds it up.
func TestPacingLogsLongWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &logs)
		ctx, meter := WithWaitMeter(ctx)
		p := newPacer()
		p.loudWait = 100 * time.Millisecond
		p.spread = func(time.Duration) time.Duration { return 0 } // the hold alone
		seq, _ := p.admit(ctx)
		p.done(seq, synthetic(429, "Retry-After", "0.3", "Zuora-Request-Id", "r-9"), nil)
		if _, err := p.admit(ctx); err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		for _, want := range []string{`"@level":"warn"`, "waiting for Zuora's limits", "rate limit", `"wait":"300ms"`} {
			if !strings.Contains(out, want) {
				t.Errorf("the log lacks %s:\n%s", want, out)
			}
		}
		if got := meter.Total(); got != 300*time.Millisecond || !strings.Contains(meter.Summary(), "rate limit") {
			t.Fatalf("meter: %v, %q", got, meter.Summary())
		}
	})
}

// TestPacingCountsOthersShare: when the window shrinks faster than this
// client spends it, other pipelines are at work on the tenant, and the
// client counts its own requests at its share of the pace.
func TestPacingCountsOthersShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
	})
}
