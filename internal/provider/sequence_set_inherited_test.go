package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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

// TestAccInherited_addPaymentBlock: a set created without payment, which
// the inherited mode shows with DEFAULT's P-; adding a payment block sends
// the new prefix with its start number, and applies.
func TestAccInherited_addPaymentBlock(t *testing.T) {
	for _, mode := range readModes {
		t.Run(mode.name, func(t *testing.T) {
			env := newLocalTestEnvAsIs(t, zuorafake.Options{ReadShowsInheritedPaymentRefund: mode.inherit})
			spec := fullSet()
			spec.pay, spec.ref = num{}, num{}
			withPayment := spec
			withPayment.pay = num{"AP-", 1}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
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
							func(*terraform.State) error {
								set, ok := env.fake.SetByName(spec.name)
								if !ok || set.Payment == nil || set.Payment.Prefix != "AP-" || set.Payment.StartNumber != 1 {
									return fmt.Errorf("Zuora holds %+v, want payment AP- from 1", set.Payment)
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

// TestAccInherited_generateConfig: plan -generate-config-out for a set
// made without payment and refund writes config that validates (in the
// inherited mode it holds DEFAULT's reserved P- and R-) and imports with
// no change.
func TestAccInherited_generateConfig(t *testing.T) {
	for _, mode := range readModes {
		t.Run(mode.name, func(t *testing.T) {
			env := newLocalTestEnvAsIs(t, zuorafake.Options{ReadShowsInheritedPaymentRefund: mode.inherit})
			seeded := env.fake.CreateOutOfBand(zuorafake.SequenceSet{
				Name:       "NOPAY",
				Invoice:    &zuorafake.Numbering{Prefix: "NPI", StartNumber: 3},
				CreditMemo: &zuorafake.Numbering{Prefix: "NPC", StartNumber: 3},
				DebitMemo:  &zuorafake.Numbering{Prefix: "NPD", StartNumber: 3},
			})
			dir := t.TempDir()
			writeConfig(t, dir, providerConfig()+fmt.Sprintf("import {\n  to = zuora_sequence_set.nopay\n  id = %q\n}\n", seeded.ID))
			cli := newTerraformCLI(t, env, dir)
			cli.requireVersion("1.5.0")
			cli.run("plan", "-no-color", "-generate-config-out=generated.tf")
			generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if mode.inherit != strings.Contains(string(generated), `"P-"`) {
				t.Fatalf("generated.tf in the %s mode:\n%s", mode.name, generated)
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
// naming the attribute, and before any request.
func TestAccReservedPrefixRefusedWhenSent(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	reservedOnCreate := spec
	reservedOnCreate.pay = num{"P-", 1}
	reservedChange := spec
	reservedChange.ref = num{"PM-", 1}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + reservedOnCreate.hcl(),
				ExpectError: errRe("Reserved prefix", `payment.prefix "P-" is reserved`),
			},
			{
				PreConfig: func() {
					if n := env.fake.Stats().Requests; n != 0 {
						t.Fatalf("the refused create sent %d requests", n)
					}
				},
				Config: env.providerBlock() + spec.hcl(),
			},
			{
				Config:      env.providerBlock() + reservedChange.hcl(),
				ExpectError: errRe("Reserved prefix", `refund.prefix "PM-" is reserved`),
			},
		},
	})
	if st := env.fake.Stats(); st.Updated != 0 || st.ByRoute["PUT /v1/sequence-sets/{id}"] != 0 {
		t.Fatalf("the refused change was sent: %+v", st)
	}
}
