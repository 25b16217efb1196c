package zuora

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// Issue 18, case 7: a host that cannot be reached fails in seconds, saying
// which host, after how many attempts, and what to check.

// deadHost is a transport whose every request fails as dialing does.
type deadHost struct {
	mu    sync.Mutex
	sent  int
	fault error
}

func (u *deadHost) RoundTrip(r *http.Request) (*http.Response, error) {
	u.mu.Lock()
	u.sent++
	u.mu.Unlock()
	return nil, u.fault
}

func (u *deadHost) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sent
}

var dialFaults = map[string]error{
	"connection refused": &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8089},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
	"no such host": &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "nonexistent.invalid", IsNotFound: true}},
}

// TestUnreachableHostFailsFast: nine reads at once against a host that
// refuses connections (or does not resolve) share one failed token fetch,
// retried briefly, and all fail within seconds naming host and attempts.
func TestUnreachableHostFailsFast(t *testing.T) {
	for name, fault := range dialFaults {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				wire := &deadHost{fault: fault}
				c := newTestClient(t, "https://nonexistent.invalid", func(c *Config) {
					c.HTTPClient = &http.Client{Transport: wire}
					c.BackoffBase, c.BackoffCap = 0, 0 // Zuora's: 1 s and 60 s
				})
				start := time.Now()
				var wg sync.WaitGroup
				errs := make([]error, 9)
				for i := range errs {
					wg.Go(func() { _, errs[i] = c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9") })
				}
				wg.Wait()
				if took := time.Since(start); took > 10*time.Second {
					t.Errorf("nine reads failed after %v, want within a few seconds", took)
				}
				if n := wire.count(); n > 3 {
					t.Errorf("%d attempts were sent; want one token fetch of at most 3 attempts shared by all", n)
				}
				for _, err := range errs {
					if err == nil {
						t.Fatal("a read succeeded against an unreachable host")
					}
					for _, want := range []string{"nonexistent.invalid", "attempts", "check the host"} {
						if !strings.Contains(err.Error(), want) {
							t.Fatalf("the error lacks %q: %v", want, err)
						}
					}
				}
			})
		})
	}
}

// TestUnreachableErrorsNameWhatToCheck: the host's setting, as the caller
// names it, is in the error.
func TestUnreachableErrorsNameWhatToCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, "https://127.0.0.1:8089", func(c *Config) {
			c.HTTPClient = &http.Client{Transport: &deadHost{fault: dialFaults["connection refused"]}}
			c.HostSetting = "the provider's `host` (or ZUORA_HOST)"
		})
		_, err := c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9")
		if err == nil || !strings.Contains(err.Error(), "check the provider's `host` (or ZUORA_HOST)") ||
			!strings.Contains(err.Error(), "127.0.0.1:8089") || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestHTTPSToAPlainServerHints: host = "127.0.0.1:8089" (https implied) in
// front of a plain-HTTP server fails at once with a hint to write http://.
func TestHTTPSToAPlainServerHints(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newTestClient(t, "https://"+host)
	start := time.Now()
	_, err := c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9")
	if err == nil || !strings.Contains(err.Error(), "http://"+host) || !strings.Contains(err.Error(), "plain HTTP") {
		t.Fatalf("err = %v, want a hint to write http://%s", err, host)
	}
	var tokErr *TokenError
	if !errors.As(err, &tokErr) || tokErr.Attempts != 1 {
		t.Fatalf("err = %#v, want one attempt of the token fetch: retrying cannot help", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestRefusedPortFailsFast: a real refused connection, as a closed local
// port gives it.
func TestRefusedPortFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c := newTestClient(t, "http://"+addr)
	_, err = c.ListSequenceSets(context.Background(), ListOptions{})
	var tokErr *TokenError
	if !errors.As(err, &tokErr) || tokErr.Attempts != 3 || !strings.Contains(err.Error(), "connection refused") ||
		!strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v, want the token fetch to give up after 3 attempts naming %s", err, addr)
	}
}
