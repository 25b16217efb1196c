// Package zuora is a client for the parts of Zuora's REST API that the
// provider uses. It handles OAuth, retries, Zuora's headers and its two ways
// of reporting errors; it knows nothing of Terraform.
package zuora

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// DefaultAPIVersion is sent as Zuora-Version. From 2024-05-20 on, Zuora
// answers errors with real HTTP statuses.
const DefaultAPIVersion = "2025-08-12"

// DefaultMaxRetries is how many times a failed request is sent again.
const DefaultMaxRetries = 8

// DefaultAttemptTimeout is a little above Zuora's own gateway limit of 120
// seconds, past which Zuora answers 504 itself: an attempt still without an
// answer by then never gets one.
const DefaultAttemptTimeout = 125 * time.Second

// Zuora's own advice: full jitter, base 1 s, cap 60 s.
const (
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 60 * time.Second
)

// Config is everything a Client needs. Only BaseURL, ClientID and
// ClientSecret are required.
type Config struct {
	BaseURL      string // scheme and host, e.g. https://rest.apisandbox.zuora.com
	ClientID     string
	ClientSecret string
	EntityID     string // sent as Zuora-Entity-Ids when set
	APIVersion   string // sent as Zuora-Version; "" means DefaultAPIVersion
	TrackID      string // sent as Zuora-Track-Id when set

	// MaxRetries is the number of retries after the first attempt; nil
	// means DefaultMaxRetries.
	MaxRetries *int

	ProviderVersion  string // for the User-Agent
	TerraformVersion string // for the User-Agent, when known

	// HTTPClient carries the transport and timeouts; nil means a pooled
	// client from go-cleanhttp.
	HTTPClient *http.Client

	// BackoffBase and BackoffCap shape the jittered exponential backoff;
	// zero means Zuora's advice (1 s and 60 s). Tests make them short.
	BackoffBase time.Duration
	BackoffCap  time.Duration

	// AttemptTimeout bounds one attempt of a request, from sending it to
	// the end of its answer's body; an attempt past it is retried like a
	// lost connection. Waits for Zuora's limits come before the sending and
	// are bounded by the context's deadline alone. 0 means HTTPClient's
	// Timeout if set, else DefaultAttemptTimeout.
	AttemptTimeout time.Duration

	// HostSetting names, in errors about a host that cannot be reached,
	// where the host is set (e.g. "the provider's host (or ZUORA_HOST)");
	// "" means "the host".
	HostSetting string

	// NoListingReads turns off serving ReadSequenceSet and its kin from one
	// listing of the tenant: every read is then a request of its own.
	NoListingReads bool

	// Logging is the provider's logging context. Requests that no one call
	// owns, such as the listing's pages (which serve every read waiting for
	// them), log through it; only its values are used, never its deadline.
	// nil: those requests are not logged.
	Logging context.Context
}

// Client talks to one Zuora tenant (and entity). It is safe for concurrent
// use, and shares one OAuth token among all its calls.
type Client struct {
	baseURL      string
	secrets      *redactor // the client secret, hidden in logs and errors
	entityID     string
	apiVersion   string
	trackID      string
	userAgent    string
	tokens       *tokenSource
	http         *retryablehttp.Client
	pacer        *pacer
	attemptLimit time.Duration // AttemptTimeout as used
	listing      *listing      // nil when reads are not served from a listing
	hostHint     func(error) string
}

// New checks cfg and builds a Client. It sends nothing.
func New(cfg Config) (*Client, error) {
	base, err := ValidateBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	var missing []string
	if cfg.ClientID == "" {
		missing = append(missing, "client id")
	}
	if cfg.ClientSecret == "" {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s", strings.Join(missing, " and "))
	}
	if err := ValidateTrackID(cfg.TrackID); err != nil {
		return nil, err
	}
	retries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		retries = *cfg.MaxRetries
	}
	if retries < 0 {
		return nil, fmt.Errorf("max retries must be 0 or more, got %d", retries)
	}
	if cfg.AttemptTimeout < 0 {
		return nil, fmt.Errorf("the attempt timeout must not be negative, got %s", cfg.AttemptTimeout)
	}
	backoffBase := orDefault(cfg.BackoffBase, DefaultBackoffBase)
	backoffCap := orDefault(cfg.BackoffCap, DefaultBackoffCap)

	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = pooledClient()
	}
	transport := httpClient.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	baseURL := base.String()
	attemptTimeout := orDefault(cfg.AttemptTimeout, orDefault(httpClient.Timeout, DefaultAttemptTimeout))
	hint := func(err error) string { return hostHint(baseURL, cfg.HostSetting, err) }

	// The layers of a request, from the operation down (each knows only
	// the one below): the retry policy; the bearer; the pacer, which keeps
	// every wait the server asks for and checks it against the operation's
	// deadline; the attempt timeout, from sending to the end of the body;
	// the log of what goes on the wire. No http.Client.Timeout: it would
	// make the attempt's deadline the request's before the pacer runs.
	//
	// The bearer sits above the pacer: an attempt waiting for its token
	// holds no slot of the pacer and, never reaching the wire, counts
	// nothing against the window, and a token failure cannot leave a count
	// behind. The token call's own waits are then those of the token
	// endpoint, kept by a pacer of its own (the endpoint is limited per IP,
	// apart from the tenant's API) under the same rule: checked against
	// the deadline of the operation that needs the token. A token may
	// expire while its attempt waits in the pacer; it is renewed a minute
	// (a fifth of its life) early, and a 401 brings a new one once.
	//
	// The token call retries like any other, through its pacer and the
	// attempt timeout, without bearer or logging of its body (it carries
	// the secret and the token).
	tokenPace := newTokenPacer()
	tokenPace.serviceWaitCap = backoffCap
	tokenHTTP := *httpClient
	tokenHTTP.Timeout = 0
	tokenHTTP.Transport = &pacingTransport{pacer: tokenPace, next: &attemptTransport{limit: attemptTimeout, next: transport}}
	tokenRetry := newRetryClient(&tokenHTTP, retries, backoffBase, backoffCap, nil, tokenPace)
	tokens := newTokenSource(baseURL, cfg.ClientID, cfg.ClientSecret, tokenRetry.StandardClient())
	tokens.hint = hint

	pace := newPacer()
	pace.serviceWaitCap = backoffCap
	apiHTTP := *httpClient
	apiHTTP.Timeout = 0
	apiHTTP.Transport = &authTransport{tokens: tokens, next: &pacingTransport{pacer: pace,
		next: &attemptTransport{limit: attemptTimeout, next: &loggingTransport{next: transport}}}}

	c := &Client{
		baseURL:      baseURL,
		secrets:      newRedactor(cfg.ClientSecret),
		entityID:     cfg.EntityID,
		apiVersion:   orDefault(cfg.APIVersion, DefaultAPIVersion),
		trackID:      cfg.TrackID,
		userAgent:    UserAgent(cfg.ProviderVersion, cfg.TerraformVersion),
		tokens:       tokens,
		http:         newRetryClient(&apiHTTP, retries, backoffBase, backoffCap, tokens, pace),
		pacer:        pace,
		attemptLimit: attemptTimeout,
		hostHint:     hint,
	}
	if !cfg.NoListingReads {
		c.listing = newListing(c, cfg.Logging)
	}
	return c, nil
}

// orDefault returns v unless it is the zero value, then def.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// UserAgent is what the client sends as User-Agent.
func UserAgent(providerVersion, terraformVersion string) string {
	ua := "terraform-provider-zuora/" + orDefault(providerVersion, "dev")
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// BaseURL is the tenant's base URL as the client uses it.
func (c *Client) BaseURL() string { return c.baseURL }

// TokenGrants counts the OAuth tokens this client has obtained.
func (c *Client) TokenGrants() int { return c.tokens.Grants() }

// call is one logical API operation.
type call struct {
	op             string // for messages: "create sequence set"
	method         string
	path           string
	query          url.Values
	body           any
	idempotencyKey string
	out            any // nil when the answer carries nothing but success
}

// do sends c with retries and decodes the answer; every failure comes back
// as an *APIError, a *TokenError, the context's error, or a transport error
// saying what was retried.
func (c *Client) do(ctx context.Context, cl call) error {
	ctx = c.withLogging(ctx)
	ctx, st := withState(ctx)

	var body []byte
	if cl.body != nil {
		var err error
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("%s: encoding the request: %w", cl.op, err)
		}
	}
	u := c.baseURL + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var rawBody any
	if body != nil {
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u, rawBody)
	if err != nil {
		return fmt.Errorf("%s: %w", cl.op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Zuora-Version", c.apiVersion)
	if c.entityID != "" {
		req.Header.Set("Zuora-Entity-Ids", c.entityID)
	}
	if c.trackID != "" {
		req.Header.Set("Zuora-Track-Id", c.trackID)
	}
	if cl.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey)
	}

	resp, err := c.http.Do(req)
	attempts, lastRetried := st.snapshot()
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("%s: stopped: %w", cl.op, ctxErr)
		}
		var tokErr *TokenError
		if errors.As(err, &tokErr) {
			return fmt.Errorf("%s: %w", cl.op, tokErr)
		}
		var waitErr *WaitError
		if errors.As(err, &waitErr) {
			return fmt.Errorf("%s: %w", cl.op, waitErr)
		}
		msg := fmt.Sprintf("%s: no answer from Zuora after %d attempt(s)", cl.op, attempts)
		var urlErr *url.Error
		if errors.As(err, &urlErr) && urlErr.Timeout() {
			msg = fmt.Sprintf("%s: no answer from Zuora within the request timeout (%s) in %d attempt(s)", cl.op, c.attemptLimit, attempts)
		}
		if lastRetried != "" && attempts > 1 {
			msg += " (last retried because of " + lastRetried + ")"
		}
		if hint := c.hostHint(err); hint != "" {
			return fmt.Errorf("%s: %w. %s", msg, err, hint)
		}
		return fmt.Errorf("%s: %w", msg, err)
	}
	defer func() { _ = resp.Body.Close() }()
	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	secrets := c.secrets.with(st.sentToken())
	if readErr != nil {
		apiErr := &APIError{
			Operation: cl.op, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("Zuora-Request-Id"),
			Message: "the answer broke off: " + readErr.Error(), Attempts: attempts,
		}
		apiErr.redact(secrets)
		return apiErr
	}
	if err := decodeAnswer(cl.op, resp.StatusCode, resp.Header, bytes.TrimSpace(respBody), cl.out); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			apiErr.Attempts = attempts
			apiErr.redact(secrets)
		}
		return err
	}
	return nil
}

// newIdempotencyKey makes the key a create keeps across its retries.
func newIdempotencyKey() string {
	return "tf-zuora-" + rand.Text()
}

// maxConnsKept is how many idle connections to Zuora are kept for reuse:
// Zuora's concurrency limit per tenant, well above Terraform's default
// parallelism of 10. go-cleanhttp keeps GOMAXPROCS+1, so on a small CI
// runner most parallel requests would pay a new TLS handshake.
const maxConnsKept = 40

func pooledClient() *http.Client {
	c := cleanhttp.DefaultPooledClient()
	if t, ok := c.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = maxConnsKept
	}
	return c
}
