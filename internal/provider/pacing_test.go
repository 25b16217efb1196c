package provider

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Shared quotas (issue 14): the provider paces itself by Zuora's rate-limit
// headers, honours timeouts, and says when it waited.

// refusals counts the requests the local Zuora refused for its limits.
func refusals(fake *zuorafake.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Status == http.StatusTooManyRequests || r.Fault == "rate_limit" || r.Fault == "concurrency_limit" {
			n++
		}
	}
	return n
}

// TestAccPacing_createTimeoutFailsInTime: a create that would have to wait
// past its timeout for a rate limit fails at once, saying why.
func TestAccPacing_createTimeoutFailsInTime(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /v1/sequence-sets", Count: 1, RetryAfter: time.Minute})
	config := env.providerBlock() + strings.Replace(fullSet().hcl(), "\n}\n", "\n  timeouts {\n    create = \"20s\"\n  }\n}\n", 1)
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ExpectError: errRe("Unable to create Zuora sequence set FR", "rate limit", "resets in 1m0s",
				"after this operation's deadline", "Zuora-Request-Id: ", "timeouts"),
		}},
	})
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("the apply failed after %v: it waited instead of failing at once", d)
	}
	if st := env.fake.Stats(); st.Created != 0 || st.ByRoute["POST /v1/sequence-sets"] != 1 {
		t.Fatalf("%+v: want the one refused create and nothing created", st)
	}
}

// TestAccPacing_warningAfterLongWaits: an operation that waited long for
// Zuora's limits ends with a warning the user sees without TF_LOG.
func TestAccPacing_warningAfterLongWaits(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.env = append(cli.env, waitWarningEnv+"=500ms") // a minute in real use
	writeConfig(t, dir, managedSets(1))
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /v1/sequence-sets", Count: 1, RetryAfter: 1500 * time.Millisecond})
	out := strings.Join(strings.Fields(cli.run("apply", "-auto-approve", "-no-color")), " ") // Terraform wraps lines
	for _, want := range []string{"Warning: Zuora's limits held this operation", "rate limit (HTTP 429)", "create timeout (20m now)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the apply's output lacks %q:\n%s", want, out)
		}
	}
	// About the 1.5 s Zuora asked for, rounded to the second.
	if !regexp.MustCompile(`The create of sequence set \S+ waited [12]s in all`).MatchString(out) {
		t.Fatalf("the warning does not say how long the create waited:\n%s", out)
	}
	// A plan that waited for nothing warns of nothing.
	if out := cli.run("plan", "-no-color"); strings.Contains(out, "Warning: Zuora's limits") {
		t.Fatalf("a plan without waits warned:\n%s", out)
	}
}

// quotaTenant is the local Zuora of the targets: 50 requests per 5 s and
// 200 ms a request.
func quotaTenant(t *testing.T) *testEnv {
	return newLocalTestEnv(t, zuorafake.Options{Latency: 200 * time.Millisecond, RateLimit: 50, RateLimitWindow: 5 * time.Second})
}

// idealTime is the time ⌈requests / 50⌉ windows of 5 s take.
func idealTime(requests int) time.Duration {
	return time.Duration((requests+49)/50) * 5 * time.Second
}

// TestAccPacing_applyUnderAQuota: 200 sets applied against a quota of 50
// requests per 5 s succeed with almost no refusals, in about the ideal time.
func TestAccPacing_applyUnderAQuota(t *testing.T) {
	env := quotaTenant(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, managedSets(200))
	start := time.Now()
	cli.run("apply", "-auto-approve", "-no-color")
	took := time.Since(start)
	st := env.fake.Stats()
	ideal := idealTime(st.APIRequests)
	t.Logf("200 sets: %d requests, %d refused, %v (ideal %v)", st.APIRequests, refusals(env.fake), took.Round(100*time.Millisecond), ideal)
	if n := refusals(env.fake); n > 10 {
		t.Fatalf("%d requests were refused for the rate limit, want at most 10", n)
	}
	if st.Created != 200 {
		t.Fatalf("%d sets created, want 200", st.Created)
	}
	if took > ideal*12/10 {
		t.Fatalf("the apply took %v, more than 1.2 × the ideal %v", took, ideal)
	}
}

// TestAccPacing_twoAppliesShareAQuota: two pipelines applying 100 sets each
// against the same tenant at once both succeed, refused at most 20 times
// between them: they pace themselves by the same headers.
func TestAccPacing_twoAppliesShareAQuota(t *testing.T) {
	env := quotaTenant(t)
	var clis []*terraformCLI
	for _, name := range []string{"P", "Q"} { // names and prefixes apart
		dir := t.TempDir()
		cli := newTerraformCLI(t, env, dir)
		writeConfig(t, dir, providerConfig()+countedSets("s", name, 100, 1))
		clis = append(clis, cli)
	}
	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i, cli := range clis {
		wg.Go(func() { outs[i], errs[i] = cli.try("apply", "-auto-approve", "-no-color") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("apply %d: %v\n%s", i, err, outs[i])
		}
	}
	st := env.fake.Stats()
	t.Logf("2 × 100 sets: %d requests, %d refused", st.APIRequests, refusals(env.fake))
	if n := refusals(env.fake); n > 20 {
		t.Fatalf("%d requests were refused between the two applies, want at most 20", n)
	}
	if st.Created != 200 {
		t.Fatalf("%d sets created, want 200", st.Created)
	}
}

// The request path's layers together (issue 18), through the CLI.

// TestAccPacing_waitWithinTheOperation: request_timeout bounds an attempt,
// the create timeout the operation: a Retry-After of 8 s with a request
// timeout of 5 s is waited out, and the apply succeeds.
func TestAccPacing_waitWithinTheOperation(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, providerConfig(`request_timeout = "5s"`)+strings.Replace(fullSet().hcl(), "\n}\n",
		"\n  timeouts {\n    create = \"2m\"\n  }\n}\n", 1))
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /v1/sequence-sets", RetryAfter: 8 * time.Second})
	start := time.Now()
	cli.run("apply", "-auto-approve", "-no-color")
	took := time.Since(start)
	st := env.fake.Stats()
	t.Logf("apply: %v, %d POSTs, %d created", took.Round(100*time.Millisecond), st.ByRoute["POST /v1/sequence-sets"], st.Created)
	if took < 8*time.Second || took > 60*time.Second {
		t.Fatalf("the apply took %v, want the 8s Zuora asked for and little more", took)
	}
	if st.Created != 1 || st.ByRoute["POST /v1/sequence-sets"] > 3 {
		t.Fatalf("%+v: want one set in at most 3 POSTs", st)
	}
}

// concurrencyTenant is a local Zuora with a concurrency limit of 3, 200 ms
// answers and refusals asking for 1 s.
func concurrencyTenant(t *testing.T) *testEnv {
	env := newLocalTestEnv(t, zuorafake.Options{Latency: 200 * time.Millisecond})
	env.fake.SetFaultRates(zuorafake.FaultRates{RetryAfter: time.Second})
	return env
}

// concurrencyRefusals counts the requests refused for the concurrency limit.
func concurrencyRefusals(fake *zuorafake.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Fault == "concurrency_limit" {
			n++
		}
	}
	return n
}

// TestAccPacing_createsWithinAConcurrencyLimit: 40 creates at Terraform's
// parallelism of 10 against a concurrency limit of 3: the first wave is
// refused, then the provider keeps within the limit.
func TestAccPacing_createsWithinAConcurrencyLimit(t *testing.T) {
	env := concurrencyTenant(t)
	env.fake.SetConcurrencyLimit(3)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, managedSets(40))
	start := time.Now()
	cli.run("apply", "-auto-approve", "-no-color", "-parallelism=10")
	st := env.fake.Stats()
	n := concurrencyRefusals(env.fake)
	t.Logf("40 creates: %d requests, %d concurrency refusals, %v", st.APIRequests, n, time.Since(start).Round(100*time.Millisecond))
	if n > 12 {
		t.Fatalf("%d concurrency refusals, want at most 12 (the first wave)", n)
	}
	if st.Created != 40 {
		t.Fatalf("%d sets created, want 40", st.Created)
	}
	cli.planIsEmpty()
}

// TestAccPacing_readsWithinAConcurrencyLimit: 20 reads by ID at once (a
// plan without the listing) against a concurrency limit of 3.
func TestAccPacing_readsWithinAConcurrencyLimit(t *testing.T) {
	env := concurrencyTenant(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.env = append(cli.env, envReadListing+"=false")
	writeConfig(t, dir, managedSets(20))
	cli.run("apply", "-auto-approve", "-no-color")
	env.fake.SetConcurrencyLimit(3)
	env.fake.ResetStats()
	cli.planIsEmpty()
	st := env.fake.Stats()
	n := concurrencyRefusals(env.fake)
	t.Logf("20 reads: %d requests, %d concurrency refusals", st.APIRequests, n)
	if n > 20 {
		t.Fatalf("%d concurrency refusals, want at most 20", n)
	}
	if st.ByRoute[getRoute] < 20 {
		t.Fatalf("%+v: want the 20 reads by ID", st.ByRoute)
	}
}

// nineReads is a configuration of 9 blocks that each need Zuora.
func nineReads() string {
	var b strings.Builder
	b.WriteString(providerConfig())
	for i := range 9 {
		fmt.Fprintf(&b, "data \"zuora_sequence_set\" \"d%d\" {\n  id = \"402892c74c9193cd014c96bbe7c1%04d\"\n}\n", i, i)
	}
	return b.String()
}

// TestAccPacing_unreachableHostFailsFast: 9 blocks against a port nothing
// listens on, then against a host name that does not resolve, each fail
// in seconds (with Zuora's real backoff), naming the host and the attempts.
func TestAccPacing_unreachableHostFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	_ = ln.Close()
	for _, tc := range []struct{ host, want string }{
		{"http://" + refused, "Nothing accepts connections at " + refused},
		{"nonexistent.invalid", "The host name nonexistent.invalid does not resolve"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			env := newTestEnv(t) // only for the CLI: its host is replaced
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.env = append(cli.env, envHost+"="+tc.host, zuoraBackoffEnv+"=1")
			writeConfig(t, dir, nineReads())
			start := time.Now()
			out, err := cli.try("plan", "-no-color")
			took := time.Since(start)
			t.Logf("%s: failed after %v", tc.host, took.Round(100*time.Millisecond))
			flat := strings.Join(strings.Fields(out), " ") // Terraform wraps lines
			if err == nil {
				t.Fatalf("the plan succeeded against %s:\n%s", tc.host, out)
			}
			if took > 30*time.Second {
				t.Fatalf("the plan failed after %v, want within 30s", took)
			}
			for _, want := range []string{tc.want, "attempts", "check the " + envHost + " environment variable"} {
				if !strings.Contains(flat, want) {
					t.Fatalf("the plan's output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestAccPacing_httpsToAPlainServer: host = "127.0.0.1:port" in front of
// the local Zuora (plain HTTP) fails at once with a hint to write http://.
func TestAccPacing_httpsToAPlainServer(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	bare := strings.TrimPrefix(env.url, "http://")
	writeConfig(t, dir, providerConfig(fmt.Sprintf("host = %q", bare))+`data "zuora_sequence_set" "d" {
  id = "402892c74c9193cd014c96bbe7c101f9"
}
`)
	out, err := cli.try("plan", "-no-color")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "write the host as http://"+bare) || !strings.Contains(flat, "the provider's `host` argument") {
		t.Fatalf("want a hint to write http://%s:\n%s", bare, out)
	}
	if n := env.fake.Stats().Requests; n != 0 {
		t.Fatalf("the local Zuora saw %d plain requests; TLS handshakes only were expected", n)
	}
}
