package zuora

import (
	"context"
	"errors"
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
