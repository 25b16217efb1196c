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
// One fetch at a time serves every caller that needs a token meanwhile:
// they wait for it (or for their own context's end) without holding the
// lock, and share its outcome. A failed fetch is remembered for
// tokenFailureMemory, so the requests that come right after fail at once
// with the same error instead of each repeating the whole chain of
// retries against a host that cannot answer.
type tokenSource struct {
	config     clientcredentials.Config
	httpClient *http.Client // used for the token call only: no bearer, no body logging
	now        func() time.Time
	hint       func(error) string // what to check when the token call got no answer

	mu          sync.Mutex
	token       *oauth2.Token
	scope       string // the scope Zuora granted with token: token_scope.go
	validUntil  time.Time
	grants      int
	fetch       *tokenFetch // the fetch under way, if any
	failure     error       // the latest failed fetch, shared until failedUntil
	failedUntil time.Time
}

// tokenFetch is one fetch of a token, shared by whoever waits for it.
type tokenFetch struct {
	done      chan struct{} // closed when token or err is set
	token     string
	err       error
	abandoned bool // its caller's context ended: the others try again
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
	}
}

// accessToken returns the cached token, fetching a new one when needed.
func (ts *tokenSource) accessToken(ctx context.Context) (string, error) {
	for {
		ts.mu.Lock()
		now := ts.now()
		switch {
		case ts.token != nil && now.Before(ts.validUntil):
			token := ts.token.AccessToken
			ts.mu.Unlock()
			return token, nil
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
			ts.fetchInto(ctx, f, now)
			return f.token, f.err
		}
	}
}

// fetchInto fetches a token for f and shares the outcome.
func (ts *tokenSource) fetchInto(ctx context.Context, f *tokenFetch, started time.Time) {
	tflog.SubsystemDebug(ctx, logSubsystem, "requesting an OAuth token", map[string]any{"token_url": ts.config.TokenURL})
	// The token call is not an attempt of the API call that needs it: it
	// counts its own.
	tokenCtx, st := withState(ctx)
	tok, err := ts.config.Token(context.WithValue(tokenCtx, oauth2.HTTPClient, ts.httpClient))
	attempts, _ := st.snapshot()

	ts.mu.Lock()
	defer ts.mu.Unlock()
	defer close(f.done)
	ts.fetch = nil
	if err != nil {
		f.err = tokenError(ts.config.TokenURL, attempts, ts.hint, err)
		if ctx.Err() != nil {
			f.abandoned = true // not a verdict on the host: the caller stopped
			return
		}
		ts.failure, ts.failedUntil = f.err, ts.now().Add(tokenFailureMemory)
		return
	}
	ts.grants++
	ts.token = tok
	ts.scope = scopeOf(tok)
	ts.validUntil = renewAt(started, tok.Expiry)
	ts.failure = nil
	f.token = tok.AccessToken
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
	if ts.token != nil && ts.token.AccessToken == rejected {
		ts.token = nil
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

func tokenError(tokenURL string, attempts int, hint func(error) string, err error) error {
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
		return te
	}
	te.Detail = err.Error()
	te.Hint = hint(err)
	return te
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
