package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

const resourceAddr = "zuora_sequence_set.test"

// num is one container in HCL.
type num struct {
	prefix string
	start  int64
}

// setSpec is a whole set; a zero num leaves that container out.
type setSpec struct {
	name                                     string
	invoice, creditMemo, debitMemo, pay, ref num
	number                                   string // sequenceSetNumber, sent by env.createSet only
}

func (s setSpec) hcl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"zuora_sequence_set\" \"test\" {\n  name = %q\n", s.name)
	for _, c := range []struct {
		attr string
		n    num
	}{{"invoice", s.invoice}, {"credit_memo", s.creditMemo}, {"debit_memo", s.debitMemo}, {"payment", s.pay}, {"refund", s.ref}} {
		if c.n.prefix != "" {
			fmt.Fprintf(&b, "  %s = { prefix = %q, start_number = %d }\n", c.attr, c.n.prefix, c.n.start)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func fullSet() setSpec {
	return setSpec{
		name: "FR", invoice: num{"FINV", 10}, creditMemo: num{"FCM", 10}, debitMemo: num{"FDM", 10},
		pay: num{"FP-", 10}, ref: num{"FR-", 10},
	}
}

func numberingValue(prefix string, start int64) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"prefix":       knownvalue.StringExact(prefix),
		"start_number": knownvalue.Int64Exact(start),
	})
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// stateMatches asserts the state holds spec.
func stateMatches(spec setSpec) []statecheck.StateCheck {
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hexID)),
		statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("name"), knownvalue.StringExact(spec.name)),
	}
	for attr, n := range map[string]num{"invoice": spec.invoice, "credit_memo": spec.creditMemo, "debit_memo": spec.debitMemo, "payment": spec.pay, "refund": spec.ref} {
		if n.prefix != "" {
			checks = append(checks, statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New(attr), numberingValue(n.prefix, n.start)))
		}
	}
	return checks
}

// holds asserts Zuora holds spec under its name, as the API reads it.
func (e *testEnv) holds(spec setSpec) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := e.setByName(spec.name)
		if err != nil {
			return fmt.Errorf("no set named %q in Zuora: %w", spec.name, err)
		}
		for attr, pair := range map[string]struct {
			want num
			got  *zuora.Numbering
		}{
			"invoice": {spec.invoice, got.Invoice}, "credit_memo": {spec.creditMemo, got.CreditMemo},
			"debit_memo": {spec.debitMemo, got.DebitMemo}, "payment": {spec.pay, got.Payment}, "refund": {spec.ref, got.Refund},
		} {
			if pair.want.prefix == "" {
				continue
			}
			if pair.got == nil || pair.got.Prefix != pair.want.prefix || pair.got.StartNumber != pair.want.start {
				return fmt.Errorf("Zuora holds %s = %+v, want %+v", attr, pair.got, pair.want)
			}
		}
		return nil
	}
}

// noSetsLeft is a CheckDestroy: the test's sets are gone from Zuora. In
// the local Zuora, which is the test's alone, that is every set but
// DEFAULT; live, every set named with the test's prefix.
func (e *testEnv) noSetsLeft(*terraform.State) error {
	if liveMode {
		left, err := e.leftovers()
		if err == nil && len(left) > 0 {
			err = fmt.Errorf("after destroy Zuora holds %d of the test's sets: %+v", len(left), left)
		}
		return err
	}
	ctx, cancel := e.ctx()
	defer cancel()
	sets, err := e.api.ListSequenceSets(ctx, zuora.ListOptions{})
	if err == nil && (len(sets) != 1 || sets[0].Name != "DEFAULT") {
		err = fmt.Errorf("after destroy Zuora holds %d sets: %+v", len(sets), sets)
	}
	return err
}

func TestAccSequenceSet_fullLifecycle(t *testing.T) {
	env := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	idCheck := func() statecheck.StateCheck { return sameID.AddStateValue(resourceAddr, tfjsonpath.New("id")) }

	spec := env.unique(fullSet())
	steps := []resource.TestStep{{
		Config:            env.providerBlock() + spec.hcl(),
		ConfigStateChecks: append(stateMatches(spec), idCheck()),
		Check:             env.holds(spec),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	}}

	// Each prefix and each start number, then the name: all in place.
	type change struct {
		what  string
		apply func(*setSpec)
	}
	var changes []change
	for _, c := range []struct {
		attr string
		n    func(*setSpec) *num
	}{
		{"invoice", func(s *setSpec) *num { return &s.invoice }},
		{"credit_memo", func(s *setSpec) *num { return &s.creditMemo }},
		{"debit_memo", func(s *setSpec) *num { return &s.debitMemo }},
		{"payment", func(s *setSpec) *num { return &s.pay }},
		{"refund", func(s *setSpec) *num { return &s.ref }},
	} {
		changes = append(changes,
			change{c.attr + ".prefix", func(s *setSpec) { c.n(s).prefix += "X" }},
			change{c.attr + ".start_number", func(s *setSpec) { c.n(s).start += 100 }},
		)
	}
	changes = append(changes, change{"name", func(s *setSpec) { s.name = env.name("FR-RENAMED") }})

	for _, ch := range changes {
		ch.apply(&spec)
		want := spec
		fields := []string{ch.what}
		if prefix, ok := strings.CutSuffix(ch.what, ".prefix"); ok {
			fields = append(fields, prefix+".start_number") // a new prefix goes with its start number
		}
		steps = append(steps, resource.TestStep{
			Config:            env.providerBlock() + want.hcl(),
			ConfigStateChecks: append(stateMatches(want), idCheck()),
			Check: resource.ComposeAggregateTestCheckFunc(
				env.holds(want),
				env.lastPutSentOnly(fields...),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		})
	}

	steps = append(steps,
		resource.TestStep{ // by id, with terraform import
			ResourceName:      resourceAddr,
			ImportState:       true,
			ImportStateVerify: true,
		},
		resource.TestStep{ // by name
			ResourceName:      resourceAddr,
			ImportState:       true,
			ImportStateId:     spec.name,
			ImportStateVerify: true,
		},
		resource.TestStep{ // with an import block
			Config:          env.providerBlock() + spec.hcl(),
			ResourceName:    resourceAddr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
		},
	)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps:                    steps,
	})
	if n := env.sent.stats().TokenGrants; n > len(steps)*4 {
		t.Fatalf("%d token grants for %d steps: tokens are not reused within a provider process", n, len(steps))
	}
}

func TestAccSequenceSet_requiredContainersOnly(t *testing.T) {
	local := func(opts zuorafake.Options) func(*testing.T) *testEnv {
		return func(t *testing.T) *testEnv { return newLocalTestEnvAsIs(t, opts) }
	}
	runInherits := withReadMode(zuorafake.Options{}).ReadShowsInheritedPaymentRefund
	for _, tc := range []struct {
		name    string
		env     func(*testing.T) *testEnv
		payment func(*testEnv, string) knownvalue.Check
		refund  func(*testEnv, string) knownvalue.Check
		local   bool // the local Zuora in one read mode (inherit)
		inherit bool
	}{
		// Whichever way the tenant reports them, the state follows Zuora.
		{"as zuora reports them", newTestEnv, heldAs(paymentOf), heldAs(refundOf), false, false},
		// The local Zuora in the other read mode than the run's (the leg
		// above is the run's, locally).
		{"zuora reports no payment or refund", local(zuorafake.Options{}), noNumbering, noNumbering, true, false},
		{"zuora reports the inherited ones", local(zuorafake.Options{ReadShowsInheritedPaymentRefund: true}), fixedNumbering("P-", 1), fixedNumbering("R-", 1), true, true},
	} {
		if tc.local && tc.inherit == runInherits {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env(t)
			spec := env.unique(setSpec{name: "MIN", invoice: num{"MINV", 1}, creditMemo: num{"MCM", 1}, debitMemo: num{"MDM", 1}})
			changed := spec
			changed.invoice.start = 5
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.noSetsLeft,
				Steps: []resource.TestStep{
					{
						Config: env.providerBlock() + spec.hcl(),
						ConfigStateChecks: append(stateMatches(spec),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("payment"), tc.payment(env, spec.name)),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("refund"), tc.refund(env, spec.name)),
						),
						Check: env.holds(spec),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
					{
						// After a refresh the state holds what Zuora reports, and an
						// update of another container leaves payment and refund alone.
						Config: env.providerBlock() + changed.hcl(),
						ConfigStateChecks: append(stateMatches(changed),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("payment"), tc.payment(env, spec.name)),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("refund"), tc.refund(env, spec.name)),
						),
						Check: resource.ComposeAggregateTestCheckFunc(env.holds(changed), env.lastPutSentOnly("invoice.start_number")),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
		})
	}
}

// Expected payment or refund numbering of the set called name.
func noNumbering(*testEnv, string) knownvalue.Check { return knownvalue.Null() }

func fixedNumbering(prefix string, start int64) func(*testEnv, string) knownvalue.Check {
	return func(*testEnv, string) knownvalue.Check { return numberingValue(prefix, start) }
}

func paymentOf(s zuora.SequenceSet) *zuora.Numbering { return s.Payment }
func refundOf(s zuora.SequenceSet) *zuora.Numbering  { return s.Refund }

// heldAs expects what Zuora reads for the container when the check runs.
func heldAs(container func(zuora.SequenceSet) *zuora.Numbering) func(*testEnv, string) knownvalue.Check {
	return func(env *testEnv, name string) knownvalue.Check { return zuoraHolds{env, name, container} }
}

type zuoraHolds struct {
	env       *testEnv
	name      string
	container func(zuora.SequenceSet) *zuora.Numbering
}

func (c zuoraHolds) CheckValue(v any) error {
	set, err := c.env.setByName(c.name)
	if err != nil {
		return err
	}
	if n := c.container(set); n != nil {
		return numberingValue(n.Prefix, n.StartNumber).CheckValue(v)
	}
	return knownvalue.Null().CheckValue(v)
}

func (c zuoraHolds) String() string { return "as Zuora holds it" }

func TestAccSequenceSet_driftIsRepaired(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	config := env.providerBlock() + spec.hcl()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{Config: config, Check: env.holds(spec)},
			{
				// Someone changes the set in Zuora's UI: the plan puts it back in place.
				PreConfig: func() {
					handmade, start := env.prefix("HANDMADE"), int64(999)
					env.updateSet(spec.name, zuora.SequenceSetPatch{
						Invoice: &zuora.NumberingPatch{Prefix: &handmade},
						Refund:  &zuora.NumberingPatch{StartNumber: &start},
					})
				},
				Config: config,
				Check:  env.holds(spec),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("invoice"), numberingValue(spec.invoice.prefix, 10)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Someone deletes it: the plan creates it again.
				PreConfig: func() { env.deleteSet(spec.name) },
				Config:    config,
				Check:     env.holds(spec),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccSequenceSet_invalidConfigSendsNothing(t *testing.T) {
	env := newTestEnv(t)
	base := env.unique(fullSet())
	cases := []struct {
		name string
		edit func(*setSpec)
		want *regexp.Regexp
	}{
		{"name too long", func(s *setSpec) { s.name = "SIXTEEN-CHARS-XX" }, errRe("name", "length must be between 1 and 15")},
		{"name with a space", func(s *setSpec) { s.name = "A B" }, errRe("name", "letters, digits and '-'")},
		{"name starting with a dash", func(s *setSpec) { s.name = "-AB" }, errRe("name", "must start with a letter or digit")},
		{"prefix too long", func(s *setSpec) { s.invoice.prefix = "ABCDEFGHIJKLMNOPQ" }, errRe("invoice.prefix", "length must be between 1 and 16")},
		{"prefix with a dot", func(s *setSpec) { s.creditMemo.prefix = "CM.1" }, errRe("credit_memo.prefix", "letters, digits, '-' and '_'")},
		{"prefix starting with underscore", func(s *setSpec) { s.debitMemo.prefix = "_DM" }, errRe("debit_memo.prefix", "must not start with")},
		{"reserved prefix", func(s *setSpec) { s.invoice.prefix = "PREVIEW-" }, errRe("Reserved prefix", `invoice.prefix "PREVIEW-" is reserved`)},
		{"reserved payment prefix", func(s *setSpec) { s.pay.prefix = "P-" }, errRe("Reserved prefix", `payment.prefix "P-" is reserved`)},
		{"payment prefix ending in a digit", func(s *setSpec) { s.pay.prefix = "PAY1" }, errRe("payment.prefix", "must not end in a digit")},
		{"refund prefix ending in a digit", func(s *setSpec) { s.ref.prefix = "RF-2" }, errRe("refund.prefix", "must not end in a digit")},
		{"one prefix for two types", func(s *setSpec) { s.debitMemo.prefix = s.invoice.prefix }, errRe(fmt.Sprintf(`debit_memo.prefix %q is already the prefix of invoice.prefix`, base.invoice.prefix))},
		{"start number zero", func(s *setSpec) { s.ref.start = 0 }, errRe("refund.start_number", "at least 1")},
		{"negative start number", func(s *setSpec) { s.invoice.start = -5 }, errRe("invoice.start_number", "at least 1")},
	}
	var counter sendCounter // sends_nothing_test.go: an apply, counted at the transport
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := base
			tc.edit(&spec)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: countingFactories(&counter),
				Steps: []resource.TestStep{{
					Config:      env.providerBlock() + spec.hcl(),
					ExpectError: tc.want,
				}},
			})
		})
	}
	if n := counter.aboutSets(); n != 0 { // the provider's valid: its credentials check's token aside
		t.Fatalf("invalid configurations tried %d requests, want 0", n)
	}
}

func TestAccSequenceSet_deleteRefusedKeepsState(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	config := env.providerBlock() + spec.hcl()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					s, _ := env.fake.SetByName(spec.name)
					if err := env.fake.AssignToAccount(s.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:      env.providerBlock(), // the resource is gone from the config: Terraform deletes it
				ExpectError: errRe("Unable to delete Zuora sequence set FR", "Zuora-Request-Id", "removed", "block"),
			},
			{
				// Still in state: the original config plans nothing.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: env.holds(spec),
			},
			{
				// Clean up: once it is gone from Zuora, refresh drops it from state.
				PreConfig: func() {
					s, _ := env.fake.SetByName(spec.name)
					if err := env.fake.DeleteOutOfBand(s.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: env.providerBlock(),
			},
		},
	})
}

func TestAccSequenceSet_oldErrorMode(t *testing.T) {
	env := newTestEnv(t)
	// A set made outside Terraform, and deleted, held an invoice prefix,
	// which Zuora then refuses as any other document type's at apply: the
	// plan, which sees only the sets the tenant holds now, cannot.
	taken := env.createSet(env.unique(setSpec{name: "TAKEN", invoice: num{"OLDI", 1}, creditMemo: num{"OLDC", 1}, debitMemo: num{"OLDD", 1}}))
	env.deleteSet(taken.Name)
	oldMode := env.providerBlock(`api_version = "186.0"`)
	refused := env.unique(setSpec{name: "REFUSED", invoice: num{"NEWI", 1}, creditMemo: num{"NEWC", 1}, debitMemo: num{"NEWD", 1}})
	refused.creditMemo.prefix = taken.Invoice.Prefix
	ok := env.unique(setSpec{name: "OK", invoice: num{"OKI", 1}, creditMemo: num{"OKC", 1}, debitMemo: num{"OKD", 1}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				// Zuora answers HTTP 200 with "success": false: the create fails.
				Config:      oldMode + refused.hcl(),
				ExpectError: errRe("Unable to create Zuora sequence set "+refused.name, "HTTP 200", "success", "false", "Zuora-Request-Id: "),
			},
			{
				// Nothing landed in state: the next plan is a plain create, not a replace.
				Config: oldMode + ok.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
				},
				Check: env.holds(ok),
			},
		},
	})
	posts := 0
	for _, r := range env.sent.all() {
		if strings.HasPrefix(r.Route, "POST /v1") {
			posts++
			if r.Version != "186.0" {
				t.Fatalf("api_version not sent as Zuora-Version: %+v", r)
			}
		}
	}
	if posts == 0 {
		t.Fatal("no create was sent")
	}
}
