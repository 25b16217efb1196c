package provider

import (
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
	if !regexp.MustCompile(`The create waited [12]s in all`).MatchString(out) {
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
