package zuora

import (
	"bytes"
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

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// startFake serves a fresh local Zuora for one test.
func startFake(t *testing.T, opts zuorafake.Options) (*zuorafake.Server, string) {
	t.Helper()
	fake := zuorafake.New(opts)
	srv := httptest.NewServer(conformantFake(t, fake))
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

// newTestClient builds a client for the fake with waits short enough for tests.
func newTestClient(t *testing.T, baseURL string, tune ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:          baseURL,
		ClientID:         zuorafake.DefaultClientID,
		ClientSecret:     zuorafake.DefaultClientSecret,
		ProviderVersion:  "test",
		TerraformVersion: "1.11.4",
		BackoffBase:      time.Millisecond,
		BackoffCap:       10 * time.Millisecond,
	}
	for _, f := range tune {
		f(&cfg)
	}
	cfg.HTTPClient = conformantHTTP(t, cfg.HTTPClient)
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func retries(n int) func(*Config) { return func(c *Config) { c.MaxRetries = &n } }

func apiVersion(v string) func(*Config) { return func(c *Config) { c.APIVersion = v } }

func sampleSet(name, p string) SequenceSet {
	return SequenceSet{
		Name:       name,
		Invoice:    &Numbering{Prefix: p + "INV", StartNumber: 10},
		CreditMemo: &Numbering{Prefix: p + "CM", StartNumber: 11},
		DebitMemo:  &Numbering{Prefix: p + "DM", StartNumber: 12},
		Payment:    &Numbering{Prefix: p + "P-", StartNumber: 13},
		Refund:     &Numbering{Prefix: p + "R-", StartNumber: 14},
	}
}

// errorModes are Zuora's two ways of reporting a failure.
var errorModes = []struct {
	name    string
	version string
	status  func(actual int) int
}{
	{"real HTTP statuses", "2025-08-12", func(actual int) int { return actual }},
	{"HTTP 200 with success false", "186.0", func(int) int { return http.StatusOK }},
}

func TestSequenceSetLifecycle(t *testing.T) {
	for _, mode := range errorModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url, apiVersion(mode.version))

			created, err := c.CreateSequenceSet(ctx, sampleSet("FR", "F"))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if !sequenceSetIDRegexp(created.ID) {
				t.Fatalf("created id %q is not 32 hex", created.ID)
			}
			stored, ok := fake.Set(created.ID)
			if !ok || stored.Name != "FR" || stored.Invoice.Prefix != "FINV" || stored.Refund.StartNumber != 14 {
				t.Fatalf("fake holds %+v (found %v)", stored, ok)
			}

			got, err := c.GetSequenceSet(ctx, created.ID)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if got.ID != created.ID || got.Name != "FR" || *got.CreditMemo != (Numbering{"FCM", 11}) || *got.Payment != (Numbering{"FP-", 13}) {
				t.Fatalf("get returned %+v", got)
			}

			byName, err := c.ListSequenceSets(ctx, ListOptions{Name: "FR"})
			if err != nil || len(byName) != 1 || byName[0].ID != created.ID {
				t.Fatalf("list by name = %+v, %v", byName, err)
			}

			// A partial update changes only what it names.
			prefix, start := "FRINV", int64(500)
			err = c.UpdateSequenceSet(ctx, created.ID, SequenceSetPatch{
				Invoice: &NumberingPatch{Prefix: &prefix},
				Refund:  &NumberingPatch{StartNumber: &start},
			})
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			stored, _ = fake.Set(created.ID)
			if *stored.Invoice != (zuorafake.Numbering{Prefix: "FRINV", StartNumber: 10}) || *stored.Refund != (zuorafake.Numbering{Prefix: "FR-", StartNumber: 500}) ||
				*stored.DebitMemo != (zuorafake.Numbering{Prefix: "FDM", StartNumber: 12}) || stored.Name != "FR" {
				t.Fatalf("after update the fake holds %+v", stored)
			}
			if n := countRequests(fake, "PUT /v1/sequence-sets/{id}"); n != 1 {
				t.Fatalf("update sent %d PUTs, want 1", n)
			}

			if err := c.DeleteSequenceSet(ctx, created.ID); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if _, ok := fake.Set(created.ID); ok {
				t.Fatal("set still in the fake after delete")
			}
			_, err = c.GetSequenceSet(ctx, created.ID)
			if !IsNotFound(err) {
				t.Fatalf("get after delete: %v, want not found", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != mode.status(http.StatusNotFound) || apiErr.RequestID == "" {
				t.Fatalf("not-found error = %#v, want status %d and a request id", err, mode.status(404))
			}
			if !strings.Contains(err.Error(), apiErr.RequestID) {
				t.Fatalf("message %q lacks the request id", err)
			}
			if err := c.DeleteSequenceSet(ctx, created.ID); !IsNotFound(err) {
				t.Fatalf("second delete: %v, want not found", err)
			}
		})
	}
}

func sequenceSetIDRegexp(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

func countRequests(fake *zuorafake.Server, route string) int {
	return fake.Stats().ByRoute[route]
}

func TestCreateWithoutOptionalContainers(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url)
	set := sampleSet("MIN", "M")
	set.Payment, set.Refund = nil, nil
	created, err := c.CreateSequenceSet(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSequenceSet(context.Background(), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Payment != nil || got.Refund != nil {
		t.Fatalf("payment/refund = %+v/%+v, want none as the fake reports none", got.Payment, got.Refund)
	}
	if s, _ := fake.Set(created.ID); s.Payment != nil {
		t.Fatalf("fake stored a payment container that was never sent: %+v", s.Payment)
	}
}

func TestGetFillsInTheIDWhenZuoraOmitsIt(t *testing.T) {
	_, url := startFake(t, zuorafake.Options{ReadOmitsID: true})
	c := newTestClient(t, url)
	created, err := c.CreateSequenceSet(context.Background(), sampleSet("NOID", "N"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSequenceSet(context.Background(), created.ID)
	if err != nil || got.ID != created.ID || got.Name != "NOID" {
		t.Fatalf("get = %+v, %v", got, err)
	}
}

func TestListPagesUntilAShortPage(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	for i := range 44 { // with DEFAULT: 45 sets, a full page of 40 and one of 5
		fake.CreateOutOfBand(sampleSet45(i))
	}
	c := newTestClient(t, url)
	sets, err := c.ListSequenceSets(context.Background(), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 45 {
		t.Fatalf("listed %d sets, want 45", len(sets))
	}
	seen := map[string]bool{}
	for _, s := range sets {
		if seen[s.ID] {
			t.Fatalf("set %s listed twice", s.ID)
		}
		seen[s.ID] = true
	}
	if sets[0].Name != "DEFAULT" || sets[44].Name != "S43" {
		t.Fatalf("order: first %q last %q", sets[0].Name, sets[44].Name)
	}
	if n := countRequests(fake, "GET /v1/sequence-sets"); n != 2 {
		t.Fatalf("listing took %d requests, want 2 pages", n)
	}

	// Exactly 40 sets: a full page, then an empty one ends the listing.
	fake2, url2 := startFake(t, zuorafake.Options{})
	for i := range 39 {
		fake2.CreateOutOfBand(sampleSet45(i))
	}
	sets, err = newTestClient(t, url2).ListSequenceSets(context.Background(), ListOptions{})
	if err != nil || len(sets) != 40 {
		t.Fatalf("listed %d sets (%v), want 40", len(sets), err)
	}
	if n := countRequests(fake2, "GET /v1/sequence-sets"); n != 2 {
		t.Fatalf("listing 40 took %d requests, want 2", n)
	}
}

func sampleSet45(i int) zuorafake.SequenceSet {
	return zuorafake.SequenceSet{
		Name:       fmt.Sprintf("S%d", i),
		Invoice:    &zuorafake.Numbering{Prefix: fmt.Sprintf("I%d", i), StartNumber: 1},
		CreditMemo: &zuorafake.Numbering{Prefix: fmt.Sprintf("C%d", i), StartNumber: 1},
		DebitMemo:  &zuorafake.Numbering{Prefix: fmt.Sprintf("D%d", i), StartNumber: 1},
	}
}

// TestZuoraRulesBecomeAPIErrors sends what Zuora refuses and checks the
// error in both error modes: status, category, request id, no retry.
func TestZuoraRulesBecomeAPIErrors(t *testing.T) {
	for _, mode := range errorModes {
		t.Run(mode.name, func(t *testing.T) {
			// Some of these break the contract's rules on purpose.
			ctx := openapitest.BreaksContract(context.Background())
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url, apiVersion(mode.version))
			if _, err := c.CreateSequenceSet(ctx, sampleSet("TAKEN", "T")); err != nil {
				t.Fatal(err)
			}
			reserved := sampleSet("RES", "X")
			reserved.Invoice.Prefix = "TMP-INV-"
			badName := sampleSet("has space", "B")
			digitPayment := sampleSet("DIG", "D")
			digitPayment.Payment.Prefix = "PAY1"
			crossType := sampleSet("CROSS", "C")
			crossType.CreditMemo.Prefix = "TINV" // TAKEN's invoice prefix
			zero := sampleSet("ZERO", "Z")
			zero.DebitMemo.StartNumber = 0

			cases := []struct {
				name     string
				set      SequenceSet
				category int
				status   int
			}{
				{"bad name", badName, CategoryInvalidValue, 400},
				{"reserved prefix", reserved, CategoryRuleRestriction, 400},
				{"payment prefix ending in a digit", digitPayment, CategoryRuleRestriction, 400},
				{"prefix of another document type", crossType, CategoryRuleRestriction, 400},
				{"duplicate name", sampleSet("TAKEN", "U"), CategoryRuleRestriction, 400},
				{"start number 0", zero, CategoryInvalidValue, 400},
			}
			for _, tc := range cases {
				before := fake.Stats().APIRequests
				_, err := c.CreateSequenceSet(ctx, tc.set)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Errorf("%s: err = %v, want *APIError", tc.name, err)
					continue
				}
				if apiErr.StatusCode != mode.status(tc.status) || !apiErr.HasCategory(tc.category) {
					t.Errorf("%s: status %d reasons %+v, want status %d category %d", tc.name, apiErr.StatusCode, apiErr.Reasons, mode.status(tc.status), tc.category)
				}
				if apiErr.RequestID == "" || !strings.Contains(err.Error(), apiErr.RequestID) || !strings.Contains(err.Error(), apiErr.Reasons[0].Code) {
					t.Errorf("%s: message %q must name the reason code and request id", tc.name, err)
				}
				if sent := fake.Stats().APIRequests - before; sent != 1 {
					t.Errorf("%s: sent %d requests, want 1 (never retry category %d)", tc.name, sent, tc.category)
				}
			}
			if n := len(fake.Sets()); n != 2 {
				t.Fatalf("fake holds %d sets, want DEFAULT and TAKEN only", n)
			}

			def, _ := fake.SetByName("DEFAULT")
			err := c.DeleteSequenceSet(ctx, def.ID)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !apiErr.HasCategory(CategoryRuleRestriction) || IsNotFound(err) {
				t.Fatalf("deleting DEFAULT: %v, want a category 30 refusal", err)
			}
		})
	}
}

// TestEveryCategoryIsMapped answers each documented category in both modes
// and checks what the client makes of it.
func TestEveryCategoryIsMapped(t *testing.T) {
	categories := []struct {
		category  int
		status    int
		retryable bool
	}{
		{10, 403, false}, {20, 400, false}, {21, 400, false}, {22, 400, false}, {23, 400, false},
		{30, 400, false}, {40, 404, false}, {45, 405, false}, {50, 409, true}, {60, 500, true},
		{61, 500, true}, {70, 429, true}, {90, 400, false}, {99, 500, true},
	}
	for _, mode := range errorModes {
		for _, tc := range categories {
			t.Run(fmt.Sprintf("%s/%d", mode.name, tc.category), func(t *testing.T) {
				fake, url := startFake(t, zuorafake.Options{})
				c := newTestClient(t, url, retries(2))
				status := mode.status(tc.status)
				// Category 60 on HTTP 200 is not retried (only 50, 61, 70, 99 are).
				retryable := tc.retryable && (status != http.StatusOK || tc.category != 60)
				code := 53100000 + tc.category
				fake.Inject(zuorafake.Fault{
					Kind: zuorafake.FaultRaw, Count: 3, Status: status, ContentType: "application/json",
					Body: fmt.Sprintf(`{"success":false,"processId":"ABCDEF0123456789","reasons":[{"code":%d,"message":"category %d"}]}`, code, tc.category),
				})
				_, err := c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9")
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v, want *APIError", err)
				}
				if apiErr.StatusCode != status || len(apiErr.Reasons) != 1 || apiErr.Reasons[0].Category() != tc.category || apiErr.ProcessID != "ABCDEF0123456789" {
					t.Fatalf("got %#v", apiErr)
				}
				if IsNotFound(err) != (tc.category == 40) {
					t.Fatalf("IsNotFound = %v for category %d", IsNotFound(err), tc.category)
				}
				wantAttempts := 1
				if retryable {
					wantAttempts = 3
				}
				if got := fake.Stats().APIRequests; got != wantAttempts || apiErr.Attempts != wantAttempts {
					t.Fatalf("sent %d requests (error says %d), want %d", got, apiErr.Attempts, wantAttempts)
				}
				if !strings.Contains(err.Error(), fmt.Sprint(code)) || !strings.Contains(err.Error(), "Zuora-Request-Id: ") {
					t.Fatalf("message %q lacks the code or the request id", err)
				}
			})
		}
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	faults := []zuorafake.Fault{
		{Kind: zuorafake.FaultRateLimit, Count: 2, RetryAfter: 40 * time.Millisecond},
		{Kind: zuorafake.FaultUnavailable, Count: 2},
		{Kind: zuorafake.FaultReset, Count: 2},
		{Kind: zuorafake.FaultRaw, Count: 2, Status: 502, ContentType: "text/html", Body: "<html><h1>502 Bad Gateway</h1></html>"},
	}
	for _, f := range faults {
		t.Run(string(f.Kind), func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url)
			f.Route = "POST /v1/sequence-sets"
			fake.Inject(f)
			start := time.Now()
			created, err := c.CreateSequenceSet(context.Background(), sampleSet("RETRY", "R"))
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("create after %s: %v", f.Kind, err)
			}
			if f.RetryAfter > 0 && elapsed < 2*f.RetryAfter {
				t.Fatalf("took %v: Retry-After %v was not honoured twice", elapsed, f.RetryAfter)
			}
			if elapsed > 5*time.Second {
				t.Fatalf("took %v: waits are not bounded by the backoff settings", elapsed)
			}
			if n := countRequests(fake, "POST /v1/sequence-sets"); n != 3 {
				t.Fatalf("%d POSTs, want 3", n)
			}
			if sets := fake.Sets(); len(sets) != 2 || sets[1].ID != created.ID {
				t.Fatalf("fake holds %d sets, want DEFAULT and the created one", len(sets))
			}
		})
	}
}

func TestGivesUpAfterTheRetryBudget(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url, retries(3))
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 100, RetryAfter: 5 * time.Millisecond})
	start := time.Now()
	_, err := c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9")
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Attempts != 4 {
		t.Fatalf("err = %v, want the final 429 after 4 attempts", err)
	}
	if !strings.Contains(err.Error(), "after 4 attempts") || !strings.Contains(err.Error(), "70") {
		t.Fatalf("message %q must say what was retried and the last reason", err)
	}
	if got := fake.Stats().APIRequests; got != 4 {
		t.Fatalf("%d requests, want 4", got)
	}

	// No answer at all: the message says how often it tried and why.
	fake.ClearFaults()
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultReset, Count: 100})
	_, err = c.GetSequenceSet(context.Background(), "402892c74c9193cd014c96bbe7c101f9")
	if err == nil || !strings.Contains(err.Error(), "no answer from Zuora after 4 attempt(s)") {
		t.Fatalf("err = %v", err)
	}
}

func TestLostCreateAnswerLeavesExactlyOneSet(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url)
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultDropAfterCommit, Route: "POST /v1/sequence-sets", Count: 2})
	created, err := c.CreateSequenceSet(context.Background(), sampleSet("ONCE", "O"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	sets := fake.Sets()
	if len(sets) != 2 || sets[1].ID != created.ID || sets[1].Name != "ONCE" {
		t.Fatalf("fake holds %+v, want DEFAULT and exactly one ONCE with the returned id", sets)
	}
	var keys []string
	replayed := 0
	for _, r := range fake.Requests() {
		if r.Route == "POST /v1/sequence-sets" {
			keys = append(keys, r.IdempotencyKey)
			if r.Replayed {
				replayed++
			}
		}
	}
	if len(keys) != 3 || keys[0] == "" || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatalf("idempotency keys across attempts: %q, want 3 equal non-empty keys", keys)
	}
	if replayed != 2 || fake.Stats().Created != 1 {
		t.Fatalf("replayed %d, created %d; want 2 replays and 1 creation", replayed, fake.Stats().Created)
	}

	// Another create gets another key.
	if _, err := c.CreateSequenceSet(context.Background(), sampleSet("TWICE", "W")); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if last := reqs[len(reqs)-1]; last.IdempotencyKey == keys[0] {
		t.Fatal("a second create reused the first create's idempotency key")
	}
}

func TestOneTokenForManyCalls(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url)
	created, err := c.CreateSequenceSet(context.Background(), sampleSet("TOK", "K"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 99 {
		wg.Go(func() {
			if _, err := c.GetSequenceSet(context.Background(), created.ID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if grants := fake.Stats().TokenGrants; grants != 1 || c.TokenGrants() != 1 {
		t.Fatalf("100 calls used %d tokens (client counted %d), want 1", grants, c.TokenGrants())
	}
}

func TestNewTokenAfterExpiry(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{TokenLifetime: time.Second})
	c := newTestClient(t, url)
	ctx := context.Background()
	if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if grants := fake.Stats().TokenGrants; grants != 2 {
		t.Fatalf("%d token grants, want 2 (one renewed before use after expiry)", grants)
	}
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Route, "GET") && !r.Authorized {
			t.Fatalf("a request went out with an expired token: %+v", r)
		}
	}
}

func TestRejectedTokenIsRenewedOnce(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{TokenLifetime: time.Second})
	c := newTestClient(t, url)
	ctx := context.Background()
	if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
	// The client's clock stands still, so it believes its token is fresh
	// while Zuora has expired it: the 401 must bring a new token.
	frozen := time.Now()
	c.tokens.now = func() time.Time { return frozen }
	time.Sleep(1100 * time.Millisecond)
	if _, err := c.ListSequenceSets(ctx, ListOptions{}); err != nil {
		t.Fatalf("list after expiry: %v", err)
	}
	if grants := fake.Stats().TokenGrants; grants != 2 {
		t.Fatalf("%d token grants, want 2", grants)
	}

	// A tenant that rejects every token: one renewal, then the 401 stands.
	fake2, url2 := startFake(t, zuorafake.Options{TokenLifetime: time.Second})
	c2 := newTestClient(t, url2)
	fake2.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Count: 10, Status: 401, ContentType: "application/json", Body: `{"message":"Authentication error"}`})
	_, err := c2.ListSequenceSets(ctx, ListOptions{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || !strings.Contains(err.Error(), "Authentication error") {
		t.Fatalf("err = %v, want the 401 with Zuora's message", err)
	}
	if got := fake2.Stats().APIRequests; got != 2 {
		t.Fatalf("%d API requests, want 2 (one retry with a new token)", got)
	}
	if grants := fake2.Stats().TokenGrants; grants != 2 {
		t.Fatalf("%d token grants, want 2", grants)
	}
}

func TestWrongCredentials(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	const secret = "wrong-secret-0123456789"
	c := newTestClient(t, url, func(c *Config) { c.ClientSecret = secret })
	_, err := c.ListSequenceSets(context.Background(), ListOptions{})
	var tokErr *TokenError
	if !errors.As(err, &tokErr) || tokErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a TokenError with HTTP 401", err)
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "client id and secret") {
		t.Fatalf("message %q must not hold the secret and must say what to check", err)
	}
	if got := fake.Stats().APIRequests; got != 0 {
		t.Fatalf("%d API requests without a token, want 0", got)
	}
	if got := fake.Stats().ByRoute["POST /oauth/token"]; got != 1 {
		t.Fatalf("%d token requests, want 1 (invalid credentials are not retried)", got)
	}
}

func TestCancellationStopsARetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{})
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 5, RetryAfter: 30 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.ListSequenceSets(ctx, ListOptions{})
		if elapsed := time.Since(start); elapsed != 150*time.Millisecond {
			t.Fatalf("returned after %v, want at the cancellation", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the context's error", err)
		}
	})
}

// TestWaitPastTheDeadlineFailsAtOnce: a wait Zuora asks for that would end
// after the operation's deadline is refused on the spot, saying which limit
// and when it resets, with the request id.
func TestWaitPastTheDeadlineFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c := bubbleClient(t, zuorafake.Options{})
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Count: 5, RetryAfter: 30 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.ListSequenceSets(ctx, ListOptions{})
		if elapsed := time.Since(start); elapsed != 0 {
			t.Fatalf("returned after %v, want at once", elapsed)
		}
		var waitErr *WaitError
		if !errors.As(err, &waitErr) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a *WaitError that is a deadline", err)
		}
		for _, want := range []string{"rate limit", "HTTP 429", "resets in 30s", "deadline", "Zuora-Request-Id: "} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error lacks %q: %v", want, err)
			}
		}
		if n := fake.Stats().APIRequests; n != 1 {
			t.Fatalf("%d requests, want the one refused", n)
		}
	})
}

func TestRequestHeaders(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url, func(c *Config) { c.TrackID = "pipeline-1234" })
	if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
		t.Fatal(err)
	}
	var api *zuorafake.RequestRecord
	for _, r := range fake.Requests() {
		if r.Route == "GET /v1/sequence-sets" {
			api = &r
		}
	}
	if api == nil {
		t.Fatal("no list request recorded")
	}
	if api.Version != DefaultAPIVersion || api.TrackID != "pipeline-1234" || api.EntityIDs != "" ||
		api.UserAgent != "terraform-provider-zuora/test Terraform/1.11.4" || !api.Authorized {
		t.Fatalf("request headers: %+v", *api)
	}
}

func TestMultiEntity(t *testing.T) {
	const other = "a1b2c3d4-0000-4000-8000-000000000002"
	fake, url := startFake(t, zuorafake.Options{Entities: []string{zuorafake.DefaultEntityID, other}})

	_, err := newTestClient(t, url).ListSequenceSets(context.Background(), ListOptions{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.HasCategory(CategoryMissingParameter) {
		t.Fatalf("without an entity id: %v, want category 23", err)
	}

	c := newTestClient(t, url, func(c *Config) { c.EntityID = other })
	created, err := c.CreateSequenceSet(context.Background(), sampleSet("ENT", "E"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fake.Entity(other).Set(created.ID); !ok {
		t.Fatal("set not in the named entity")
	}
	if _, ok := fake.Set(created.ID); ok {
		t.Fatal("set leaked into the default entity")
	}
}

func TestStrangeAnswers(t *testing.T) {
	id := "402892c74c9193cd014c96bbe7c101f9"
	cases := []struct {
		name  string
		fault zuorafake.Fault
		want  string
	}{
		{"HTML page", zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 403, ContentType: "text/html", Body: "<html><body>Forbidden</body></html>"}, "not JSON (text/html)"},
		{"empty body", zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json"}, "empty body"},
		{"truncated JSON", zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json", Body: `{"success":true,"name":"X","invoice":{"pre`}, "truncated JSON"},
		{"success false without reasons", zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json", Body: `{"success":false}`}, "no reason given"},
		{"start number not a number", zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json", Body: `{"success":true,"name":"X","invoice":{"prefix":"A","startNumber":"ten"}}`}, "could not be read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url, retries(0))
			fake.Inject(tc.fault)
			_, err := c.GetSequenceSet(context.Background(), id)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Zuora-Request-Id: ") {
				t.Fatalf("err = %v, want it to contain %q and a request id", err, tc.want)
			}
		})
	}

	// Reason codes as strings and unknown fields are understood.
	fake, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url, retries(0))
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json",
		Body: `{"success":false,"reasons":[{"code":"50000040","message":"gone"}],"extra":{"a":1}}`})
	if _, err := c.GetSequenceSet(context.Background(), id); !IsNotFound(err) {
		t.Fatalf("string code 50000040: %v, want not found", err)
	}
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 200, ContentType: "application/json",
		Body: `{"success":true,"name":"X","brandNewField":[1],"invoice":{"prefix":"A","startNumber":"7","color":"red"}}`})
	got, err := c.GetSequenceSet(context.Background(), id)
	if err != nil || got.Invoice.StartNumber != 7 || got.ID != id {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestNewRefusesUnsafeConfiguration(t *testing.T) {
	base := Config{ClientID: "id", ClientSecret: "secret"}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"http to a remote host", func(c *Config) { c.BaseURL = "http://rest.zuora.com" }, "https://"},
		{"no host", func(c *Config) { c.BaseURL = "" }, "no host"},
		{"no secret", func(c *Config) { c.BaseURL = "https://rest.zuora.com"; c.ClientSecret = "" }, "client secret"},
		{"bad track id", func(c *Config) { c.BaseURL = "https://rest.zuora.com"; c.TrackID = "a;b" }, "track id"},
		{"negative retries", func(c *Config) { c.BaseURL = "https://rest.zuora.com"; c.MaxRetries = new(-1) }, "max retries"},
	} {
		cfg := base
		tc.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestTraceLogsHoldNoSecrets captures everything the client logs at TRACE
// across a token grant, a renewal, every operation and a failure, and looks
// for the client secret and every token the fake issued.
func TestTraceLogsHoldNoSecrets(t *testing.T) {
	t.Setenv(LogLevelEnv, "TRACE")
	fake, url := startFake(t, zuorafake.Options{TokenLifetime: time.Second})
	c := newTestClient(t, url)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	created, err := c.CreateSequenceSet(ctx, sampleSet("LOG", "L"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSequenceSet(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	c.tokens.now = func() time.Time { return frozen }
	time.Sleep(1100 * time.Millisecond) // the fake expires the token: 401, then a new one
	start := int64(20)
	if err := c.UpdateSequenceSet(ctx, created.ID, SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &start}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListSequenceSets(ctx, ListOptions{Name: "LOG"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSequenceSet(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSequenceSet(ctx, created.ID); !IsNotFound(err) {
		t.Fatal(err)
	}

	logs := buf.String()
	tokens := fake.IssuedTokens()
	if len(tokens) < 2 {
		t.Fatalf("the fake issued %d tokens; the test needs a renewal", len(tokens))
	}
	for _, secret := range append(tokens, zuorafake.DefaultClientSecret) {
		if strings.Contains(logs, secret) {
			t.Fatalf("TRACE logs hold a secret or token %q", secret)
		}
	}
	// The capture is real: requests, bodies and the masked header are in it.
	for _, want := range []string{"sending request to Zuora", `"http.request.body"`, `LINV`, `"Authorization":"***"`, `"zuora.request_id"`, "obtained an OAuth token"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("TRACE logs lack %q; captured:\n%.2000s", want, logs)
		}
	}
}
