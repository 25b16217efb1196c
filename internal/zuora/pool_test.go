package zuora

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestConnectionsAreReusedAtTerraformParallelism runs rounds of 10
// concurrent reads, as Terraform does by default, and counts the TCP
// connections the client opens: each one kept for reuse saves a TLS
// handshake with Zuora.
func TestConnectionsAreReusedAtTerraformParallelism(t *testing.T) {
	fake := zuorafake.New(zuorafake.Options{Latency: 20 * time.Millisecond})
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(conformantFake(t, fake))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL)
	id := fake.Sets()[0].ID

	const parallelism, rounds = 10, 5
	for range rounds {
		var wg sync.WaitGroup
		for range parallelism {
			wg.Go(func() {
				if _, err := c.GetSequenceSet(t.Context(), id); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	// One connection per concurrent request, plus at most one for the token.
	if n := opened.Load(); n > parallelism+1 {
		t.Fatalf("%d reads in rounds of %d opened %d connections, want at most %d", parallelism*rounds, parallelism, n, parallelism+1)
	}
}
