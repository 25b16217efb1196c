package zuora

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenSource holds one OAuth token for the whole client and fetches a new
// one only when it nears expiry or Zuora rejects it. The token endpoint is
// rate limited per IP, so a token per request would be a bug.
//
//   - A token is fresh until its renewal time (renewAt), usable until it
//     expires. A caller is served any usable token at once; the first one
//     that finds it no longer fresh starts one renewal in the background,
//     bounded by the token's expiry, and the others keep the old token
//     meanwhile.
//   - With no usable token, one fetch at a time serves every caller that
//     needs a token meanwhile: they wait for it (or for their own
//     context's end) without holding the lock, and share its outcome.
//   - A failed fetch is remembered for tokenFailureMemory only when no
//     usable token is left, so the requests that come right after fail at
//     once with the same error instead of each repeating the whole chain of
//     retries against a host that cannot answer. A failed renewal fails no
//     one: the old token is served, and the next renewal goes after
//     tokenFailureMemory.
//   - The token call has its own retries, and its own pacer (the token
//     endpoint's limits are not the API's): a Retry-After of the token
//     endpoint is checked against the deadline of the operation that
//     needs the token (a renewal's: the old token's expiry).
type tokenSource struct {
	config     clientcredentials.Config
	httpClient *http.Client // used for the token call only: no bearer, no body logging
	now        func() time.Time
	hint       func(error) string // what to check when the token call got no answer
	secrets    *redactor          // what the token call's errors must not show

	mu           sync.Mutex
	grant        *grant // the token held, nil when none
	grants       int
	fetch        *tokenFetch // the fetch under way, if any
	failure      error       // the latest failed fetch with no usable token, shared until failedUntil
	failedUntil  time.Time
	renewalAfter time.Time // a failed renewal: the next one not before
}

// grant is one token as the token endpoint answered it. newGrant is the
// one place a fetched token's answer is read.
type grant struct {
	access  string
	scope   string    // the scope Zuora granted with it: token_scope.go
	expiry  time.Time // zero: none given
	renewAt time.Time // fresh until then; usable until expiry
}

// newGrant reads the token endpoint's answer to a fetch started at started.
func newGrant(tok *oauth2.Token, started time.Time) *grant {
	return &grant{access: tok.AccessToken, scope: scopeOf(tok), expiry: tok.Expiry, renewAt: renewAt(started, tok.Expiry)}
}

// usable reports whether the token may still be sent at now.
func (g *grant) usable(now time.Time) bool {
	return g != nil && (g.expiry.IsZero() || now.Before(g.expiry))
}

// tokenFetch is one fetch of a token, shared by whoever waits for it.
type tokenFetch struct {
	done      chan struct{} // closed when token or err is set
	token     string
	err       error
	abandoned bool // its caller's context ended, or its deadline was too near: the others try again
}

// tokenFailureMemory is how long a failed token fetch answers for the
// fetches that would follow it.
const tokenFailureMemory = 10 * time.Second

// maxRenewMargin is how long before expiry a token is renewed at most; short
// lifetimes (seconds, in tests) renew at a fifth of their life instead.
const maxRenewMargin = time.Minute

func newTokenSource(baseURL, clientID, clientSecret string, httpClient *http.Client) *tokenSource {
	return &tokenSource{
		config: clientcredentials.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			TokenURL:     baseURL + "/oauth/token",
			AuthStyle:    oauth2.AuthStyleInParams, // Zuora wants form fields, no other auth header
		},
		httpClient: httpClient,
		now:        time.Now,
		hint:       func(error) string { return "" },
		secrets:    newRedactor(clientSecret),
	}
}

// accessToken returns a usable token, fetching a new one when needed.
func (ts *tokenSource) accessToken(ctx context.Context) (string, error) {
	for {
		ts.mu.Lock()
		now := ts.now()
		g := ts.grant
		switch {
		case g.usable(now):
			if !now.Before(g.renewAt) && ts.fetch == nil && !now.Before(ts.renewalAfter) {
				ts.startRenewalLocked(ctx, g, now)
			}
			ts.mu.Unlock()
			return g.access, nil
		case ts.failure != nil && now.Before(ts.failedUntil):
			err := ts.failure
			ts.mu.Unlock()
			return "", err
		case ts.fetch != nil:
			f := ts.fetch
			ts.mu.Unlock()
			select {
			case <-f.done:
				if !f.abandoned {
					return f.token, f.err
				}
				// Its caller gave up: the next fetch is someone else's.
			case <-ctx.Done():
				return "", ctx.Err()
			}
		default:
			f := &tokenFetch{done: make(chan struct{})}
			ts.fetch = f
			ts.mu.Unlock()
			ts.fetchInto(ctx, f, now, false)
			return f.token, f.err
		}
	}
}

// startRenewalLocked renews the token g in the background: for no one's
// operation, so with the caller's values but not its cancellation, and
// bounded by g's expiry (after it, callers fetch for themselves).
func (ts *tokenSource) startRenewalLocked(ctx context.Context, g *grant, now time.Time) {
	f := &tokenFetch{done: make(chan struct{})}
	ts.fetch = f
	renewCtx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
	if !g.expiry.IsZero() {
		renewCtx, cancel = context.WithDeadline(renewCtx, g.expiry)
	}
	go func() {
		defer cancel()
		ts.fetchInto(renewCtx, f, now, true)
	}()
}

// fetchInto fetches a token for f and shares the outcome. A renewal's
// failure is kept from no one but remembered only when no usable token is
// left.
func (ts *tokenSource) fetchInto(ctx context.Context, f *tokenFetch, started time.Time, renewal bool) {
	tflog.SubsystemDebug(ctx, logSubsystem, "requesting an OAuth token", map[string]any{"token_url": ts.config.TokenURL, "renewal": renewal})
	// The token call is not an attempt of the API call that needs it: it
	// counts its own.
	tokenCtx, st := withState(ctx)
	tok, err := ts.config.Token(context.WithValue(tokenCtx, oauth2.HTTPClient, ts.httpClient))
	attempts, _ := st.snapshot()

	var g *grant
	if err == nil {
		g = newGrant(tok, started)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	defer close(f.done)
	ts.fetch = nil
	if err != nil {
		var waitErr *WaitError
		if errors.As(err, &waitErr) {
			f.err = waitErr // the token endpoint's wait, past this operation's deadline
		} else {
			f.err = tokenError(ts.config.TokenURL, attempts, ts.hint, ts.secrets, err)
		}
		now := ts.now()
		switch {
		case ctx.Err() != nil || waitErr != nil:
			f.abandoned = true // not a verdict on the host: the caller stopped, or could not wait
		case ts.grant.usable(now):
			ts.renewalAfter = now.Add(tokenFailureMemory) // the old token serves meanwhile
		default:
			ts.failure, ts.failedUntil = f.err, now.Add(tokenFailureMemory)
		}
		if renewal {
			tflog.SubsystemDebug(ctx, logSubsystem, "renewing the OAuth token failed; the current one is used while valid",
				map[string]any{"error": f.err.Error()})
		}
		return
	}
	ts.grants++
	ts.grant = g
	ts.failure = nil
	f.token = g.access
	tflog.SubsystemDebug(ctx, logSubsystem, "obtained an OAuth token", map[string]any{"expires_at": tok.Expiry.Format(time.RFC3339)})
}

// renewAt says when a token fetched at now and expiring at expiry should be
// replaced: a fifth of its life early, at most maxRenewMargin.
func renewAt(now, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return now.Add(100 * 365 * 24 * time.Hour) // no expiry given: keep it until Zuora rejects it
	}
	margin := min(expiry.Sub(now)/5, maxRenewMargin)
	return expiry.Add(-margin)
}

// invalidate drops the cached token if it is still the one Zuora rejected,
// so that concurrent 401s lead to one new grant, not many.
func (ts *tokenSource) invalidate(rejected string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.grant != nil && ts.grant.access == rejected {
		ts.grant = nil
	}
}

// Grants counts successful token requests.
func (ts *tokenSource) Grants() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.grants
}

// TokenError means no OAuth token could be obtained. It is not retried by
// the API call that needed it: the token call has its own retries.
type TokenError struct {
	TokenURL   string
	StatusCode int
	RequestID  string
	Detail     string
	Attempts   int    // how many times the token call was sent
	Hint       string // what to check when the token call got no answer
	Err        error
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("could not obtain an OAuth token from %s", e.TokenURL)
	switch {
	case e.Attempts == 1:
		msg += " after 1 attempt"
	case e.Attempts > 1:
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(": Zuora answered HTTP %d", e.StatusCode)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusBadRequest {
		msg += " (check the client id and secret, and that the host is the tenant's environment)"
	}
	if e.RequestID != "" {
		msg += " (Zuora-Request-Id: " + e.RequestID + ")"
	}
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

func (e *TokenError) Unwrap() error { return e.Err }

func tokenError(tokenURL string, attempts int, hint func(error) string, secrets *redactor, err error) error {
	te := &TokenError{TokenURL: tokenURL, Attempts: attempts, Err: err}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			te.StatusCode = re.Response.StatusCode
			te.RequestID = re.Response.Header.Get("Zuora-Request-Id")
		}
		switch {
		case re.ErrorCode != "" && re.ErrorDescription != "":
			te.Detail = re.ErrorCode + ": " + re.ErrorDescription
		case re.ErrorCode != "":
			te.Detail = re.ErrorCode
		default:
			te.Detail = excerpt(re.Body, 120)
		}
		return te.redact(secrets)
	}
	te.Detail = err.Error()
	te.Hint = hint(err)
	return te.redact(secrets)
}

// redact hides the secrets an echoing endpoint or proxy put in its text.
func (e *TokenError) redact(secrets *redactor) *TokenError {
	e.Detail = secrets.redact(e.Detail)
	return e
}

// authTransport adds the bearer token to every API request and remembers
// which token it used, so a 401 can invalidate exactly that one.
type authTransport struct {
	tokens *tokenSource
	next   http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token, err := t.tokens.accessToken(req.Context())
	if err != nil {
		return nil, err
	}
	if st := stateFrom(req.Context()); st != nil {
		st.setToken(token)
	}
	clone := req.Clone(req.Context())
	clone.Body = req.Body // Clone shares the body; keep it explicit
	clone.Header.Set("Authorization", "Bearer "+token)
	return t.next.RoundTrip(clone)
}
