package provider

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// countedSets is n sets made with count, named <name>-<index>, with every
// start number at start.
func countedSets(resName, name string, n int, start int64) string {
	short := name[:1]
	return fmt.Sprintf(`
resource "zuora_sequence_set" %q {
  count       = %d
  name        = "%s-${count.index}"
  invoice     = { prefix = "%sI${count.index}", start_number = %d }
  credit_memo = { prefix = "%sC${count.index}", start_number = %d }
  debit_memo  = { prefix = "%sD${count.index}", start_number = %d }
}
`, resName, n, name, short, start, short, start, short, start)
}

// countedActions expects the same plan action for every instance.
func countedActions(resName string, n int, action plancheck.ResourceActionType) []plancheck.PlanCheck {
	checks := make([]plancheck.PlanCheck, n)
	for i := range checks {
		checks[i] = plancheck.ExpectResourceAction(fmt.Sprintf("zuora_sequence_set.%s[%d]", resName, i), action)
	}
	return checks
}

// countedSetsHeld checks that Zuora holds exactly DEFAULT and the n sets,
// each once and at start, and that the state tracks every one of them under
// the id Zuora gave it: nothing lost, nothing duplicated.
func (e *testEnv) countedSetsHeld(resName, name string, n int, start int64) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		byName := map[string][]zuorafake.SequenceSet{}
		for _, set := range e.fake.Sets() {
			byName[set.Name] = append(byName[set.Name], set)
		}
		if len(byName["DEFAULT"]) != 1 {
			return fmt.Errorf("Zuora holds %d DEFAULT sets", len(byName["DEFAULT"]))
		}
		var problems []string
		if total := len(e.fake.Sets()); total != n+1 {
			problems = append(problems, fmt.Sprintf("Zuora holds %d sets, want %d and DEFAULT", total, n))
		}
		tracked := 0
		for key := range s.RootModule().Resources {
			if strings.HasPrefix(key, "zuora_sequence_set."+resName+".") {
				tracked++
			}
		}
		if tracked != n {
			problems = append(problems, fmt.Sprintf("the state tracks %d sets, want %d", tracked, n))
		}
		for i := range n {
			setName := fmt.Sprintf("%s-%d", name, i)
			sets := byName[setName]
			if len(sets) != 1 {
				problems = append(problems, fmt.Sprintf("%d sets named %s", len(sets), setName))
				continue
			}
			if got := sets[0].Invoice.StartNumber; got != start {
				problems = append(problems, fmt.Sprintf("%s has invoice start %d, want %d", setName, got, start))
			}
			rs := s.RootModule().Resources[fmt.Sprintf("zuora_sequence_set.%s.%d", resName, i)]
			if rs == nil || rs.Primary == nil || rs.Primary.ID != sets[0].ID {
				problems = append(problems, fmt.Sprintf("the state does not track %s under Zuora's id %s", setName, sets[0].ID))
			}
		}
		if len(problems) > 0 {
			sort.Strings(problems)
			return fmt.Errorf("after the apply: %s", strings.Join(problems, "; "))
		}
		return nil
	}
}

// trafficReport sums up what the fake saw since its last ResetStats.
type trafficReport struct {
	requests, apiRequests, tokenGrants int
	faulted                            int            // requests a fault or the concurrency limit hit
	byKind                             map[string]int // the same by kind
	replayed                           int            // POSTs answered from the idempotency store
	created, updated, deleted          int
}

func (r trafficReport) String() string {
	kinds := make([]string, 0, len(r.byKind))
	for k, v := range r.byKind {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%d requests (%d API, %d token grants); %d faulted and retried (%s); %d replayed; created %d, updated %d, deleted %d",
		r.requests, r.apiRequests, r.tokenGrants, r.faulted, strings.Join(kinds, " "), r.replayed, r.created, r.updated, r.deleted)
}

func (e *testEnv) traffic() trafficReport {
	st := e.fake.Stats()
	r := trafficReport{
		requests: st.Requests, apiRequests: st.APIRequests, tokenGrants: st.TokenGrants,
		byKind: map[string]int{}, created: st.Created, updated: st.Updated, deleted: st.Deleted,
	}
	for _, rec := range e.fake.Requests() {
		if rec.Fault != "" {
			r.faulted++
			r.byKind[rec.Fault]++
		}
		if rec.Replayed {
			r.replayed++
		}
	}
	return r
}

// TestAccReliability_faultStorm creates, updates and destroys 30 sets while
// the tenant answers 30% of requests with 429, 20% with 503, resets 5% of
// connections, loses 5% of answers after committing them, and refuses more
// than 5 requests in flight. Every apply must converge with nothing lost or
// duplicated, and the plan after it must be empty.
func TestAccReliability_faultStorm(t *testing.T) {
	const n = 30
	// 10 ms per answer keeps Terraform's 10 parallel calls in flight together,
	// so the concurrency limit bites.
	env := newLocalTestEnv(t, zuorafake.Options{Latency: 10 * time.Millisecond})
	env.fake.SetFaultRates(zuorafake.FaultRates{
		RateLimit: 0.30, Unavailable: 0.20, Reset: 0.05, DropAfterCommit: 0.05,
		RetryAfter: 10 * time.Millisecond,
		Seed:       20240520,
	})
	env.fake.SetConcurrencyLimit(5)
	// At a 60% failure rate 8 retries lose about one call in 100; a pipeline
	// on such a tenant raises the budget, as this one does.
	provider := env.providerBlock("max_retries = 50")

	var mu sync.Mutex
	phases := map[string]trafficReport{}
	endPhase := func(name string) {
		mu.Lock()
		defer mu.Unlock()
		phases[name] = env.traffic()
		env.fake.ResetStats()
	}
	// stormHit makes sure the storm really blew during a phase.
	stormHit := func(phase string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			r := env.traffic()
			if r.apiRequests == 0 || float64(r.faulted) < 0.3*float64(r.apiRequests) {
				return fmt.Errorf("%s: only %d of %d API requests were faulted; the storm is off", phase, r.faulted, r.apiRequests)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				Config: provider + countedSets("storm", "STORM", n, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             countedActions("storm", n, plancheck.ResourceActionCreate),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.countedSetsHeld("storm", "STORM", n, 1),
					stormHit("create"),
					func(*terraform.State) error {
						if c := env.fake.Stats().Created; c != n {
							return fmt.Errorf("Zuora created %d sets for %d resources", c, n)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() { endPhase("create") },
				Config:    provider + countedSets("storm", "STORM", n, 5),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             countedActions("storm", n, plancheck.ResourceActionUpdate),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					env.countedSetsHeld("storm", "STORM", n, 5),
					stormHit("update"),
					func(*terraform.State) error {
						if st := env.fake.Stats(); st.Created != 0 || st.Deleted != 0 || st.Updated < n {
							return fmt.Errorf("an update in place created %d, deleted %d and updated %d sets", st.Created, st.Deleted, st.Updated)
						}
						return nil
					},
				),
			},
			{
				// The resources leave the configuration: all 30 are destroyed.
				PreConfig: func() { endPhase("update") },
				Config:    provider,
				Check: resource.ComposeAggregateTestCheckFunc(
					env.noSetsLeft,
					stormHit("destroy"),
					func(s *terraform.State) error {
						if st := env.fake.Stats(); st.Deleted != n || st.Created != 0 {
							return fmt.Errorf("the destroy deleted %d and created %d sets, want %d and 0", st.Deleted, st.Created, n)
						}
						if len(s.RootModule().Resources) != 0 {
							return fmt.Errorf("the state still tracks %d resources", len(s.RootModule().Resources))
						}
						endPhase("destroy")
						return nil
					},
				),
			},
		},
	})

	total := map[string]int{}
	for _, phase := range []string{"create", "update", "destroy"} {
		r, ok := phases[phase]
		if !ok {
			t.Fatalf("phase %s did not run", phase)
		}
		t.Logf("fault storm, %s of %d sets: %v", phase, n, r)
		for k, v := range r.byKind {
			total[k] += v
		}
	}
	// Every kind of fault hit somewhere, the concurrency limit included.
	for _, kind := range []string{"rate_limit", "unavailable", "reset", "drop_after_commit", "concurrency_limit"} {
		if total[kind] == 0 {
			t.Errorf("no request was hit by %s: the storm did not test it", kind)
		}
	}
}

// TestAccReliability_lostAnswers: Zuora commits a create, an update and a
// delete, and the connection drops before the answer arrives, for three
// resources in one apply each. The retries must find the work done: one
// set per resource, all in state, and a delete that finds the set gone
// counts as done. In both error modes, since an old tenant says "not
// found" with HTTP 200.
func TestAccReliability_lostAnswers(t *testing.T) {
	const n = 3
	for _, mode := range []struct {
		name, extra string
		notFound    int // the status a retried DELETE sees
	}{
		{"real statuses", "", 404},
		{"old error mode", `api_version = "186.0"`, 200},
	} {
		t.Run(mode.name, func(t *testing.T) {
			env := newLocalTestEnv(t, zuorafake.Options{})
			provider := env.providerBlock(mode.extra)
			drop := func(route string) func() {
				return func() {
					env.fake.ResetStats()
					env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultDropAfterCommit, Route: route, Count: n})
				}
			}
			// lostThenFound checks the attempts of each operation (one per
			// idempotency key or path): n answers were lost in all, and every
			// operation that lost one ended with the answer final says.
			lostThenFound := func(route string, key func(zuorafake.RequestRecord) string, final func(zuorafake.RequestRecord) error) resource.TestCheckFunc {
				return func(*terraform.State) error {
					ops := map[string][]zuorafake.RequestRecord{}
					for _, r := range env.fake.Requests() {
						if r.Route == route {
							ops[key(r)] = append(ops[key(r)], r)
						}
					}
					if len(ops) != n {
						return fmt.Errorf("%d distinct %s operations, want %d", len(ops), route, n)
					}
					dropped := 0
					for k, attempts := range ops {
						last := attempts[len(attempts)-1]
						for _, a := range attempts[:len(attempts)-1] {
							if a.Fault != string(zuorafake.FaultDropAfterCommit) {
								return fmt.Errorf("%s %s was sent again after an answer %d", route, k, a.Status)
							}
							dropped++
						}
						if last.Fault != "" || last.Status == 0 {
							return fmt.Errorf("%s %s never got an answer", route, k)
						}
						if len(attempts) > 1 {
							if err := final(last); err != nil {
								return fmt.Errorf("%s %s after a lost answer: %w", route, k, err)
							}
						}
					}
					if dropped != n {
						return fmt.Errorf("%d %s answers were lost, want %d", dropped, route, n)
					}
					return nil
				}
			}
			byKey := func(r zuorafake.RequestRecord) string { return r.IdempotencyKey }
			byPath := func(r zuorafake.RequestRecord) string { return r.Path }
			stats := func(created, minUpdated, deleted int) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if st := env.fake.Stats(); st.Created != created || st.Updated < minUpdated || st.Deleted != deleted {
						return fmt.Errorf("Zuora created %d, updated %d, deleted %d sets; want %d, at least %d, %d",
							st.Created, st.Updated, st.Deleted, created, minUpdated, deleted)
					}
					return nil
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.noSetsLeft,
				Steps: []resource.TestStep{
					{
						PreConfig: drop("POST /v1/sequence-sets"),
						Config:    provider + countedSets("lost", "LOST", n, 1),
						Check: resource.ComposeAggregateTestCheckFunc(
							env.countedSetsHeld("lost", "LOST", n, 1),
							stats(n, 0, 0),
							lostThenFound("POST /v1/sequence-sets", byKey, func(r zuorafake.RequestRecord) error {
								if !r.Replayed || r.Status != 200 {
									return fmt.Errorf("the retry was answered %d (replayed: %v), want Zuora's first answer replayed", r.Status, r.Replayed)
								}
								return nil
							}),
						),
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
					{
						PreConfig: drop("PUT /v1/sequence-sets/{id}"),
						Config:    provider + countedSets("lost", "LOST", n, 9),
						Check: resource.ComposeAggregateTestCheckFunc(
							env.countedSetsHeld("lost", "LOST", n, 9),
							stats(0, n, 0),
							lostThenFound("PUT /v1/sequence-sets/{id}", byPath, func(r zuorafake.RequestRecord) error {
								if r.Status != 200 {
									return fmt.Errorf("the retry was answered %d", r.Status)
								}
								return nil
							}),
						),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             countedActions("lost", n, plancheck.ResourceActionUpdate),
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
					{
						PreConfig: drop("DELETE /v1/sequence-sets/{id}"),
						Config:    provider,
						Check: resource.ComposeAggregateTestCheckFunc(
							env.noSetsLeft,
							stats(0, 0, n),
							lostThenFound("DELETE /v1/sequence-sets/{id}", byPath, func(r zuorafake.RequestRecord) error {
								if r.Status != mode.notFound {
									return fmt.Errorf("the retry was answered %d, want %d (not found)", r.Status, mode.notFound)
								}
								return nil
							}),
							func(s *terraform.State) error {
								if len(s.RootModule().Resources) != 0 {
									return fmt.Errorf("the state still tracks %d resources", len(s.RootModule().Resources))
								}
								return nil
							},
						),
					},
				},
			})
		})
	}
}

// chainedSets is n sets created one after the other (depends_on), so an
// apply lasts at least n times the fake's latency.
func chainedSets(n int) string {
	var b strings.Builder
	for i := range n {
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf("  depends_on  = [zuora_sequence_set.tok%d]\n", i-1)
		}
		fmt.Fprintf(&b, `
resource "zuora_sequence_set" "tok%[1]d" {
  name        = "TOK-%[1]d"
  invoice     = { prefix = "TKI%[1]d", start_number = 1 }
  credit_memo = { prefix = "TKC%[1]d", start_number = 1 }
  debit_memo  = { prefix = "TKD%[1]d", start_number = 1 }
%[2]s}
`, i, dep)
	}
	return b.String()
}

// TestAccReliability_tokenExpiresMidApply: tokens live one second and each
// answer takes 120 ms, so an apply of 12 chained creates outlives several
// tokens. It must succeed, renewing the token as it goes, but not per
// request.
func TestAccReliability_tokenExpiresMidApply(t *testing.T) {
	const (
		n        = 12
		lifetime = time.Second
	)
	env := newLocalTestEnv(t, zuorafake.Options{TokenLifetime: lifetime, Latency: 120 * time.Millisecond})
	var start time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config:    env.providerBlock() + chainedSets(n),
			Check: func(*terraform.State) error {
				elapsed := time.Since(start)
				st := env.fake.Stats()
				if elapsed < 3*lifetime/2 {
					return fmt.Errorf("the apply took %v; it must outlast the %v token to test anything", elapsed, lifetime)
				}
				if len(env.fake.Sets()) != n+1 || st.Created != n {
					return fmt.Errorf("Zuora holds %d sets and created %d, want %d", len(env.fake.Sets())-1, st.Created, n)
				}
				// The client renews a fifth of the lifetime early: at most
				// one grant per 0.8 s, plus the first.
				limit := int(elapsed/(lifetime*4/5)) + 2
				t.Logf("token expiry: %v apply, %d API requests, %d token grants (limit %d)", elapsed.Round(time.Millisecond), st.APIRequests, st.TokenGrants, limit)
				if st.TokenGrants < 2 || st.TokenGrants > limit {
					return fmt.Errorf("%d token grants over %v with %v tokens, want 2..%d", st.TokenGrants, elapsed, lifetime, limit)
				}
				rejected := 0
				for _, r := range env.fake.Requests() {
					if r.Status == 401 {
						rejected++
					}
				}
				if rejected > st.TokenGrants {
					return fmt.Errorf("%d requests were sent with an expired token", rejected)
				}
				return nil
			},
		}},
	})
}

// TestAccReliability_retryBudget: a tenant that fails every request makes
// the apply fail after the default budget (1 + 8 retries), quickly, saying
// how often it tried and what Zuora said last; nothing lands in state, and
// once the tenant recovers the same configuration creates the set once.
func TestAccReliability_retryBudget(t *testing.T) {
	spec := setSpec{name: "BUDGET", invoice: num{"BGI", 1}, creditMemo: num{"BGC", 1}, debitMemo: num{"BGD", 1}}
	for _, tc := range []struct {
		name  string
		fault zuorafake.Fault
		want  *regexp.Regexp
	}{
		{
			"every answer a 503 page",
			zuorafake.Fault{Kind: zuorafake.FaultUnavailable, RetryAfter: 5 * time.Millisecond},
			errRe("Unable to create Zuora sequence set BUDGET", "HTTP 503", "503 Service Unavailable", "Zuora-Request-Id: ", "after 9 attempts"),
		},
		{
			"every answer a temporary error",
			zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 500, ContentType: "application/json",
				Body: `{"success":false,"processId":"P1","reasons":[{"code":50000061,"message":"Temporary error, please retry."}]}`},
			errRe("Unable to create Zuora sequence set BUDGET", "HTTP 500", "50000061 Temporary error, please retry.", "after 9 attempts"),
		},
		{
			"every connection reset",
			zuorafake.Fault{Kind: zuorafake.FaultReset},
			errRe("Unable to create Zuora sequence set BUDGET", "no answer from Zuora after 9 attempt(s)", "last retried because of no answer"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newLocalTestEnv(t, zuorafake.Options{})
			var began time.Time
			var took time.Duration
			tc.fault.Route = "POST /v1/sequence-sets"
			tc.fault.Count = 1000
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.noSetsLeft,
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							env.fake.Inject(tc.fault)
							began = time.Now()
						},
						Config:      env.providerBlock() + spec.hcl(),
						ExpectError: tc.want,
					},
					{
						// Nothing was created nor tracked: a plain create follows.
						PreConfig: func() {
							took = time.Since(began)
							env.fake.ClearFaults()
							// 1 + the default 8 retries. On a reset of a reused
							// connection net/http itself may resend a request
							// with an Idempotency-Key once more.
							n := env.fake.Stats().ByRoute["POST /v1/sequence-sets"]
							if n != 9 && (tc.fault.Kind != zuorafake.FaultReset || n != 10) {
								t.Errorf("%d POSTs, want 9 (1 + the default 8 retries)", n)
							}
						},
						Config: env.providerBlock() + spec.hcl(),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
						},
						Check: resource.ComposeAggregateTestCheckFunc(env.holds(spec), func(*terraform.State) error {
							if len(env.fake.Sets()) != 2 {
								return fmt.Errorf("Zuora holds %d sets, want DEFAULT and BUDGET", len(env.fake.Sets()))
							}
							return nil
						}),
					},
				},
			})
			// Terraform's own work takes a second or two; the retries must
			// add little to it with the fake's short waits.
			t.Logf("the failing plan and apply took %v", took.Round(time.Millisecond))
			if took > 15*time.Second {
				t.Fatalf("the failing apply took %v", took)
			}
		})
	}
}

// TestAccReliability_strangeAnswers: answers no proper Zuora gives, from a
// proxy, a maintenance page or a broken connection, become a clear error
// (or, where they mean something, are understood), never a panic, and
// never a set lost from state.
func TestAccReliability_strangeAnswers(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := setSpec{name: "ODD", invoice: num{"ODI", 1}, creditMemo: num{"ODC", 1}, debitMemo: num{"ODD", 1}}
	config := env.providerBlock() + spec.hcl()
	create := "POST /v1/sequence-sets"
	read := "GET /v1/sequence-sets/{id}"
	raw := func(route string, status int, contentType, body string) func() {
		return func() {
			env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: route, Status: status, ContentType: contentType, Body: body})
		}
	}
	failedCreate := func(fault func(), parts ...string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   fault,
			Config:      config,
			ExpectError: errRe(append([]string{"Unable to create Zuora sequence set ODD"}, parts...)...),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			failedCreate(raw(create, 200, "text/html; charset=utf-8", "<html><body><h1>Down for maintenance</h1></body></html>"),
				"HTTP 200", "not JSON (text/html; charset=utf-8)", "Down for maintenance", "Zuora-Request-Id: "),
			failedCreate(raw(create, 200, "application/json", ""), "HTTP 200", "empty body"),
			failedCreate(raw(create, 200, "application/json", `{"success":true,"sequenceSets":[{"id":"402892c74c9193cd014c96bbe7c1`),
				"HTTP 200", "truncated JSON"),
			failedCreate(raw(create, 200, "application/json", `{"success":false}`), "HTTP 200", `"success": false`, "no reason given"),
			failedCreate(raw(create, 200, "application/json", `{"success":true,"sequenceSets":[]}`), "listed 0 sequence sets"),
			{
				// None of those created anything: the set is created now, once.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(env.holds(spec), func(*terraform.State) error {
					if st := env.fake.Stats(); st.Created != 1 || len(env.fake.Sets()) != 2 {
						return fmt.Errorf("Zuora created %d sets and holds %d, want 1 and 2", st.Created, len(env.fake.Sets()))
					}
					return nil
				}),
			},
			{
				// A read answered with extra fields, a string startNumber and
				// a string reason-free success: understood, nothing to change.
				PreConfig: func() {
					s, _ := env.fake.SetByName("ODD")
					raw(read, 200, "application/json", fmt.Sprintf(`{"success":true,"id":%q,"name":"ODD","brandNewField":{"x":[1,2]},`+
						`"invoice":{"prefix":"ODI","startNumber":"1","nextNumber":7},"creditMemo":{"prefix":"ODC","startNumber":1},`+
						`"debitMemo":{"prefix":"ODD","startNumber":1},"auditInfo":null}`, s.ID))()
				},
				Config:   config,
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// HTTP 200, "success": false and a category-40 code written as
				// a string: the set is gone, and the plan creates it again.
				PreConfig:          raw(read, 200, "application/json", `{"success":false,"reasons":[{"code":"50000040","message":"Cannot find sequence set."}]}`),
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
				},
			},
			{
				// An HTML page on a refresh fails the plan with the page's
				// gist; the set stays in state.
				PreConfig:   raw(read, 403, "text/html", "<html><body>Access denied by the firewall</body></html>"),
				Config:      config,
				ExpectError: errRe("Unable to read Zuora sequence set", "HTTP 403", "not JSON (text/html)", "Access denied by the firewall"),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: env.holds(spec),
			},
		},
	})
}

// TestAccReliability_readWithoutID: Zuora's documented read answer has no
// id (the local Zuora's here; live, the tenant's as it answers). Create,
// refresh, update and both imports still track the set by the id its
// create gave.
func TestAccReliability_readWithoutID(t *testing.T) {
	env := newTestEnvWith(t, zuorafake.Options{ReadOmitsID: true})
	spec := env.unique(setSpec{name: "NOID", invoice: num{"NII", 1}, creditMemo: num{"NIC", 1}, debitMemo: num{"NID", 1}})
	changed := spec
	changed.creditMemo.start = 3
	idIsZuoras := func(s *terraform.State) error {
		set, err := env.setByName(spec.name) // the listing, which holds ids
		if err != nil {
			return fmt.Errorf("finding %s: %w", spec.name, err)
		}
		if rs := s.RootModule().Resources[resourceAddr]; rs == nil || rs.Primary.ID != set.ID || rs.Primary.Attributes["id"] != set.ID {
			return fmt.Errorf("the state does not hold Zuora's id %q", set.ID)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				Config:           env.providerBlock() + spec.hcl(),
				Check:            resource.ComposeAggregateTestCheckFunc(env.holds(spec), idIsZuoras),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: env.providerBlock() + changed.hcl(),
				Check:  resource.ComposeAggregateTestCheckFunc(env.holds(changed), idIsZuoras),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ResourceName: resourceAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: resourceAddr, ImportState: true, ImportStateId: spec.name, ImportStateVerify: true},
		},
	})
}

// objectOf builds a value of an object type, null where vals has nothing.
func objectOf(t *testing.T, typ tftypes.Type, vals map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%v is not an object type", typ)
	}
	all := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, all)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// TestReliability_stopInterruptsARetryWait is an interrupted apply at the
// provider's protocol level: Terraform's StopProvider cancels the context
// of the running ApplyResourceChange, as here. Zuora has asked for a
// 30-second wait; the create must give up at once with a diagnostic, and
// not send the request again.
func TestReliability_stopInterruptsARetryWait(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: "POST /v1/sequence-sets", Count: 10, RetryAfter: 30 * time.Second})
	server, schemas := protocolServer(t, env.factories()["zuora"])
	ctx := context.Background()
	providerType := schemas.Provider.ValueType()
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4",
		Config: dynamicValue(t, providerType, objectOf(t, providerType, map[string]tftypes.Value{
			"host":          tftypes.NewValue(tftypes.String, env.url),
			"client_id":     tftypes.NewValue(tftypes.String, zuorafake.DefaultClientID),
			"client_secret": tftypes.NewValue(tftypes.String, zuorafake.DefaultClientSecret),
		})),
	})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, configured.Diagnostics)
	}

	setType := schemas.ResourceSchemas["zuora_sequence_set"].ValueType()
	setObject, ok := setType.(tftypes.Object)
	if !ok {
		t.Fatalf("the resource type %v is not an object", setType)
	}
	attrTypes := setObject.AttributeTypes
	numbering := func(prefix string) tftypes.Value {
		return objectOf(t, attrTypes["invoice"], map[string]tftypes.Value{
			"prefix":       tftypes.NewValue(tftypes.String, prefix),
			"start_number": tftypes.NewValue(tftypes.Number, big.NewFloat(1)),
		})
	}
	config := map[string]tftypes.Value{
		"name":        tftypes.NewValue(tftypes.String, "STOP"),
		"invoice":     numbering("STI"),
		"credit_memo": numbering("STC"),
		"debit_memo":  numbering("STD"),
	}
	planned := map[string]tftypes.Value{
		"id":      tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"payment": tftypes.NewValue(attrTypes["payment"], tftypes.UnknownValue),
		"refund":  tftypes.NewValue(attrTypes["refund"], tftypes.UnknownValue),
	}
	maps.Copy(planned, config)

	applyCtx, stop := context.WithCancel(ctx)
	defer stop()
	type result struct {
		resp *tfprotov6.ApplyResourceChangeResponse
		err  error
	}
	done := make(chan result, 1)
	req := &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     "zuora_sequence_set",
		PriorState:   dynamicValue(t, setType, tftypes.NewValue(setType, nil)),
		PlannedState: dynamicValue(t, setType, objectOf(t, setType, planned)),
		Config:       dynamicValue(t, setType, objectOf(t, setType, config)),
	}
	go func() {
		resp, err := server.ApplyResourceChange(applyCtx, req)
		done <- result{resp, err}
	}()

	// Wait until Zuora has answered the first POST with its 30 s wait.
	deadline := time.Now().Add(10 * time.Second)
	for env.fake.Stats().ByRoute["POST /v1/sequence-sets"] == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the create never reached Zuora")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the client is now waiting out Retry-After
	stopped := time.Now()
	stop()

	var got result
	select {
	case got = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the create did not return within 5 s of the stop; it waits out Zuora's 30 s")
	}
	if took := time.Since(stopped); took > time.Second {
		t.Fatalf("the create returned %v after the stop, want promptly", took)
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	var msgs []string
	for _, d := range got.resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "Unable to create Zuora sequence set STOP") || !strings.Contains(msgs[0], "context canceled") {
		t.Fatalf("diagnostics %q, want one saying the create of STOP was stopped", msgs)
	}
	if n := env.fake.Stats().ByRoute["POST /v1/sequence-sets"]; n != 1 {
		t.Fatalf("%d POSTs, want 1: nothing is sent after the stop", n)
	}
	if len(env.fake.Sets()) != 1 {
		t.Fatalf("Zuora holds %d sets, want only DEFAULT", len(env.fake.Sets()))
	}
}
