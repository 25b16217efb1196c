package provider

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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
// local Zuora in the run's mode), then the local Zuora in the other mode:
// each run checks both modes, and none twice.
func readModeLegs() []readModeLeg {
	legs := []readModeLeg{{"the tenant's read mode", newTestEnv}}
	runInherits := withReadMode(zuorafake.Options{}).ReadShowsInheritedPaymentRefund
	for _, mode := range readModes {
		if mode.inherit == runInherits {
			continue // the tenant's leg, run locally
		}
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
// made without payment and refund writes config that is valid as written
// (in the inherited mode it holds DEFAULT's reserved P- and R-) and
// imports with no change: the framework's GenerateConfig import step
// states both. In each read mode, the tenant's too (whose mode is what its
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
			workingDir := t.TempDir()
			resource.Test(t, resource.TestCase{
				WorkingDir:               workingDir,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				ProtoV6ProviderFactories: env.factories(),
				Steps: []resource.TestStep{{
					// import { to = ..., id = ... } and plan -generate-config-out.
					Config:       env.providerBlock(),
					ResourceName: "zuora_sequence_set.nopay", ImportStateId: seeded.ID,
					ImportState: true, ImportStateKind: resource.ImportBlockWithID, GenerateConfig: true,
					ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
						generatedFile{workingDir, func(generated string) error {
							if inherited && !strings.Contains(generated, fmt.Sprintf("%q", read.Payment.Prefix)) ||
								!inherited && regexp.MustCompile(`payment\s*=\s*\{`).MatchString(generated) {
								return fmt.Errorf("generated.tf (payment read as %+v):\n%s", read.Payment, generated)
							}
							return nil
						}},
					}},
				}},
			})
			assertNothingWritten(t, env)
		})
	}
}

// generatedFile checks the configuration the framework's GenerateConfig
// import step generated: generated.tf, found in the test case's working
// directory (TestCase.WorkingDir) while the step runs.
type generatedFile struct {
	workingDir string
	check      func(generated string) error
}

func (c generatedFile) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var found []string
	err := filepath.WalkDir(c.workingDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "generated.tf" {
			found = append(found, p)
		}
		return err
	})
	if err != nil {
		resp.Error = fmt.Errorf("looking for generated.tf: %w", err)
		return
	}
	if len(found) != 1 {
		resp.Error = fmt.Errorf("want one generated.tf under %s, found %v", c.workingDir, found)
		return
	}
	b, err := os.ReadFile(found[0])
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = c.check(string(b))
}
