package zuora

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Issue 26, case 6: pipelines sharing a tenant's concurrency limit.

// firstWaveWatch tells a client's refusals apart: those sent before its
// first answer came back (its first wave, when it knew no limit) and
// those sent after.
type firstWaveWatch struct {
	next http.RoundTripper
	// transit is the network's: each way, each request, a time drawn
	// from it.
	transit func() time.Duration

	mu                 sync.Mutex
	answered           bool
	early, late, total int
	lateAt             []time.Duration // when the late ones went, from the test's start
	start              time.Time
}

func (w *firstWaveWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		return w.next.RoundTrip(r) // the token endpoint is limited apart
	}
	w.mu.Lock()
	after := w.answered
	w.mu.Unlock()
	sent := time.Since(w.start)
	time.Sleep(w.transit())
	resp, err := w.next.RoundTrip(r)
	time.Sleep(w.transit())
	w.mu.Lock()
	defer w.mu.Unlock()
	w.answered = true
	w.total++
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if after {
			w.late++
			w.lateAt = append(w.lateAt, sent)
		} else {
			w.early++
		}
	}
	return resp, err
}

// TestConcurrencySharedByTwoPipelines: two clients, 40 workers each,
// create 200 sets each against one concurrency limit of 40 (200 ms
// answers, Zuora's Retry-After of 120 s on a refusal, each way a network
// transit of up to maxTransit, a tenth of the answer time): only requests
// sent before their client's first answer may be refused. (On main before
// the gate kept a window, 2 to 14 were refused after, and each held its
// client two minutes.)
func TestConcurrencySharedByTwoPipelines(t *testing.T) {
	for _, maxTransit := range []time.Duration{0, time.Millisecond, 20 * time.Millisecond} {
		for _, stagger := range []time.Duration{0, 10 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond} {
			t.Run(fmt.Sprintf("transit %v, second after %v", maxTransit, stagger), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) { twoPipelines(t, stagger, maxTransit) })
			})
		}
	}
}

func twoPipelines(t *testing.T, stagger, maxTransit time.Duration) {
	fake, transport := bubbleFake(zuorafake.Options{Latency: 200 * time.Millisecond})
	fake.SetConcurrencyLimit(40)
	fake.SetFaultRates(zuorafake.FaultRates{RetryAfter: 120 * time.Second})
	rng := rand.New(rand.NewPCG(uint64(stagger), uint64(maxTransit)))
	var rngMu sync.Mutex
	transit := func() time.Duration {
		rngMu.Lock()
		defer rngMu.Unlock()
		return time.Duration(rng.Int64N(int64(maxTransit) + 1))
	}
	var watches [2]*firstWaveWatch
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 2 {
		watches[i] = &firstWaveWatch{transit: transit, start: start}
		c := newTestClient(t, "http://127.0.0.1:8080", transport, func(c *Config) {
			watches[i].next = c.HTTPClient.Transport
			c.HTTPClient = &http.Client{Transport: watches[i]}
			c.BackoffBase, c.BackoffCap = 0, 0
		})
		wg.Go(func() {
			time.Sleep(time.Duration(i) * stagger)
			work := make(chan int)
			var workers sync.WaitGroup
			for range 40 {
				workers.Go(func() {
					for k := range work {
						if _, err := c.CreateSequenceSet(context.Background(), sampleSet(fmt.Sprintf("P%dS%03d", i, k), fmt.Sprintf("P%d%03d", i, k))); err != nil {
							t.Error(err)
						}
					}
				})
			}
			for k := range 200 {
				work <- k
			}
			close(work)
			workers.Wait()
		})
	}
	wg.Wait()
	for i, w := range watches {
		t.Logf("client %d: %d requests, %d refused in its first wave, %d after (sent at %v)", i, w.total, w.early, w.late, w.lateAt)
		if w.late > 0 {
			t.Errorf("client %d: %d requests refused after its first answer, want none", i, w.late)
		}
	}
	// 400 creates, 40 at a time, take 10 rounds of 200 ms at best; a
	// window that collapses, or a refusal's two-minute hold, takes more
	// than three times that.
	took := time.Since(start)
	t.Logf("400 creates took %v", took)
	if ideal := 10 * 200 * time.Millisecond; took > 3*ideal {
		t.Errorf("400 creates took %v, more than three times the %v the limit allows", took, ideal)
	}
	if n := len(fake.Sets()); n != 401 {
		t.Fatalf("%d sets, want DEFAULT and 400", n)
	}
}

// admitting starts n attempts that wait for the pacer and counts those
// it admits; cancel ends the others.
func admitting(p *pacer, n int) (admitted func() []uint64, cancel func()) {
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	var seqs []uint64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if seq, err := p.admit(ctx); err == nil {
				mu.Lock()
				seqs = append(seqs, seq)
				mu.Unlock()
			}
		})
	}
	return func() []uint64 {
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(seqs)
		}, func() {
			stop()
			wg.Wait()
		}
}

// TestConcurrencyFirstWave: until Zuora's first answer, firstWave attempts
// go; the token endpoint's pacer has no concurrency gate.
func TestConcurrencyFirstWave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		admitted, cancel := admitting(p, 40)
		defer cancel()
		if got := admitted(); len(got) != firstWave {
			t.Fatalf("%d attempts admitted before any answer, want %d", len(got), firstWave)
		}
		tp := newTokenPacer()
		admittedTokens, cancelTokens := admitting(tp, 3)
		defer cancelTokens()
		if got := admittedTokens(); len(got) != 3 {
			t.Fatalf("%d token attempts admitted, want 3: the token endpoint has no concurrency gate", len(got))
		}
	})
}

// concurrencyAnswer is a synthetic answer of Zuora's with its default
// concurrency limit of 40 and free slots.
func concurrencyAnswer(free int) *http.Response {
	return synthetic(200, "Concurrency-Limit-Limit", "40", "Concurrency-Limit-Remaining", fmt.Sprint(free))
}

// TestConcurrencySlowStart: alone, the window at most doubles a round,
// from firstWave, and leaves one slot free.
func TestConcurrencySlowStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		first, _ := p.admit(context.Background())
		time.Sleep(200 * time.Millisecond)
		p.done(first, concurrencyAnswer(40), nil)
		admitted, cancel := admitting(p, 200)
		defer cancel()
		round, seen := admitted(), 0
		for _, want := range []int{2 * firstWave, 39, 39} {
			if len(round) != want {
				t.Fatalf("%d in flight in this round, want %d (a limit of 40, alone)", len(round), want)
			}
			seen += len(round)
			time.Sleep(200 * time.Millisecond)
			for i, seq := range round {
				p.done(seq, concurrencyAnswer(40-(len(round)-i-1)), nil)
			}
			round = admitted()[seen:]
		}
	})
}

// TestConcurrencyShareBesideOthers: beside others holding 20 of 40 slots,
// the client counts 14 free (20, less a quarter of theirs and one, about
// to be sent again) and takes half.
func TestConcurrencyShareBesideOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		first, _ := p.admit(context.Background())
		time.Sleep(200 * time.Millisecond)
		p.done(first, concurrencyAnswer(20), nil)
		admitted, cancel := admitting(p, 20)
		defer cancel()
		if got := admitted(); len(got) != 7 {
			t.Fatalf("%d admitted beside others holding 20 of 40, want 7", len(got))
		}
	})
}

// TestConcurrencyFullTenantWaitsARound: with no slot free, a new attempt
// waits while one of the client's own is in flight; with none in flight
// and none free, no answer is to come, and one goes a round later.
func TestConcurrencyFullTenantWaitsARound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		first, _ := p.admit(context.Background())
		second, _ := p.admit(context.Background())
		time.Sleep(200 * time.Millisecond)
		p.done(first, concurrencyAnswer(0), nil)
		admitted, cancel := admitting(p, 1)
		defer cancel()
		if len(admitted()) != 0 {
			t.Fatal("admitted while the tenant is at its concurrency limit and one of ours is in flight")
		}
		start := time.Now()
		p.done(second, concurrencyAnswer(0), nil)
		if len(admitted()) != 0 {
			t.Fatal("admitted at once, with no slot free")
		}
		time.Sleep(200 * time.Millisecond)
		if len(admitted()) != 1 {
			t.Fatalf("not admitted %v after the answer, a round", time.Since(start))
		}
	})
}

// TestConcurrencyNeverPastTheLimit: whatever Remaining says, no more than
// Concurrency-Limit-Limit of the client's own are in flight.
func TestConcurrencyNeverPastTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer()
		first, _ := p.admit(context.Background())
		wrong := func() *http.Response {
			return synthetic(200, "Concurrency-Limit-Limit", "3", "Concurrency-Limit-Remaining", "40")
		}
		p.done(first, wrong(), nil)
		admitted, cancel := admitting(p, 20)
		defer cancel()
		answered := 0
		for range 10 {
			got := admitted()
			if in := len(got) - answered; in > 3 {
				t.Fatalf("%d in flight against a limit of 3", in)
			}
			p.done(got[answered], wrong(), nil)
			answered++
		}
	})
}
