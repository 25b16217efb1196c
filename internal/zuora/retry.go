package zuora

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxBodyBytes bounds what is read of one answer; sequence set answers are
// a few kilobytes.
const maxBodyBytes = 8 << 20

// retryableCategories are the Zuora categories worth another try: lock
// contention, temporary error, rate limit, integration failure.
var retryableCategories = map[int]bool{
	CategoryLockContention:     true,
	CategoryTemporaryError:     true,
	CategoryRateLimited:        true,
	CategoryIntegrationFailure: true,
}

// requestState follows one logical call across its attempts.
type requestState struct {
	mu          sync.Mutex
	attempts    int
	unreachable int // attempts that found no one at the host
	reauthed    bool
	token       string // the bearer sent on the latest attempt
	lastRetried string // why the latest retry happened, for the final error
}

type stateKey struct{}

func withState(ctx context.Context) (context.Context, *requestState) {
	st := &requestState{}
	return context.WithValue(ctx, stateKey{}, st), st
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

func (st *requestState) setToken(token string) {
	st.mu.Lock()
	st.token = token
	st.mu.Unlock()
}

// sentToken is the bearer sent on the latest attempt.
func (st *requestState) sentToken() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.token
}

func (st *requestState) snapshot() (attempts int, lastRetried string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.attempts, st.lastRetried
}

// retryPolicy decides after each attempt whether to send it again.
type retryPolicy struct {
	tokens *tokenSource // nil for the token call itself
}

// checkRetry implements retryablehttp.CheckRetry. Besides statuses it reads
// the body, because Zuora reports lock contention or rate limits as HTTP 200
// with "success": false in its older error mode.
func (p retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	if st != nil {
		st.mu.Lock()
		st.attempts++
		st.mu.Unlock()
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		retry, why := retryableTransportError(err)
		if retry && unreachable(err) && st != nil {
			st.mu.Lock()
			st.unreachable++
			retry = st.unreachable < maxUnreachableAttempts // no one there: retried only briefly
			st.mu.Unlock()
		}
		p.note(ctx, st, retry, why)
		return retry, nil
	}

	body, readErr := bufferBody(resp)
	if readErr != nil {
		// The connection broke mid-answer: as retryable as a reset.
		p.note(ctx, st, true, "reading the answer failed: "+readErr.Error())
		return true, nil //nolint:nilerr // a broken answer is retried, not returned
	}

	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		p.note(ctx, st, true, fmt.Sprintf("HTTP %d%s", resp.StatusCode, reasonSuffix(body)))
		return true, nil
	case http.StatusUnauthorized:
		return p.reauthenticate(ctx, st, "HTTP 401"), nil
	}

	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Success == nil || *env.Success {
		return false, nil //nolint:nilerr // not a Zuora envelope: the decoder reports it
	}
	for _, r := range env.Reasons {
		if r.Category() == CategoryAuthentication {
			return p.reauthenticate(ctx, st, "authentication failure "+r.Code), nil
		}
	}
	for _, r := range env.Reasons {
		if retryableCategories[r.Category()] {
			p.note(ctx, st, true, fmt.Sprintf("HTTP %d with reason %s %s", resp.StatusCode, r.Code, r.Message))
			return true, nil
		}
	}
	return false, nil
}

// reauthenticate allows one retry with a fresh token per call.
func (p retryPolicy) reauthenticate(ctx context.Context, st *requestState, why string) bool {
	if p.tokens == nil || st == nil {
		return false
	}
	st.mu.Lock()
	already := st.reauthed
	st.reauthed = true
	rejected := st.token
	st.mu.Unlock()
	if already {
		return false
	}
	p.tokens.invalidate(rejected)
	p.note(ctx, st, true, why+": the token was rejected, retrying once with a new one")
	return true
}

func (p retryPolicy) note(ctx context.Context, st *requestState, retry bool, why string) {
	if !retry {
		return
	}
	if st != nil {
		st.mu.Lock()
		st.lastRetried = why
		st.mu.Unlock()
	}
	tflog.SubsystemDebug(ctx, logSubsystem, "will retry the request", map[string]any{"reason": why})
}

// retryableTransportError says whether a request that got no answer may be
// sent again: connection resets and timeouts yes, a bad certificate or URL no.
func retryableTransportError(err error) (bool, string) {
	var tokErr *TokenError
	var waitErr *WaitError
	if errors.As(err, &tokErr) || errors.As(err, &waitErr) {
		return false, ""
	}
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return false, ""
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) && strings.Contains(urlErr.Err.Error(), "unsupported protocol scheme") {
		return false, ""
	}
	if plainHTTPAnswer(err) {
		return false, "" // the host needs http://, which no retry changes
	}
	return true, "no answer: " + err.Error()
}

// bufferBody reads the body so the policy can look at it and the caller can
// still read it afterwards.
func bufferBody(resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

func reasonSuffix(body []byte) string {
	var env envelope
	if json.Unmarshal(body, &env) != nil || len(env.Reasons) == 0 {
		return ""
	}
	return fmt.Sprintf(" with reason %s %s", env.Reasons[0].Code, env.Reasons[0].Message)
}

// backoff waits what Zuora asks for: Retry-After first (at most maxWait
// unless Zuora's limiter asked, HTTP 429), then RateLimit-Reset when the
// window is spent, else exponential backoff with full jitter. A retry after
// a rejected token goes at once. With a pacer, every one of these waits but
// the jitter is the pacer's (see newRetryClient).
func backoff(base, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if resp.StatusCode == http.StatusUnauthorized {
			return 0
		}
		if d, ok := serverWait(resp.Header); ok {
			if resp.StatusCode != http.StatusTooManyRequests {
				d = min(d, maxWait)
			}
			return d
		}
		if strings.TrimSpace(resp.Header.Get("RateLimit-Remaining")) == "0" {
			if d, ok := parseSeconds(resp.Header.Get("RateLimit-Reset")); ok {
				return d
			}
		}
	}
	return fullJitter(base, maxWait, attempt)
}

// fullJitter is a random wait in [0, min(cap, base·2^attempt)).
func fullJitter(base, maxWait time.Duration, attempt int) time.Duration {
	if base <= 0 {
		return 0
	}
	ceiling := maxWait
	if attempt < 62 {
		if exp := base << attempt; exp > 0 && exp < ceiling {
			ceiling = exp
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// maxServerWait is the longest wait a server may ask for; a longer one
// (or a date further ahead) is ignored like a malformed one.
const maxServerWait = 24 * time.Hour

// parseSeconds reads a delay in seconds. Zuora sends whole seconds; a
// fraction is accepted too (the local fake uses them to keep tests fast).
func parseSeconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	// Written so that NaN, which ParseFloat accepts, fails too.
	if err != nil || !(f >= 0 && f <= maxServerWait.Seconds()) {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

func retryAfterDate(v string) (time.Duration, bool) {
	t, err := http.ParseTime(strings.TrimSpace(v))
	if err != nil {
		return 0, false
	}
	d := max(time.Until(t), 0)
	if d > maxServerWait {
		return 0, false
	}
	return d, true
}

// giveUp keeps the final answer so its Zuora reasons reach the user; only
// when there is none does the transport error stand.
func giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	var waitErr *WaitError
	if errors.As(err, &waitErr) {
		return nil, err // the client's own refusal to wait past the deadline
	}
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

// newRetryClient retries through httpClient. With a pacer, every wait the
// server asks for (Retry-After, RateLimit-Reset) is the pacer's to keep: it
// holds every attempt of the client, this retry included, and checks the
// wait against the operation's deadline. The backoff then adds only its
// jitter, and nothing while the pacer holds.
func newRetryClient(httpClient *http.Client, maxRetries int, base, maxWait time.Duration, tokens *tokenSource, pace *pacer) *retryablehttp.Client {
	policy := retryPolicy{tokens: tokens}
	wait := backoff
	if pace != nil {
		wait = func(base, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
			if pace.holding() || (resp != nil && resp.StatusCode == http.StatusUnauthorized) {
				return 0
			}
			return fullJitter(base, maxWait, attempt)
		}
	}
	return &retryablehttp.Client{
		HTTPClient:   httpClient,
		Logger:       nil, // attempts are logged through tflog by the policy and the logging transport
		RetryWaitMin: base,
		RetryWaitMax: maxWait,
		RetryMax:     maxRetries,
		CheckRetry:   policy.checkRetry,
		Backoff:      wait,
		ErrorHandler: giveUp,
	}
}
