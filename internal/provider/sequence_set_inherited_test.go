package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The contract's two read modes: GET omits payment and refund of a set
// stored without them (the local Zuora's default), or shows the DEFAULT
// set's (ReadShowsInheritedPaymentRefund). readModeEnv=inherited runs every
// acceptance test in the second mode (make testacc-inherited); the tests
// below run the workflows that differ in both modes every time.
const readModeEnv = "TF_ZUORA_TEST_READ_MODE"

// withReadMode applies readModeEnv to the options of a test's local Zuora.
func withReadMode(opts zuorafake.Options) zuorafake.Options {
	if os.Getenv(readModeEnv) == "inherited" {
		opts.ReadShowsInheritedPaymentRefund = true
	}
	return opts
}

// readModes are the two modes, by name, for subtests.
var readModes = []struct {
	name    string
	inherit bool
}{{"omitted", false}, {"inherited", true}}

// readModeLeg is one leg of a test whose workflow is checked in each read
// mode: env builds its Zuora.
type readModeLeg struct {
	name string
	env  func(*testing.T) *testEnv
}

// readModeLegs are the tenant's own read mode (newTestEnv: live, or the
// local Zuora in the run's mode), then the local Zuora in each mode.
func readModeLegs() []readModeLeg {
	legs := []readModeLeg{{"the tenant's read mode", newTestEnv}}
	for _, mode := range readModes {
		legs = append(legs, readModeLeg{mode.name, func(t *testing.T) *testEnv {
			return newLocalTestEnvAsIs(t, zuorafake.Options{ReadShowsInheritedPaymentRefund: mode.inherit})
		}})
	}
	return legs
}

// TestAccInherited_addPaymentBlock: a set created without payment, which
// the inherited mode shows with DEFAULT's P-; adding a payment block sends
// the new prefix with its start number, and applies. In each read mode,
// the tenant's too.
func TestAccInherited_addPaymentBlock(t *testing.T) {
	for _, leg := range readModeLegs() {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			spec := env.unique(fullSet())
			spec.pay, spec.ref = num{}, num{}
			withPayment := spec
			withPayment.pay = num{env.prefix("AP-"), 1}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.noSetsLeft,
				Steps: []resource.TestStep{
					{Config: env.providerBlock() + spec.hcl()},
					{
						Config: env.providerBlock() + withPayment.hcl(),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionUpdate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							env.lastPutSentOnly("payment.prefix", "payment.start_number"),
							env.holds(withPayment),
						),
					},
				},
			})
		})
	}
}

// TestAccInherited_generateConfig: plan -generate-config-out for a set
// made without payment and refund writes config that validates (in the
// inherited mode it holds DEFAULT's reserved P- and R-) and imports with
// no change. In each read mode, the tenant's too (whose mode is what its
// read of the set shows).
func TestAccInherited_generateConfig(t *testing.T) {
	for _, leg := range readModeLegs() {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			seeded := env.createSet(env.unique(setSpec{name: "NOPAY", invoice: num{"NPI", 3}, creditMemo: num{"NPC", 3}, debitMemo: num{"NPD", 3}}))
			ctx, cancel := env.ctx()
			read, err := env.api.GetSequenceSet(ctx, seeded.ID)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			inherited := read.Payment != nil // the read shows DEFAULT's
			if want := leg.name == "inherited"; leg.name != "the tenant's read mode" && inherited != want {
				t.Fatalf("the local Zuora in the %s mode reads the set as %+v", leg.name, read)
			}
			dir := t.TempDir()
			writeConfig(t, dir, providerConfig()+fmt.Sprintf("import {\n  to = zuora_sequence_set.nopay\n  id = %q\n}\n", seeded.ID))
			cli := newTerraformCLI(t, env, dir)
			cli.requireVersion("1.5.0")
			cli.run("plan", "-no-color", "-generate-config-out=generated.tf")
			generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if inherited && !strings.Contains(string(generated), fmt.Sprintf("%q", read.Payment.Prefix)) ||
				!inherited && regexp.MustCompile(`payment\s*=\s*\{`).Match(generated) {
				t.Fatalf("generated.tf (payment read as %+v):\n%s", read.Payment, generated)
			}
			cli.run("validate", "-no-color")
			out := cli.run("apply", "-auto-approve", "-no-color")
			if !strings.Contains(out, "1 imported, 0 added, 0 changed, 0 destroyed") {
				t.Fatalf("the apply was not a pure import:\n%s", out)
			}
			cli.planIsEmpty()
			assertNothingWritten(t, env)
		})
	}
}

// TestAccInherited_bulkImportRecipes runs both recipes of the bulk-import
// guide, and terraform query's (Terraform 1.14+), with the local Zuora
// showing DEFAULT's payment and refund: every third seeded set has none.
func TestAccInherited_bulkImportRecipes(t *testing.T) {
	t.Setenv(readModeEnv, "inherited")
	t.Run("forEach", TestAccBulkImport_forEach)
	t.Run("generateConfig", TestAccBulkImport_generateConfig)
	t.Run("query", TestAccSequenceSetList_generateConfig)
}

// TestAccReservedPrefixRefusedWhenSent: a reserved payment prefix is
// refused at plan time when it would be sent, on create or as a change,
// naming the attribute, and before any request (as the provider's own
// client recorded, so live too).
func TestAccReservedPrefixRefusedWhenSent(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	reservedOnCreate := spec
	reservedOnCreate.pay = num{"P-", 1}
	reservedChange := spec
	reservedChange.ref = num{"PM-", 1}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + reservedOnCreate.hcl(),
				ExpectError: errRe("Reserved prefix", `payment.prefix "P-" is reserved`),
			},
			{
				PreConfig: func() {
					if n := env.sent.stats().APIRequests; n != 0 { // the credentials check's token aside
						t.Fatalf("the refused create sent %d requests", n)
					}
				},
				Config: env.providerBlock() + spec.hcl(),
				Check:  env.holds(spec),
			},
			{
				PreConfig:   env.sent.reset,
				Config:      env.providerBlock() + reservedChange.hcl(),
				ExpectError: errRe("Reserved prefix", `refund.prefix "PM-" is reserved`),
			},
			{
				// Refused before any write: Zuora holds the set as applied.
				PreConfig: func() {
					if st := env.sent.stats(); st.Writes != 0 {
						t.Fatalf("the refused change was sent: %v", st.ByRoute)
					}
				},
				Config: env.providerBlock() + spec.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: env.holds(spec),
			},
		},
	})
}
