package zuora

import (
	"sync"
	"testing"
	"testing/synctest"
)

func TestNotifierWakesEveryWaiterOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var n notifier
		woken := 0
		var wg sync.WaitGroup
		for range 3 {
			mu.Lock()
			ch := n.wait()
			mu.Unlock()
			wg.Go(func() {
				<-ch
				mu.Lock()
				woken++
				mu.Unlock()
			})
		}
		synctest.Wait()
		if woken != 0 {
			t.Fatalf("woken before any broadcast: %d", woken)
		}
		mu.Lock()
		n.broadcast()
		later := n.wait() // a waiter after the broadcast waits for the next one
		mu.Unlock()
		wg.Wait()
		if woken != 3 {
			t.Fatalf("woken = %d, want 3", woken)
		}
		select {
		case <-later:
			t.Fatal("a channel taken after the broadcast is already closed")
		default:
		}
	})
}
