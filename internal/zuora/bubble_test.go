package zuora

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Tests of time and concurrency run inside a testing/synctest bubble, where
// time is virtual: the local Zuora is then served in memory, through a
// RoundTripper, since sockets would leave the bubble.

// inMemory serves requests with h in the calling goroutine's bubble. The
// answer comes when the handler returns; a request whose context ends first
// gets the context's error, as from a real transport.
type inMemory struct{ h http.Handler }

func (t inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	sr := r.Clone(r.Context())
	sr.RequestURI = r.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:40000"
	sr.Body = r.Body
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.h.ServeHTTP(rec, sr)
	}()
	select {
	case <-done:
	case <-r.Context().Done():
		<-done
		return nil, context.Cause(r.Context())
	}
	return rec.Result(), nil
}

// bubbleFake is a local Zuora served in memory, for a test inside a bubble.
func bubbleFake(opts zuorafake.Options) (*zuorafake.Server, func(*Config)) {
	fake := zuorafake.New(opts)
	return fake, func(c *Config) { c.HTTPClient = &http.Client{Transport: inMemory{fake}} }
}

// bubbleClient is a client of a local Zuora served in memory, with Zuora's
// own backoff (base 1 s, cap 60 s): time costs nothing in a bubble.
func bubbleClient(t *testing.T, opts zuorafake.Options, tune ...func(*Config)) (*zuorafake.Server, *Client) {
	t.Helper()
	fake, transport := bubbleFake(opts)
	real := func(c *Config) { c.BackoffBase, c.BackoffCap = 0, 0 }
	return fake, newTestClient(t, "http://127.0.0.1:8080", append([]func(*Config){transport, real}, tune...)...)
}

// countRoute counts the requests the local Zuora saw on route and those it
// refused for its limits.
func countRoute(fake *zuorafake.Server, route string) (requests, refused int) {
	for _, r := range fake.Requests() {
		if route != "" && r.Route != route {
			continue
		}
		requests++
		if r.Status == http.StatusTooManyRequests || r.Fault == "concurrency_limit" {
			refused++
		}
	}
	return requests, refused
}
