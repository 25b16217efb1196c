package zuora

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Issue 18, case 2: the concurrency gate counts.

// TestPacingConcurrencyGateCounts: Concurrency-Limit-Remaining: 1 admits
// one attempt, not every one that asks.
func TestPacingConcurrencyGateCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		ctx := context.Background()
		first, _ := p.admit(ctx)
		p.done(first, synthetic(200, "Concurrency-Limit-Limit", "40", "Concurrency-Limit-Remaining", "1"), nil)
		var mu sync.Mutex
		var admitted []uint64
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if seq, err := p.admit(ctx); err == nil {
					mu.Lock()
					admitted = append(admitted, seq)
					mu.Unlock()
				}
			})
		}
		synctest.Wait()
		mu.Lock()
		n := len(admitted)
		seq := admitted[0]
		mu.Unlock()
		if n != 1 {
			t.Fatalf("%d attempts admitted at once with one slot left, want 1", n)
		}
		// Its answer says two are left now: two more go.
		p.done(seq, synthetic(200, "Concurrency-Limit-Limit", "40", "Concurrency-Limit-Remaining", "2"), nil)
		synctest.Wait()
		mu.Lock()
		n = len(admitted)
		mu.Unlock()
		if n != 3 {
			t.Fatalf("%d admitted after an answer leaving 2 slots, want 3 in all", n)
		}
		cancel()
		wg.Wait()
	})
}

// TestPacingNeverExceedsTheLimit: own attempts in flight stay within
// Concurrency-Limit-Limit, whatever an older Remaining said.
func TestPacingNeverExceedsTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		first, _ := p.admit(context.Background())
		p.done(first, synthetic(200, "Concurrency-Limit-Limit", "3", "Concurrency-Limit-Remaining", "3"), nil)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := p.admit(ctx); err == nil {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			})
		}
		synctest.Wait()
		mu.Lock()
		n := admitted
		mu.Unlock()
		cancel()
		wg.Wait()
		if n != 3 {
			t.Fatalf("%d admitted against a limit of 3", n)
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
