package zuora

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"runtime"
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
		if d := time.Since(start); d < 200*time.Millisecond || d > 200*time.Millisecond+holdSpread(200*time.Millisecond) {
			t.Fatalf("admitted after %v, want 200ms and at most its release's spread", d)
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

// TestPacingHoldReleasesWithJitter: the attempts a refusal held do not all
// go at the instant the hold ends.
func TestPacingHoldReleasesWithJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		seq, _ := p.admit(context.Background())
		start := time.Now()
		p.done(seq, synthetic(429, "Retry-After", "2"), nil)
		var mu sync.Mutex
		at := map[time.Duration]int{}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				seq, err := p.admit(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				at[time.Since(start)]++
				mu.Unlock()
				p.done(seq, synthetic(200), nil)
			})
		}
		wg.Wait()
		for d := range at {
			if d < 2*time.Second || d > 3*time.Second {
				t.Fatalf("an attempt held for 2s went after %v", d)
			}
		}
		if len(at) < 5 {
			t.Fatalf("10 held attempts went at %d instants (%v): released all at once", len(at), at)
		}
	})
}

// TestConcurrencyLimitRefusesOnlyTheFirstWave: 40 creates, 10 at a time,
// against a concurrency limit of 3 (Retry-After 1 s, 200 ms answers): the
// first wave is refused, then the client keeps within the limit.
func TestConcurrencyLimitRefusesOnlyTheFirstWave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{Latency: 200 * time.Millisecond})
		fake.SetConcurrencyLimit(3)
		fake.SetFaultRates(zuorafake.FaultRates{RetryAfter: time.Second})
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil { // the token
			t.Fatal(err)
		}
		work := make(chan int)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				for i := range work {
					if _, err := c.CreateSequenceSet(context.Background(), sampleSet("C"+string(rune('A'+i/26))+string(rune('A'+i%26)), "P")); err != nil {
						t.Error(err)
					}
				}
			})
		}
		for i := range 40 {
			work <- i
		}
		close(work)
		wg.Wait()
		posts, refused := countRoute(fake, "POST /v1/sequence-sets")
		t.Logf("40 creates: %d POSTs, %d refused", posts, refused)
		// The client knows the limit from the first answer: at most a
		// first wave of 10 - 3 may be refused, then none.
		if refused > 7 {
			t.Fatalf("%d concurrency refusals, want at most 7 (a first wave)", refused)
		}
		if n := len(fake.Sets()); n != 41 {
			t.Fatalf("%d sets, want DEFAULT and 40", n)
		}
	})
}

// Issue 18, case 6: a 503's Retry-After is the pacer's too.

// Test503RetryAfterPastTheDeadline fails at once with the WaitError.
func Test503RetryAfterPastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{})
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultUnavailable, RetryAfter: 30 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.ListSequenceSets(ctx, ListOptions{})
		var waitErr *WaitError
		if !errors.As(err, &waitErr) || time.Since(start) > time.Second {
			t.Fatalf("after %v: %v; want a *WaitError at once", time.Since(start), err)
		}
		if !strings.Contains(err.Error(), "HTTP 503") {
			t.Fatalf("the error does not say what asked for the wait: %v", err)
		}
	})
}

// Test503RetryAfterIsCapped: a 503 asking for an hour waits the backoff
// cap (60 s), not the hour.
func Test503RetryAfterIsCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{})
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultUnavailable, RetryAfter: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		start := time.Now()
		if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 61*time.Second {
			t.Fatalf("waited %v for a 503's Retry-After of an hour, want at most the 60s cap", took)
		}
	})
}

// TestPacerPeekChangesNothing: peek says what an attempt would wait for
// without changing the pacer, and its channel closes at the next change.
func TestPacerPeekChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		if until, cause, _, _ := p.peek(); cause != "" || !until.IsZero() {
			t.Fatalf("a fresh pacer would wait: %v %q", until, cause)
		}
		seq, _ := p.admit(context.Background())
		_, _, _, changed := p.peek()
		p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "5", "Zuora-Request-Id", "r-1"), nil)
		select {
		case <-changed:
		default:
			t.Fatal("the channel of peek did not close at the answer")
		}
		until, cause, requestID, _ := p.peek()
		if !until.Equal(time.Now().Add(5*time.Second)) || !strings.Contains(cause, "RateLimit-Remaining: 0") || requestID != "r-1" {
			t.Fatalf("peek in a spent window: %v %q %q", until, cause, requestID)
		}
		time.Sleep(5 * time.Second)
		if _, cause, _, _ := p.peek(); cause != "" {
			t.Fatalf("peek after the reset: %q", cause)
		}
		if !p.rateKnown {
			t.Fatal("peek forgot the window: it changed the pacer")
		}
	})
}

// Issue 24, case 7: only attempts that reached the wire count against the
// rate window: an attempt whose dial was refused, or that found no token,
// leaves the window as it was, and no error quotes a RateLimit-Remaining: 0
// Zuora never sent.
func TestPacingCountsOnlySentAttempts(t *testing.T) {
	fast := func(c *Config) { c.BackoffBase, c.BackoffCap = time.Millisecond, 10*time.Millisecond }
	check := func(t *testing.T, c *Client, fail func()) {
		t.Helper()
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
			t.Fatal(err)
		}
		fail()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := c.ListSequenceSets(ctx, ListOptions{})
		if err == nil || errors.As(err, new(*WaitError)) || strings.Contains(err.Error(), "RateLimit-Remaining: 0") {
			t.Fatalf("the failing call: %v; want its own failure, not a wait for the window", err)
		}
		time.Sleep(tokenFailureMemory)
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
			t.Fatalf("the window has a request left, uncounted attempts aside: %v", err)
		}
	}
	t.Run("refused dial", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := zuorafake.New(zuorafake.Options{RateLimitPerMinute: 2})
			wire := &refusingWire{next: inMemory{fake}}
			c := newTestClient(t, "http://127.0.0.1:8080", func(c *Config) { c.HTTPClient = &http.Client{Transport: wire} }, fast)
			check(t, c, func() { wire.refuse(maxUnreachableAttempts) })
		})
	})
	t.Run("token failure", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake, c := bubbleClient(t, zuorafake.Options{RateLimitPerMinute: 3}, fast)
			check(t, c, func() {
				// The next call's token is rejected, and no new one comes.
				fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 401, ContentType: "application/json", Body: `{"message":"Authentication error"}`})
				tokenDown(fake, DefaultMaxRetries+1)
			})
		})
	})
}

// refusingWire refuses the dial of the next n API requests.
type refusingWire struct {
	mu   sync.Mutex
	n    int
	next http.RoundTripper
}

func (w *refusingWire) refuse(n int) {
	w.mu.Lock()
	w.n = n
	w.mu.Unlock()
}

func (w *refusingWire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	refuse := w.n > 0 && strings.HasPrefix(r.URL.Path, "/v1/")
	if refuse {
		w.n--
	}
	w.mu.Unlock()
	if refuse {
		return nil, dialFaults["connection refused"]
	}
	return w.next.RoundTrip(r)
}

// Issue 24, case 8: the attempts that waited for a spent window's reset go
// spread over a little time after it, as held attempts do.
func TestPacingWindowResetReleasesSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		seq, _ := p.admit(context.Background())
		start := time.Now()
		p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "2"), nil)
		var mu sync.Mutex
		at := map[time.Duration]int{}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				seq, err := p.admit(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				at[time.Since(start)]++
				mu.Unlock()
				p.done(seq, synthetic(200), nil)
			})
		}
		wg.Wait()
		for d := range at {
			if d < 2*time.Second || d > 3*time.Second {
				t.Fatalf("an attempt waiting for a reset in 2s went after %v", d)
			}
		}
		if len(at) < 5 {
			t.Fatalf("10 attempts waiting for the reset went at %d instants (%v): all at once", len(at), at)
		}
	})
}

// TestPacingReleaseNeverMissesADeadline: the spread after a window's reset
// is the client's caution, not a wait Zuora asked for. An attempt queued
// behind others for the reset, whose deadline comes after the reset but
// before its slot in the release, goes in time instead of running into its
// deadline with no WaitError (the simulation's deadline-wait, seeds 145
// and 357 of 400).
func TestPacingReleaseNeverMissesADeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		p.spread = func(time.Duration) time.Duration { return 0 }
		seq, _ := p.admit(context.Background())
		start := time.Now()
		p.done(seq, synthetic(200, "RateLimit-Remaining", "0", "RateLimit-Reset", "4"), nil)
		// Nine attempts queue for the reset in 4 s: their release is
		// spread over 1 s, a slot of about 100 ms each.
		var wg sync.WaitGroup
		for range 9 {
			wg.Go(func() {
				seq, err := p.admit(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				p.done(seq, synthetic(200), nil)
			})
		}
		synctest.Wait()
		// The tenth, last in the queue, must be sent by 4.3 s.
		ctx, cancel := context.WithDeadline(context.Background(), start.Add(4300*time.Millisecond))
		defer cancel()
		seq, err := p.admit(ctx)
		switch d := time.Since(start); {
		case err != nil:
			t.Errorf("the last attempt queued for a reset at 4s, with a deadline at 4.3s: %v after %v; want it sent in time", err, d)
		case d < 4*time.Second:
			t.Errorf("sent after %v, before the window's reset", d)
		default:
			p.done(seq, synthetic(200), nil)
		}
		wg.Wait() // the nine go in their slots either way
	})
}

// Issue 24, case 9: the concurrency gate admits first come, first served:
// a freed slot goes to the oldest waiter, and newcomers queue behind it.
func TestPacingAdmitsFirstComeFirstServed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		full := synthetic(200, "Concurrency-Limit-Limit", "1", "Concurrency-Limit-Remaining", "1")
		first, _ := p.admit(context.Background())
		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := range 40 {
			time.Sleep(time.Millisecond) // the i-th arrives i ms in
			wg.Go(func() {
				seq, err := p.admit(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				time.Sleep(3 * time.Millisecond)
				p.done(seq, full, nil)
			})
			if i == 0 {
				synctest.Wait()
				p.done(first, full, nil)
			}
		}
		wg.Wait()
		overtakes := 0
		for k := range order {
			for _, later := range order[k+1:] {
				if later < order[k] {
					overtakes++
				}
			}
		}
		if overtakes > 0 {
			t.Fatalf("%d overtakes in the admission order %v", overtakes, order)
		}
	})
}

// blockingSink is a log sink that stalls every write until released.
type blockingSink struct{ entered, release chan struct{} }

func (s *blockingSink) Write(p []byte) (int, error) {
	s.entered <- struct{}{}
	<-s.release
	return len(p), nil
}

// Issue 24, case 10: the pacer decides under its lock and logs after it: a
// slow log sink stalls no other request.
func TestPacerLogsOutsideItsLock(t *testing.T) {
	sink := &blockingSink{entered: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(tflogtest.RootLogger(context.Background(), sink))
	defer cancel()
	p := newPacer()
	seq, _ := p.admit(ctx)
	p.done(seq, synthetic(429, "Retry-After", "60"), nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.admit(ctx) // a long wait: logged at WARN
	}()
	<-sink.entered
	free := p.mu.TryLock()
	if free {
		p.mu.Unlock()
	}
	close(sink.release)
	cancel()
	<-done
	if !free {
		t.Fatal("the pacer held its lock while writing a log line")
	}
}
