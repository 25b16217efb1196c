package zuora

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeAnswer feeds arbitrary answers to decodeAnswer, the one place
// an HTTP answer becomes a result or an *APIError. Whatever the status and
// body, it must not panic, must report a failure as an *APIError naming the
// operation and the request id, and must never call a non-2xx answer, or a
// body saying "success": false, a success.
func FuzzDecodeAnswer(f *testing.F) {
	for _, seed := range []struct {
		status      int
		contentType string
		body        string
	}{
		{200, "application/json", `{"success":true,"id":"402892c74c9193cd014c96bbe7c101f9","name":"FR","invoice":{"prefix":"FINV","startNumber":10}}`},
		{200, "application/json", `{"success":true,"sequenceSets":[{"id":"402892c74c9193cd014c96bbe7c101f9","name":"FR"}]}`},
		{200, "application/json", `{"success":true}`},
		{200, "application/json", `{"success":false}`},
		{200, "application/json", `{"success":false,"reasons":[{"code":"50000040","message":"not found"}]}`},
		{200, "application/json", `{"success":false,"reasons":[{"code":50000040.5}]}`},
		{200, "application/json", `{"success":false,"reasons":[{"code":-1},{"code":null},{"code":true}]}`},
		{404, "application/json", `{"success":false,"processId":"P","requestId":"R","reasons":[{"code":50000040,"message":"gone"}]}`},
		{429, "application/json", `{"reasons":[{"code":70,"message":"API Rate limit exceeded"}]}`},
		{401, "application/json", `{"message":"Authentication error"}`},
		{503, "text/html", "<html><body><h1>503 Service Unavailable</h1></body></html>"},
		{200, "application/json", ""},
		{200, "application/json", `{"success":true,"name":"X","invoice":{"pre`},
		{200, "application/json", `{"success":true,"invoice":{"prefix":"A","startNumber":"99999999999999999999999"}}`},
		{200, "application/json", `{"success":true,"invoice":{"prefix":"A","startNumber":1e400}}`},
		{200, "application/json", `[1,2,3]`},
		{200, "application/json", `"just a string"`},
		{200, "application/json", "{\"success\":true,\"name\":\"\xff\xfe\"}"},
		{204, "", ""},
		{0, "", "\x00\x01\x02"},
		{-1, "text/plain; charset=\xff", "\xef\xbb\xbf{\"success\":true}"},
	} {
		f.Add(seed.status, seed.contentType, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		header := http.Header{}
		header.Set("Content-Type", contentType)
		header.Set("Zuora-Request-Id", "req-fuzz")
		ok2xx := status >= 200 && status < 300
		var env struct {
			Success *bool `json:"success"`
		}
		saysFailure := json.Unmarshal(bytes.TrimSpace(body), &env) == nil && env.Success != nil && !*env.Success

		var set SequenceSet
		var list sequenceSetsBody
		for _, out := range []any{nil, &set, &list} {
			err := decodeAnswer("read sequence set", status, header, body, out)
			if err == nil {
				if !ok2xx {
					t.Fatalf("HTTP %d decoded as a success into %T", status, out)
				}
				if saysFailure {
					t.Fatalf(`a body with "success": false decoded as a success into %T: %q`, out, body)
				}
				continue
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError: %v", err, err)
			}
			if apiErr.StatusCode != status {
				t.Fatalf("StatusCode %d, want %d", apiErr.StatusCode, status)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "read sequence set: Zuora answered HTTP ") || !strings.Contains(msg, "Zuora-Request-Id: req-fuzz") {
				t.Fatalf("message %q does not name the operation and the request id", msg)
			}
			_ = IsNotFound(err)
			_ = apiErr.HasCategory(CategoryNotFound)
		}
	})
}

// FuzzRetryDecision feeds arbitrary answers to the retry policy and the
// backoff: they must not panic, must leave the body readable for the
// decoder, must always retry 429 and 5xx gateway answers, and must never
// wait a negative time or longer than a day.
func FuzzRetryDecision(f *testing.F) {
	for _, seed := range []struct {
		status                       int
		retryAfter, remaining, reset string
		body                         string
	}{
		{429, "0.01", "0", "1", `{"reasons":[{"code":70,"message":"API Rate limit exceeded"}]}`},
		{429, "120", "", "", `{"success":false,"reasons":[{"code":50000070,"message":"Too many concurrent requests"}]}`},
		{429, "Wed, 21 Oct 2015 07:28:00 GMT", "0", "600", ``},
		{429, "Wed, 21 Oct 2999 07:28:00 GMT", "", "", ``},
		{503, "", "", "", "<html>503</html>"},
		{200, "", "", "", `{"success":false,"reasons":[{"code":50000050,"message":"lock"}]}`},
		{200, "", "", "", `{"success":false,"reasons":[{"code":"50000011","message":"auth"}]}`},
		{200, "", "", "", `{"success":true}`},
		{401, "", "", "", `{"message":"Authentication error"}`},
		{400, "-5", "0", "-1", `{"success":false,"reasons":[{"code":50000020}]}`},
		{500, "NaN", "0", "Inf", `{"success":false,"reasons":[{"code":50000061}]}`},
		{502, "1e308", "0", "1e308", ``},
		{200, "86400.0000001", "0", "99999999999", `{"success":true,"sequenceSets":[]}`},
	} {
		f.Add(seed.status, seed.retryAfter, seed.remaining, seed.reset, []byte(seed.body))
	}
	tokens := newTokenSource("https://example.invalid", "id", "secret", http.DefaultClient)
	f.Fuzz(func(t *testing.T, status int, retryAfter, remaining, reset string, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		resp := &http.Response{
			StatusCode: status,
			Header:     http.Header{},
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		resp.Header.Set("Retry-After", retryAfter)
		resp.Header.Set("RateLimit-Remaining", remaining)
		resp.Header.Set("RateLimit-Reset", reset)

		ctx, _ := withState(context.Background())
		retry, err := retryPolicy{tokens: tokens}.checkRetry(ctx, resp, nil)
		if err != nil {
			t.Fatalf("checkRetry returned an error for an answer: %v", err)
		}
		switch status {
		case 429, 500, 502, 503, 504:
			if !retry {
				t.Fatalf("HTTP %d was not retried", status)
			}
		}
		rest, readErr := io.ReadAll(resp.Body)
		if readErr != nil || !bytes.Equal(rest, body) {
			t.Fatalf("the policy consumed the body: read %q (%v), want %q", rest, readErr, body)
		}
		for attempt := range 70 {
			wait := backoff(time.Millisecond, 20*time.Millisecond, attempt, resp)
			if wait < 0 || wait > 24*time.Hour+time.Second {
				t.Fatalf("attempt %d waits %v (Retry-After %q, RateLimit-Reset %q)", attempt, wait, retryAfter, reset)
			}
		}
	})
}

// TestBackoffIgnoresAbsurdServerWaits pins what FuzzRetryDecision found: a
// Retry-After of NaN seconds made a negative wait (an immediate retry), and
// a date centuries ahead a wait of 292 years. Both now count as no
// Retry-After at all, like a number of seconds beyond a day.
func TestBackoffIgnoresAbsurdServerWaits(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "-0.5", "Inf", "86401", "Wed, 21 Oct 2999 07:28:00 GMT", time.Now().Add(25 * time.Hour).UTC().Format(http.TimeFormat)} {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}}
		if wait := backoff(time.Millisecond, 20*time.Millisecond, 0, resp); wait < 0 || wait >= 20*time.Millisecond {
			t.Errorf("Retry-After %q: wait %v, want the jittered backoff (under 20ms)", v, wait)
		}
	}
	// Sane values are still honoured.
	for v, want := range map[string]time.Duration{
		"0.25":  250 * time.Millisecond,
		"86400": 24 * time.Hour,
		time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat): 2 * time.Hour,
	} {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}}
		if wait := backoff(time.Millisecond, 20*time.Millisecond, 0, resp); wait > want || wait < want-2*time.Second {
			t.Errorf("Retry-After %q: wait %v, want about %v", v, wait, want)
		}
	}
}
