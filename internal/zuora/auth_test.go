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

// tokenDown makes the token endpoint answer 503 to its next n requests.
func tokenDown(fake *zuorafake.Server, n int) {
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: "POST /oauth/token", Count: n, Status: 503,
		ContentType: "text/html", Body: "<html>503 Service Unavailable</html>"})
}

// TestFailedTokenFetchIsShared: the requests that need a token while one
// fetch fails, or right after, get its error at once instead of each
// repeating the fetch; once the failure is old, a request fetches again.
func TestFailedTokenFetchIsShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{Latency: 100 * time.Millisecond}, retries(2))
		tokenDown(fake, 3)
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.ListSequenceSets(context.Background(), ListOptions{}) })
		}
		wg.Wait()
		for _, err := range errs {
			var tokErr *TokenError
			if !errors.As(err, &tokErr) || tokErr.Attempts != 3 {
				t.Fatalf("err = %v, want the one fetch's TokenError after 3 attempts", err)
			}
		}
		if n, _ := countRoute(fake, "POST /oauth/token"); n != 3 {
			t.Fatalf("%d token requests for 5 callers, want one fetch of 3 attempts", n)
		}
		// Right after, the failure answers at once.
		start := time.Now()
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); !errors.As(err, new(*TokenError)) || time.Since(start) != 0 {
			t.Fatalf("a request right after the failure: %v after %v", err, time.Since(start))
		}
		// Later it is tried again, and the endpoint is back.
		time.Sleep(tokenFailureMemory)
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
			t.Fatalf("a request after the failure is old: %v", err)
		}
		if n, _ := countRoute(fake, "POST /oauth/token"); n != 4 {
			t.Fatalf("%d token requests, want the failed 3 and a new one", n)
		}
	})
}

// TestAbandonedTokenFetchIsNotShared: when the caller that fetches gives
// up, its cancellation is not the others' error: one of them fetches.
func TestAbandonedTokenFetchIsNotShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := bubbleClient(t, zuorafake.Options{Latency: time.Second})
		first, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var firstErr, secondErr error
		wg.Go(func() { _, firstErr = c.ListSequenceSets(first, ListOptions{}) })
		synctest.Wait() // the first fetch is under way
		wg.Go(func() { _, secondErr = c.ListSequenceSets(context.Background(), ListOptions{}) })
		synctest.Wait()
		cancel()
		wg.Wait()
		if !errors.Is(firstErr, context.Canceled) {
			t.Fatalf("the cancelled caller: %v", firstErr)
		}
		if secondErr != nil {
			t.Fatalf("the caller that waited for the abandoned fetch: %v", secondErr)
		}
	})
}

// Issue 24, case 6: the token endpoint's Retry-After is the pacer's wait,
// checked against the operation's deadline, and no API attempt holds a slot
// of the API's pacer while it waits for the token.
func TestTokenRetryAfterIsThePacersWait(t *testing.T) {
	refuse := zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /oauth/token", RetryAfter: 30 * time.Second}
	t.Run("past the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake, c := bubbleClient(t, zuorafake.Options{})
			fake.Inject(refuse)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.ListSequenceSets(ctx, ListOptions{})
			var waitErr *WaitError
			if !errors.As(err, &waitErr) || time.Since(start) != 0 {
				t.Fatalf("after %v: %v; want a *WaitError at once", time.Since(start), err)
			}
			if !strings.Contains(err.Error(), "token") || !strings.Contains(err.Error(), "HTTP 429") {
				t.Fatalf("the error does not say the token endpoint asked for the wait: %v", err)
			}
		})
	})
	t.Run("within the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake, c := bubbleClient(t, zuorafake.Options{})
			fake.Inject(refuse)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var wg sync.WaitGroup
			var err error
			start := time.Now()
			wg.Go(func() { _, err = c.ListSequenceSets(ctx, ListOptions{}) })
			time.Sleep(15 * time.Second) // in the token endpoint's Retry-After
			c.pacer.mu.Lock()
			slots := len(c.pacer.inFlight)
			c.pacer.mu.Unlock()
			wg.Wait()
			if err != nil || time.Since(start) < 30*time.Second {
				t.Fatalf("after %v: %v; want success after the token endpoint's 30 s", time.Since(start), err)
			}
			if slots != 0 {
				t.Fatalf("%d API attempts held a pacer slot while waiting for the token", slots)
			}
		})
	})
}

// Issue 24, case 11: in the renewal margin the still-valid token is
// served; one renewal runs in the background; its failure fails no call
// while the token is usable, and a later renewal replaces the token.
func TestValidTokenIsServedWhileItsRenewalFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{TokenLifetime: 100 * time.Second}, retries(2))
		list := func() error { _, err := c.ListSequenceSets(context.Background(), ListOptions{}); return err }
		if err := list(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(85 * time.Second) // in the renewal margin (20 s): 15 s of validity left
		tokenDown(fake, 3)           // one renewal's three attempts fail
		for i := range 10 {
			if err := list(); err != nil {
				t.Fatalf("call %d in the renewal margin, with a valid token: %v", i, err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		if n, _ := countRoute(fake, "POST /oauth/token"); n != 4 {
			t.Fatalf("%d token requests, want the first and one renewal of 3 attempts", n)
		}
		time.Sleep(9 * time.Second)    // at 99 s: a renewal may go again
		if err := list(); err != nil { // still valid: served, and renewed again
			t.Fatal(err)
		}
		synctest.Wait()
		time.Sleep(3 * time.Second) // the first token has expired
		if err := list(); err != nil {
			t.Fatalf("after the first token's expiry: %v", err)
		}
		if grants := fake.Stats().TokenGrants; grants != 2 {
			t.Fatalf("%d token grants, want 2", grants)
		}
		for _, r := range fake.Requests() {
			if strings.HasPrefix(r.Route, "GET") && !r.Authorized {
				t.Fatalf("a request went out with an expired token: %+v", r)
			}
		}
	})
}
