package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Plans that look fine and would fail, or do nothing, say so
// (sequence_set_plan_warnings.go); apply-time refusals say what to set
// (sequence_set_hints.go).

// flat is Terraform's output with its line wrapping undone.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// TestAccPlanWarnings_destroyDefault: a plan that destroys DEFAULT warns
// that Zuora refuses, and says how to stop managing it. Live too: DEFAULT
// is adopted as the tenant holds it (nothing written) and the destroy is
// only planned.
func TestAccPlanWarnings_destroyDefault(t *testing.T) {
	env := newTestEnv(t)
	_, dflt := tenantDefault(env)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.5.0") // import blocks
	writeConfig(t, dir, providerConfig()+"import {\n  to = "+resourceAddr+"\n  id = \"DEFAULT\"\n}\n"+dflt.hcl())
	cli.run("apply", "-auto-approve", "-no-color")
	if err := env.noWritesSent("adopting DEFAULT"); err != nil {
		t.Fatal(err)
	}

	writeConfig(t, dir, providerConfig())
	out := flat(cli.run("plan", "-no-color"))
	for _, want := range []string{"Warning: Zuora does not delete the DEFAULT sequence set", "the apply will fail", "removed block", "terraform state rm", "1 to destroy"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the plan lacks %q:\n%s", want, out)
		}
	}
}

// TestAccPlanWarnings_removedPaymentBlock: removing payment from the
// configuration plans no change, and warns that Zuora keeps it and what it
// keeps; a set never configured with one draws no warning. The same in both
// read modes of the contract (the local Zuora in each) and in the tenant's
// own (live too).
func TestAccPlanWarnings_removedPaymentBlock(t *testing.T) {
	for _, leg := range readModeLegs() {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.destroyAtEnd()
			spec := env.unique(fullSet())
			writeConfig(t, dir, providerConfig()+spec.hcl())
			cli.run("apply", "-auto-approve", "-no-color")

			kept := spec.pay
			spec.pay = num{}
			writeConfig(t, dir, providerConfig()+spec.hcl())
			out := flat(cli.run("plan", "-no-color"))
			for _, want := range []string{"Warning: The payment block was removed, but Zuora keeps it", fmt.Sprintf("prefix %q from start number %d", kept.prefix, kept.start), "No changes"} {
				if !strings.Contains(out, want) {
					t.Fatalf("the plan lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "refund block was removed") {
				t.Fatalf("the plan warns of the refund block, which is still configured:\n%s", out)
			}

			never := newTerraformCLI(t, env, t.TempDir())
			never.destroyAtEnd()
			bare := env.unique(setSpec{name: "BARE", invoice: num{"BAI", 1}, creditMemo: num{"BAC", 1}, debitMemo: num{"BAD", 1}})
			writeConfig(t, never.dir, providerConfig()+bare.hcl())
			never.run("apply", "-auto-approve", "-no-color")
			if out := never.run("plan", "-no-color"); strings.Contains(out, "was removed") {
				t.Fatalf("a set never configured with payment or refund draws a warning:\n%s", out)
			}
		})
	}
}

// TestAccApplyHints_nameInUse: creating a set whose name the tenant already
// has (a set created through the API) fails with the import block that
// adopts it. Zuora's documents do not say that names are unique: on a
// tenant that takes a second set of a name (checked through the API first)
// the create must then succeed as a set of its own, with no hint.
func TestAccApplyHints_nameInUse(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	existing := env.createSet(env.unique(setSpec{name: "FR", invoice: num{"OTHI", 1}, creditMemo: num{"OTHC", 1}, debitMemo: num{"OTHD", 1}}))
	if !refusesSecondSetNamed(env, spec.name) {
		t.Logf("this tenant accepts a second set named %s: the create must succeed as a set of its own", spec.name)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.factories(),
			Steps: []resource.TestStep{{
				Config: env.providerBlock() + spec.hcl(),
				Check: resource.TestCheckResourceAttrWith("zuora_sequence_set.test", "id", func(id string) error {
					if strings.EqualFold(id, existing.ID) {
						return fmt.Errorf("the create took over the set created outside Terraform (%s)", id)
					}
					return nil
				}),
			}},
		})
		return
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			// The set created outside Terraform is the only one so named.
			sets := 0
			for _, s := range env.allSets() {
				if s.Name == spec.name {
					sets++
				}
			}
			if sets != 1 {
				return fmt.Errorf("Zuora holds %d sets named %s, want the one created outside Terraform", sets, spec.name)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + spec.hcl(),
			ExpectError: errRe("Unable to create Zuora sequence set "+spec.name, "already", "Zuora-Request-Id",
				fmt.Sprintf("already has a sequence set named %s (ID %s)", spec.name, existing.ID), "import {", fmt.Sprintf(`id = %q`, spec.name)),
		}},
	})
}

// refusesSecondSetNamed asks the API to create a second set called name
// (which the tenant holds): false when it does, and the second set is then
// deleted.
func refusesSecondSetNamed(env *testEnv, name string) bool {
	env.t.Helper()
	probe := env.unique(setSpec{name: "probe", invoice: num{"PRBI", 1}, creditMemo: num{"PRBC", 1}, debitMemo: num{"PRBD", 1}})
	probe.name = name
	ctx, cancel := env.ctx()
	defer cancel()
	second, err := env.api.CreateSequenceSet(ctx, probe.wire())
	if err != nil {
		return true
	}
	if err := env.api.DeleteSequenceSet(ctx, second.ID); err != nil {
		env.t.Fatalf("deleting the second set named %s (%s): %v", name, second.ID, err)
	}
	return false
}

// TestAccApplyHints_startNumberBelowMinimum: a start number below the
// prefix's minimum fails with the start number to set, on create and on
// update.
func TestAccApplyHints_startNumberBelowMinimum(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	lowered := spec
	lowered.creditMemo.start = 50
	env.fake.SetMinimumStartNumber("FCM", 20)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + spec.hcl(),
				ExpectError: errRe("Unable to create Zuora sequence set FR", "minimum", "Set credit_memo.start_number to 20 or higher"),
			},
			{
				PreConfig: func() { env.fake.SetMinimumStartNumber("FCM", 1) },
				Config:    env.providerBlock() + lowered.hcl(),
			},
			{
				PreConfig:   func() { env.fake.SetMinimumStartNumber("FCM", 120) },
				Config:      env.providerBlock() + spec.hcl(), // 50 down to 10
				ExpectError: errRe("Unable to update Zuora sequence set", "minimum", "Set credit_memo.start_number to 120 or higher"),
			},
		},
	})
}
