package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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

// fakeMatches asserts Zuora (the fake) holds spec under the name.
func (e *testEnv) fakeMatches(spec setSpec) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := e.fake.SetByName(spec.name)
		if !ok {
			return fmt.Errorf("no set named %q in Zuora", spec.name)
		}
		for attr, pair := range map[string]struct {
			want num
			got  *zuorafake.Numbering
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

// onlyDefaultLeft is a CheckDestroy: every set but DEFAULT is gone.
func (e *testEnv) onlyDefaultLeft(*terraform.State) error {
	sets := e.fake.Sets()
	if len(sets) != 1 || sets[0].Name != "DEFAULT" {
		return fmt.Errorf("after destroy Zuora holds %d sets: %+v", len(sets), sets)
	}
	return nil
}

func TestAccSequenceSet_fullLifecycle(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	sameID := statecheck.CompareValue(compare.ValuesSame())
	idCheck := func() statecheck.StateCheck { return sameID.AddStateValue(resourceAddr, tfjsonpath.New("id")) }

	spec := fullSet()
	steps := []resource.TestStep{{
		Config:            env.providerBlock() + spec.hcl(),
		ConfigStateChecks: append(stateMatches(spec), idCheck()),
		Check:             env.fakeMatches(spec),
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
	changes = append(changes, change{"name", func(s *setSpec) { s.name = "FR-RENAMED" }})

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
				env.fakeMatches(want),
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
		CheckDestroy:             env.onlyDefaultLeft,
		Steps:                    steps,
	})
	if n := env.fake.Stats().TokenGrants; n > len(steps)*4 {
		t.Fatalf("%d token grants for %d steps: tokens are not reused within a provider process", n, len(steps))
	}
}

func TestAccSequenceSet_requiredContainersOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    zuorafake.Options
		payment knownvalue.Check
		refund  knownvalue.Check
	}{
		{"zuora reports no payment or refund", zuorafake.Options{}, knownvalue.Null(), knownvalue.Null()},
		{"zuora reports the inherited ones", zuorafake.Options{ReadShowsInheritedPaymentRefund: true}, numberingValue("P-", 1), numberingValue("R-", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnvAsIs(t, tc.opts)
			spec := setSpec{name: "MIN", invoice: num{"MINV", 1}, creditMemo: num{"MCM", 1}, debitMemo: num{"MDM", 1}}
			changed := spec
			changed.invoice.start = 5
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.onlyDefaultLeft,
				Steps: []resource.TestStep{
					{
						Config: env.providerBlock() + spec.hcl(),
						ConfigStateChecks: append(stateMatches(spec),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("payment"), tc.payment),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("refund"), tc.refund),
						),
						Check: env.fakeMatches(spec),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
					{
						// After a refresh the state holds what Zuora reports, and an
						// update of another container leaves payment and refund alone.
						Config: env.providerBlock() + changed.hcl(),
						ConfigStateChecks: append(stateMatches(changed),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("payment"), tc.payment),
							statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("refund"), tc.refund),
						),
						Check: resource.ComposeAggregateTestCheckFunc(env.fakeMatches(changed), env.lastPutSentOnly("invoice.start_number")),
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

func TestAccSequenceSet_driftIsRepaired(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	config := env.providerBlock() + spec.hcl()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.onlyDefaultLeft,
		Steps: []resource.TestStep{
			{Config: config, Check: env.fakeMatches(spec)},
			{
				// Someone changes the set in Zuora's UI: the plan puts it back in place.
				PreConfig: func() {
					s, _ := env.fake.SetByName(spec.name)
					if err := env.fake.UpdateOutOfBand(s.ID, func(s *zuorafake.SequenceSet) {
						s.Invoice.Prefix = "HANDMADE"
						s.Refund.StartNumber = 999
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check:  env.fakeMatches(spec),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("invoice"), numberingValue("FINV", 10)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Someone deletes it: the plan creates it again.
				PreConfig: func() {
					s, _ := env.fake.SetByName(spec.name)
					if err := env.fake.DeleteOutOfBand(s.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check:  env.fakeMatches(spec),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccSequenceSet_invalidConfigSendsNothing(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	base := fullSet()
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
		{"one prefix for two types", func(s *setSpec) { s.debitMemo.prefix = s.invoice.prefix }, errRe(`debit_memo.prefix "FINV" is already the prefix of invoice.prefix`)},
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
	if n := counter.sent(); n != 0 || env.apiCalls() != 0 {
		t.Fatalf("invalid configurations tried %d requests (%d reached Zuora), want 0", n, env.apiCalls())
	}
}

func TestAccSequenceSet_deleteRefusedKeepsState(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	config := env.providerBlock() + spec.hcl()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.onlyDefaultLeft,
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
				Check: env.fakeMatches(spec),
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
	env := newTestEnv(t, zuorafake.Options{})
	env.fake.CreateOutOfBand(zuorafake.SequenceSet{
		Name:       "DUP",
		Invoice:    &zuorafake.Numbering{Prefix: "DUPI", StartNumber: 1},
		CreditMemo: &zuorafake.Numbering{Prefix: "DUPC", StartNumber: 1},
		DebitMemo:  &zuorafake.Numbering{Prefix: "DUPD", StartNumber: 1},
	})
	oldMode := env.providerBlock(`api_version = "186.0"`)
	dup := setSpec{name: "DUP", invoice: num{"NEWI", 1}, creditMemo: num{"NEWC", 1}, debitMemo: num{"NEWD", 1}}
	ok := dup
	ok.name = "NOTDUP"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				// Zuora answers HTTP 200 with "success": false: the create fails.
				Config:      oldMode + dup.hcl(),
				ExpectError: errRe("Unable to create Zuora sequence set DUP", "HTTP 200", "success", "false", "DUP", "Zuora-Request-Id: "),
			},
			{
				// Nothing landed in state: the next plan is a plain create, not a replace.
				Config: oldMode + ok.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate)},
				},
				Check: env.fakeMatches(ok),
			},
		},
	})
	for _, r := range env.fake.Requests() {
		if strings.HasPrefix(r.Route, "POST /v1") && r.Version != "186.0" {
			t.Fatalf("api_version not sent as Zuora-Version: %+v", r)
		}
	}
}

// TestAccSequenceSet_realTenant runs the create/update/import cycle against
// a real Zuora tenant when credentials are in the environment. It is the
// only test that may skip.
func TestAccSequenceSet_realTenant(t *testing.T) {
	if os.Getenv(envClientID) == "" || os.Getenv(envClientSecret) == "" || os.Getenv(envHost) == "" {
		t.Skip("set ZUORA_HOST, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET to run against a real tenant")
	}
	suffix := fmt.Sprintf("%06d", time.Now().UnixNano()%1_000_000)
	spec := setSpec{
		name:    "tfacc-" + suffix,
		invoice: num{"TI" + suffix, 1}, creditMemo: num{"TC" + suffix, 1}, debitMemo: num{"TD" + suffix, 1},
	}
	changed := spec
	changed.invoice.start = 2
	env := &testEnv{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: `provider "zuora" {}` + "\n" + spec.hcl(), ConfigStateChecks: stateMatches(spec)},
			{
				Config:            `provider "zuora" {}` + "\n" + changed.hcl(),
				ConfigStateChecks: stateMatches(changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{ResourceName: resourceAddr, ImportState: true, ImportStateVerify: true},
		},
	})
}
