package zuora

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func answer(status int, body string, kv ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	h.Set("X-Test-Body", body) // lets tests compare what is left to read
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestBackoffHonoursZuoraHeaders(t *testing.T) {
	base, capWait := time.Second, time.Minute
	tests := []struct {
		name string
		resp *http.Response
		want time.Duration
	}{
		{"Retry-After seconds", answer(429, "", "Retry-After", "120"), 120 * time.Second},
		{"Retry-After fraction", answer(503, "", "Retry-After", "0.05"), 50 * time.Millisecond},
		{"Retry-After wins over RateLimit-Reset", answer(429, "", "Retry-After", "2", "RateLimit-Remaining", "0", "RateLimit-Reset", "30"), 2 * time.Second},
		{"RateLimit-Reset when the window is spent", answer(429, "", "RateLimit-Remaining", "0", "RateLimit-Reset", "30"), 30 * time.Second},
		{"401 retries at once", answer(401, ""), 0},
	}
	for _, tt := range tests {
		if got := backoff(base, capWait, 3, tt.resp); got != tt.want {
			t.Errorf("%s: backoff = %v, want %v", tt.name, got, tt.want)
		}
	}
	// RateLimit-Reset is ignored while requests remain: jitter applies.
	for range 50 {
		got := backoff(base, capWait, 0, answer(503, "", "RateLimit-Remaining", "5", "RateLimit-Reset", "30"))
		if got < 0 || got >= base {
			t.Fatalf("first retry waits %v, want within [0, %v)", got, base)
		}
	}
}

func TestFullJitterStaysWithinTheExponentialCeiling(t *testing.T) {
	base, capWait := time.Second, time.Minute
	for attempt, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		var maxSeen time.Duration
		for range 200 {
			d := fullJitter(base, capWait, attempt)
			if d < 0 || d >= ceiling {
				t.Fatalf("attempt %d waited %v, want [0, %v)", attempt, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/2 {
			t.Errorf("attempt %d: waits never reached half the ceiling (max %v): no jitter over the full range", attempt, maxSeen)
		}
	}
	for _, attempt := range []int{10, 40, 63, 100} {
		if d := fullJitter(base, capWait, attempt); d < 0 || d >= capWait {
			t.Fatalf("attempt %d waited %v, want below the cap %v", attempt, d, capWait)
		}
	}
}

func TestCheckRetry(t *testing.T) {
	tests := []struct {
		name  string
		resp  *http.Response
		err   error
		retry bool
	}{
		{"200 success", answer(200, `{"success":true}`), nil, false},
		{"429", answer(429, `{"reasons":[{"code":70}]}`), nil, true},
		{"500", answer(500, ""), nil, true},
		{"502", answer(502, "<html>"), nil, true},
		{"503", answer(503, ""), nil, true},
		{"504", answer(504, ""), nil, true},
		{"501 is not retried", answer(501, ""), nil, false},
		{"400", answer(400, `{"success":false,"reasons":[{"code":50000020}]}`), nil, false},
		{"404", answer(404, `{"success":false,"reasons":[{"code":50000040}]}`), nil, false},
		{"200 lock contention", answer(200, `{"success":false,"reasons":[{"code":50000050}]}`), nil, true},
		{"200 temporary error", answer(200, `{"success":false,"reasons":[{"code":"50000061"}]}`), nil, true},
		{"200 rate limited", answer(200, `{"success":false,"reasons":[{"code":70}]}`), nil, true},
		{"200 integration failure", answer(200, `{"success":false,"reasons":[{"code":50000099}]}`), nil, true},
		{"409 lock contention", answer(409, `{"success":false,"reasons":[{"code":50000050}]}`), nil, true},
		{"200 rule restriction", answer(200, `{"success":false,"reasons":[{"code":50000030}]}`), nil, false},
		{"200 not found", answer(200, `{"success":false,"reasons":[{"code":50000040}]}`), nil, false},
		{"200 malformed", answer(200, `{"success":false,"reasons":[{"code":50000090}]}`), nil, false},
		{"connection reset", nil, errors.New("read: connection reset by peer"), true},
		{"token error", nil, &TokenError{TokenURL: "x"}, false},
	}
	p := retryPolicy{}
	for _, tt := range tests {
		ctx, _ := withState(context.Background())
		got, err := p.checkRetry(ctx, tt.resp, tt.err)
		if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
		}
		if got != tt.retry {
			t.Errorf("%s: retry = %v, want %v", tt.name, got, tt.retry)
		}
		if tt.resp != nil {
			// The body must still be readable, whole, after the policy looked at it.
			want := tt.resp.Header.Get("X-Test-Body")
			if b, _ := io.ReadAll(tt.resp.Body); string(b) != want {
				t.Errorf("%s: body after the policy = %q, want %q", tt.name, b, want)
			}
		}
	}
}

func TestCheckRetryStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	retry, err := retryPolicy{}.checkRetry(ctx, answer(503, ""), nil)
	if retry || !errors.Is(err, context.Canceled) {
		t.Fatalf("retry=%v err=%v, want no retry and context.Canceled", retry, err)
	}
}

func TestRenewAt(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	if got := renewAt(now, now.Add(time.Hour)); !got.Equal(now.Add(59 * time.Minute)) {
		t.Errorf("an hour-long token renews at %v, want a minute early", got.Sub(now))
	}
	if got := renewAt(now, now.Add(5*time.Second)); !got.Equal(now.Add(4 * time.Second)) {
		t.Errorf("a 5s token renews at %v, want after 4s", got.Sub(now))
	}
	if got := renewAt(now, time.Time{}); !got.After(now.Add(24 * time.Hour)) {
		t.Errorf("a token without expiry must be kept, renews at %v", got.Sub(now))
	}
}

// TestBackoffCapsA503sRetryAfter: a 503 asking for an hour waits the cap;
// Zuora's limiter (429) is waited as long as it asks.
func TestBackoffCapsA503sRetryAfter(t *testing.T) {
	if got := backoff(time.Second, time.Minute, 0, answer(503, "", "Retry-After", "3600")); got != time.Minute {
		t.Errorf("503 Retry-After 3600: backoff %v, want the cap", got)
	}
	if got := backoff(time.Second, time.Minute, 0, answer(429, "", "Retry-After", "120")); got != 120*time.Second {
		t.Errorf("429 Retry-After 120: backoff %v, want 120s", got)
	}
}

// TestCheckRetryUnreachable: a host with no one there is retried until the
// third attempt; https:// to a plain-HTTP server never.
func TestCheckRetryUnreachable(t *testing.T) {
	p := retryPolicy{}
	for name, fault := range dialFaults {
		ctx, _ := withState(context.Background())
		var got []bool
		for range 4 {
			retry, _ := p.checkRetry(ctx, nil, fault)
			got = append(got, retry)
		}
		if got[0] != true || got[1] != true || got[2] != false {
			t.Errorf("%s: retries %v, want two retries and no third", name, got)
		}
	}
	ctx, _ := withState(context.Background())
	plain := errors.New(`Get "https://127.0.0.1:8089/v1/x": http: server gave HTTP response to HTTPS client`)
	if retry, _ := p.checkRetry(ctx, nil, plain); retry {
		t.Error("https:// to a plain-HTTP server was retried")
	}
}
