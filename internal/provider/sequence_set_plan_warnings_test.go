package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Plans that look fine and would fail, or do nothing, say so
// (sequence_set_plan_warnings.go); apply-time refusals say what to set
// (sequence_set_hints.go).

// flat is Terraform's output with its line wrapping undone.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// TestAccPlanWarnings_destroyDefault: a plan that destroys DEFAULT warns
// that Zuora refuses, and says how to stop managing it.
func TestAccPlanWarnings_destroyDefault(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.5.0") // import blocks
	writeConfig(t, dir, providerConfig()+"import {\n  to = "+resourceAddr+"\n  id = \"DEFAULT\"\n}\n"+defaultSet().hcl())
	cli.run("apply", "-auto-approve", "-no-color")

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
// keeps; a set never configured with one draws no warning.
func TestAccPlanWarnings_removedPaymentBlock(t *testing.T) {
	for _, mode := range readModes {
		t.Run(mode.name, func(t *testing.T) {
			env := newLocalTestEnvAsIs(t, zuorafake.Options{ReadShowsInheritedPaymentRefund: mode.inherit})
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			spec := fullSet()
			writeConfig(t, dir, providerConfig()+spec.hcl())
			cli.run("apply", "-auto-approve", "-no-color")

			spec.pay = num{}
			writeConfig(t, dir, providerConfig()+spec.hcl())
			out := flat(cli.run("plan", "-no-color"))
			for _, want := range []string{"Warning: The payment block was removed, but Zuora keeps it", `prefix "FP-" from start number 10`, "No changes"} {
				if !strings.Contains(out, want) {
					t.Fatalf("the plan lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "refund block was removed") {
				t.Fatalf("the plan warns of the refund block, which is still configured:\n%s", out)
			}

			never := newTerraformCLI(t, env, t.TempDir())
			bare := setSpec{name: "BARE", invoice: num{"BAI", 1}, creditMemo: num{"BAC", 1}, debitMemo: num{"BAD", 1}}
			writeConfig(t, never.dir, providerConfig()+bare.hcl())
			never.run("apply", "-auto-approve", "-no-color")
			if out := never.run("plan", "-no-color"); strings.Contains(out, "was removed") {
				t.Fatalf("a set never configured with payment or refund draws a warning:\n%s", out)
			}
		})
	}
}

// TestAccApplyHints_nameInUse: creating a set whose name the tenant already
// has fails with the import block that adopts it.
func TestAccApplyHints_nameInUse(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	existing := env.fake.CreateOutOfBand(zuorafake.SequenceSet{
		Name:       spec.name,
		Invoice:    &zuorafake.Numbering{Prefix: "OTHI", StartNumber: 1},
		CreditMemo: &zuorafake.Numbering{Prefix: "OTHC", StartNumber: 1},
		DebitMemo:  &zuorafake.Numbering{Prefix: "OTHD", StartNumber: 1},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + spec.hcl(),
			ExpectError: errRe("Unable to create Zuora sequence set FR", "already", "Zuora-Request-Id",
				fmt.Sprintf("already has a sequence set named FR (ID %s)", existing.ID), "import {", `id = "FR"`),
		}},
	})
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
