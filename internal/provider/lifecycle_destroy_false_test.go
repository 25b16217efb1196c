package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// lifecycle { destroy = false } came with Terraform 1.16. OpenTofu 1.12 has
// it too, but its destroy exits with an error when it forgot instances
// (unless -suppress-forget-errors), so the tests are Terraform's: the check
// skips OpenTofu 1.12 as older than 1.16.
var destroyFalseClients = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(version.Must(version.NewVersion("1.16.0"))),
}

const keepOnDestroy = "\n  lifecycle {\n    destroy = false\n  }\n}\n"

// withKeepOnDestroy adds lifecycle { destroy = false } to a resource block.
func withKeepOnDestroy(hcl string) string {
	return strings.TrimSuffix(hcl, "}\n") + keepOnDestroy
}

// noDeleteSent fails when the provider asked Zuora to delete anything.
func noDeleteSent(env *testEnv) error {
	st := env.fake.Stats()
	for route, n := range st.ByRoute {
		if strings.HasPrefix(route, "DELETE ") {
			return fmt.Errorf("%d × %s sent for sets marked destroy = false", n, route)
		}
	}
	if st.Deleted != 0 {
		return fmt.Errorf("Zuora deleted %d sets marked destroy = false", st.Deleted)
	}
	return nil
}

// expectForget is a plan check: each address is planned to be forgotten
// (plancheck has no action type for it).
type expectForget []string

func (e expectForget) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, addr := range e {
		found := false
		for _, rc := range req.Plan.ResourceChanges {
			if rc.Address != addr {
				continue
			}
			found = true
			if !rc.Change.Actions.Forget() {
				resp.Error = fmt.Errorf("%s is planned for %v, want forget", addr, rc.Change.Actions)
				return
			}
		}
		if !found {
			resp.Error = fmt.Errorf("%s is not in the plan", addr)
			return
		}
	}
}

// TestAccSequenceSet_destroyFalse marks the two kinds of sets Zuora refuses
// to delete with lifecycle { destroy = false }: the built-in DEFAULT set,
// adopted by an import, and a set assigned to customer accounts. Destroying
// the configuration removes both from the state, sends no DELETE, and
// leaves both in Zuora as last applied.
func TestAccSequenceSet_destroyFalse(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	builtIn, _ := env.fake.SetByName("DEFAULT")
	assigned := setSpec{name: "US", invoice: num{"USINV", 1}, creditMemo: num{"USCM", 1}, debitMemo: num{"USDM", 1}}
	dflt := defaultSet()
	// The same specs under their own addresses.
	assignedHCL := strings.Replace(withKeepOnDestroy(assigned.hcl()), `"test"`, `"us"`, 1)
	defaultHCL := strings.Replace(withKeepOnDestroy(dflt.hcl()), `"test"`, `"default"`, 1)
	config := env.providerBlock() + "import {\n  to = zuora_sequence_set.default\n  id = \"DEFAULT\"\n}\n" + defaultHCL + assignedHCL

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   destroyFalseClients,
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if n := len(s.RootModule().Resources); n != 0 {
				return fmt.Errorf("destroy left %d resources in state", n)
			}
			if err := noDeleteSent(env); err != nil {
				return err
			}
			if _, ok := env.fake.Set(builtIn.ID); !ok {
				return fmt.Errorf("DEFAULT is gone from Zuora")
			}
			return env.fakeMatches(assigned)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["zuora_sequence_set.us"].Primary.ID
					// Customer accounts now use US: Zuora refuses to delete it.
					return env.fake.AssignToAccount(id)
				},
			},
			{
				// A destroy plan forgets both sets instead of deleting them.
				Config:  config,
				Destroy: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectForget{"zuora_sequence_set.us", "zuora_sequence_set.default"}},
				},
			},
		},
	})
}

// TestAccExamples_keepOnDestroy runs examples/keep-on-destroy as a user
// would: apply adopts DEFAULT and creates a set, customer accounts are
// assigned to it, and destroy leaves both in Zuora and none in the state.
func TestAccExamples_keepOnDestroy(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	cli := newTerraformCLI(t, env, copyDir(t, filepath.Join(examplesDir, "keep-on-destroy")))
	cli.requireVersion("1.16.0") // lifecycle { destroy = false }

	out := cli.run("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "1 imported, 1 added, 0 changed, 0 destroyed") {
		t.Fatalf("the apply did not import DEFAULT and create one set:\n%s", out)
	}
	us, ok := env.fake.SetByName("US")
	if !ok {
		t.Fatal("the example's US set is not in Zuora")
	}
	if err := env.fake.AssignToAccount(us.ID); err != nil {
		t.Fatal(err)
	}
	cli.planIsEmpty()

	out = cli.run("destroy", "-auto-approve", "-no-color")
	if got := stateAddresses(cli); len(got) != 0 {
		t.Fatalf("destroy left %v in state:\n%s", got, out)
	}
	if err := noDeleteSent(env); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if sets := env.fake.Sets(); len(sets) != 2 {
		t.Fatalf("after destroy Zuora holds %d sets, want DEFAULT and US: %+v", len(sets), sets)
	}
}
