package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// defaultSet is the built-in set as every tenant starts with it.
func defaultSet() setSpec {
	return setSpec{
		name: "DEFAULT", invoice: num{"INV", 1}, creditMemo: num{"CM", 1}, debitMemo: num{"DM", 1},
		pay: num{"P-", 1}, ref: num{"R-", 1},
	}
}

// TestAccSequenceSet_defaultSetLifecycle adopts the built-in DEFAULT set with
// an import block by name, changes it in place, shows that Zuora refuses to
// delete it, and stops managing it with a removed block, which leaves it
// untouched in Zuora.
func TestAccSequenceSet_defaultSetLifecycle(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	builtIn, ok := env.fake.SetByName("DEFAULT")
	if !ok {
		t.Fatal("the fake has no DEFAULT set")
	}
	spec := defaultSet()
	changed := spec
	changed.invoice.start = 500
	importBlock := "import {\n  to = " + resourceAddr + "\n  id = \"DEFAULT\"\n}\n"

	resource.ParallelTest(t, resource.TestCase{
		// removed blocks need Terraform 1.7.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			got, ok := env.fake.Set(builtIn.ID)
			if !ok || got.Invoice == nil || got.Invoice.StartNumber != 500 {
				return fmt.Errorf("DEFAULT should be left in Zuora as last applied, got %+v (found: %v)", got, ok)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Its configuration, reserved prefixes included, validates
				// and imports without a change.
				Config: env.providerBlock() + importBlock + spec.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: append(stateMatches(spec),
					statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("id"), knownvalue.StringExact(builtIn.ID))),
				Check: func(*terraform.State) error {
					if st := env.fake.Stats(); st.Created+st.Updated+st.Deleted != 0 {
						return fmt.Errorf("importing DEFAULT wrote to Zuora: %+v", st)
					}
					return nil
				},
			},
			{
				Config: env.providerBlock() + changed.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(env.holds(changed), env.lastPutSentOnly("invoice.start_number")),
			},
			{
				// Leaving it out of the configuration plans a destroy, which
				// Zuora refuses; the error says how to stop managing it.
				Config:      env.providerBlock(),
				ExpectError: errRe("Unable to delete Zuora sequence set DEFAULT", "removed", "block", "terraform state rm"),
			},
			{
				Config: env.providerBlock() + "removed {\n  from = " + resourceAddr + "\n  lifecycle {\n    destroy = false\n  }\n}\n",
				Check: func(s *terraform.State) error {
					if n := len(s.RootModule().Resources); n != 0 {
						return fmt.Errorf("the removed block left %d resources in state", n)
					}
					return env.holds(changed)(s)
				},
			},
		},
	})
}

// tenantDefault is the tenant's DEFAULT set as Zuora holds it, and its
// spec: a configuration of it plans no change, so a live test can adopt it
// without writing to it.
func tenantDefault(env *testEnv) (zuora.SequenceSet, setSpec) {
	env.t.Helper()
	builtIn := env.mustSetByName("DEFAULT")
	spec := setSpec{name: builtIn.Name}
	for _, c := range []struct {
		n    *zuora.Numbering
		into *num
	}{{builtIn.Invoice, &spec.invoice}, {builtIn.CreditMemo, &spec.creditMemo}, {builtIn.DebitMemo, &spec.debitMemo}, {builtIn.Payment, &spec.pay}, {builtIn.Refund, &spec.ref}} {
		if c.n != nil {
			*c.into = num{c.n.Prefix, c.n.StartNumber}
		}
	}
	return builtIn, spec
}

// TestAccSequenceSet_adoptDefault is the read-only half of the test above,
// live too: the tenant's DEFAULT, as Zuora holds it, imports by name with
// an empty plan and nothing written, and a removed block lets it go
// without a request. (Changing DEFAULT, and Zuora refusing its delete,
// stay in the local Zuora: a live run touches no set but its own.)
func TestAccSequenceSet_adoptDefault(t *testing.T) {
	env := newTestEnv(t)
	builtIn, spec := tenantDefault(env)
	importBlock := "import {\n  to = " + resourceAddr + "\n  id = \"DEFAULT\"\n}\n"
	resource.ParallelTest(t, resource.TestCase{
		// removed blocks need Terraform 1.7.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: env.providerBlock() + importBlock + spec.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: append(stateMatches(spec),
					statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("id"), knownvalue.StringExact(builtIn.ID))),
				Check: func(*terraform.State) error { return env.noWritesSent("importing DEFAULT") },
			},
			{
				Config: env.providerBlock() + "removed {\n  from = " + resourceAddr + "\n  lifecycle {\n    destroy = false\n  }\n}\n",
				Check: func(s *terraform.State) error {
					if n := len(s.RootModule().Resources); n != 0 {
						return fmt.Errorf("the removed block left %d resources in state", n)
					}
					if err := env.noWritesSent("letting DEFAULT go"); err != nil {
						return err
					}
					return env.holds(spec)(s)
				},
			},
		},
	})
}
