package zuora

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Issue 18, case 1: the attempt timeout bounds one attempt from its sending;
// a wait Zuora asks for is checked against the operation's deadline.

// TestWaitIsCheckedAgainstTheOperation: a Retry-After longer than the
// attempt timeout but within the operation's deadline is waited out, and
// the retry succeeds.
func TestWaitIsCheckedAgainstTheOperation(t *testing.T) {
	for _, tc := range []struct {
		attempt, operation, retryAfter time.Duration
	}{
		{5 * time.Second, 2 * time.Minute, 8 * time.Second},
		{90 * time.Second, 20 * time.Minute, 120 * time.Second}, // Zuora's concurrency refusal
	} {
		t.Run(fmt.Sprintf("request timeout %s, wait %s", tc.attempt, tc.retryAfter), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c := bubbleClient(t, zuorafake.Options{}, func(c *Config) { c.AttemptTimeout = tc.attempt })
				fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /v1/sequence-sets", RetryAfter: tc.retryAfter})
				ctx, cancel := context.WithTimeout(context.Background(), tc.operation)
				defer cancel()
				start := time.Now()
				if _, err := c.CreateSequenceSet(ctx, sampleSet("WAIT", "W")); err != nil {
					t.Fatalf("create: %v", err)
				}
				if took := time.Since(start); took < tc.retryAfter || took > tc.retryAfter+5*time.Second {
					t.Fatalf("the create took %v, want the %v Zuora asked for", took, tc.retryAfter)
				}
				if posts, _ := countRoute(fake, "POST /v1/sequence-sets"); posts != 2 || len(fake.Sets()) != 2 {
					t.Fatalf("%d POSTs, %d sets: want the refused one, its retry, DEFAULT and WAIT", posts, len(fake.Sets()))
				}
			})
		})
	}
}

// TestAttemptTimeoutStartsAtSending: a wait for Zuora's limits is not part
// of the attempt after it. After a 0.8 s hold, an answer taking 0.4 s fits
// a 1 s attempt timeout: 2 requests, not a third after a timeout.
func TestAttemptTimeoutStartsAtSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{Latency: 400 * time.Millisecond}, func(c *Config) { c.AttemptTimeout = time.Second })
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, RetryAfter: 800 * time.Millisecond})
		if _, err := c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9"); err != nil && !IsNotFound(err) {
			t.Fatalf("get: %v", err)
		}
		if n, _ := countRoute(fake, ""); n != 2+1 { // the token, the refused GET, its retry
			t.Fatalf("%d requests, want the token, the refused GET and one retry: %+v", n, fake.Requests())
		}
	})
}

// slowBody is an answer whose body comes one byte per second, until its
// request is cancelled.
type slowBody struct {
	ctx  context.Context
	left int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, errors.New("unexpected EOF")
	}
	select {
	case <-time.After(time.Second):
	case <-b.ctx.Done():
		return 0, context.Cause(b.ctx)
	}
	b.left--
	p[0] = ' '
	return 1, nil
}

func (b *slowBody) Close() error { return nil }

// TestAttemptTimeoutCoversTheBody: the attempt ends when its whole answer
// is read, not when the headers come: a body trickling in past the timeout
// is a timed-out attempt, retried, and the error says so.
func TestAttemptTimeoutCoversTheBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, transport := bubbleFake(zuorafake.Options{})
		sent := 0
		c := newTestClient(t, "http://127.0.0.1:8080", transport, retries(1), func(c *Config) {
			c.AttemptTimeout = 5 * time.Second
			next := c.HTTPClient.Transport
			c.HTTPClient.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if !strings.HasPrefix(r.URL.Path, "/v1/") {
					return next.RoundTrip(r)
				}
				sent++
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: &slowBody{ctx: r.Context(), left: 60}, Request: r}, nil
			})
		})
		_ = fake
		start := time.Now()
		_, err := c.ListSequenceSets(context.Background(), ListOptions{})
		if err == nil || !strings.Contains(err.Error(), "within the request timeout (5s)") || sent != 2 {
			t.Fatalf("after %d attempts: %v; want 2 attempts timed out at 5s", sent, err)
		}
		if took := time.Since(start); took > 12*time.Second {
			t.Fatalf("took %v: the timeout did not cover the body", took)
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

// TestAttemptTimeoutOverTheWire: through a real connection to a server that
// never answers, the timed-out attempt is reported as such.
func TestAttemptTimeoutOverTheWire(t *testing.T) {
	_, url := startFake(t, zuorafake.Options{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hung.Close)
	c := newTestClient(t, url, retries(0), func(c *Config) {
		c.AttemptTimeout = 200 * time.Millisecond
		c.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if strings.HasPrefix(r.URL.Path, "/v1/") {
				r = r.Clone(r.Context())
				r.URL.Host = strings.TrimPrefix(hung.URL, "http://")
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	_, err := c.ListSequenceSets(context.Background(), ListOptions{})
	var timedOut *AttemptTimeoutError
	if !errors.As(err, &timedOut) || !strings.Contains(err.Error(), "within the request timeout (200ms) in 1 attempt(s)") {
		t.Fatalf("err = %v, want one timed-out attempt", err)
	}
}
