package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// noDeleteSent fails when the provider asked Zuora to delete anything (as
// recorded in its own client, so live too).
func noDeleteSent(env *testEnv) error {
	for route, n := range env.sent.stats().ByRoute {
		if strings.HasPrefix(route, "DELETE ") {
			return fmt.Errorf("%d × %s sent for sets marked destroy = false", n, route)
		}
	}
	return nil
}

// noneDeletedInTheFake fails when the local Zuora deleted a set.
func noneDeletedInTheFake(env *testEnv) error {
	if st := env.fake.Stats(); st.Deleted != 0 {
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

// TestAccSequenceSet_destroyFalse marks the built-in DEFAULT set, adopted
// by an import as the tenant holds it, and a set of the test's own with
// lifecycle { destroy = false }. Destroying the configuration forgets both:
// they leave the state, no DELETE is sent, and both stay in Zuora as last
// applied (the test's own set is then deleted through the API). Live too:
// DEFAULT is configured as it is, so nothing is written to it.
func TestAccSequenceSet_destroyFalse(t *testing.T) {
	env := newTestEnv(t)
	builtIn, dflt := tenantDefault(env)
	own := env.unique(setSpec{name: "US", invoice: num{"USINV", 1}, creditMemo: num{"USCM", 1}, debitMemo: num{"USDM", 1}})
	env.deleteAtEnd(own.name)
	// The same specs under their own addresses.
	ownHCL := strings.Replace(withKeepOnDestroy(own.hcl()), `"test"`, `"us"`, 1)
	defaultHCL := strings.Replace(withKeepOnDestroy(dflt.hcl()), `"test"`, `"default"`, 1)
	config := env.providerBlock() + "import {\n  to = zuora_sequence_set.default\n  id = \"DEFAULT\"\n}\n" + defaultHCL + ownHCL

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
			if got := env.mustSetByName("DEFAULT"); got.ID != builtIn.ID {
				return fmt.Errorf("DEFAULT is now %s, was %s", got.ID, builtIn.ID)
			}
			if err := env.holds(dflt)(s); err != nil {
				return err
			}
			return env.holds(own)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					// Only the test's own set was written: DEFAULT is as it was.
					if st := env.sent.stats(); st.Writes != 1 || st.ByRoute["POST "+sequenceSetsAPIPath] != 1 {
						return fmt.Errorf("the apply sent %v, want one POST (the new set) and no write to DEFAULT", st.ByRoute)
					}
					return nil
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

// TestAccSequenceSet_destroyFalseAssigned: a set that customer accounts are
// assigned to (which Zuora refuses to delete; assigning takes the local
// Zuora's control API), marked destroy = false, leaves the state on
// destroy, with no DELETE sent or done, and stays in Zuora.
func TestAccSequenceSet_destroyFalseAssigned(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	assigned := setSpec{name: "US", invoice: num{"USINV", 1}, creditMemo: num{"USCM", 1}, debitMemo: num{"USDM", 1}}
	config := env.providerBlock() + strings.Replace(withKeepOnDestroy(assigned.hcl()), `"test"`, `"us"`, 1)

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
			if err := noneDeletedInTheFake(env); err != nil {
				return err
			}
			return env.holds(assigned)(s)
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
				Config:  config,
				Destroy: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectForget{"zuora_sequence_set.us"}},
				},
			},
		},
	})
}

// TestAccExamples_keepOnDestroy runs examples/keep-on-destroy as a user
// would: apply adopts DEFAULT and creates a set, and destroy leaves both in
// Zuora and none in the state. Live too: the example's DEFAULT block is
// given the tenant's own numbering (the local Zuora's is the example's), so
// adopting it writes nothing, and its US set this test's name and prefixes.
// (Customer accounts assigned to the set: TestAccSequenceSet_destroyFalseAssigned.)
func TestAccExamples_keepOnDestroy(t *testing.T) {
	env := newTestEnv(t)
	dir := copyDir(t, filepath.Join(examplesDir, "keep-on-destroy"))
	builtIn, dflt := tenantDefault(env)
	us := env.unique(setSpec{name: "US", invoice: num{"USINV", 1}, creditMemo: num{"USCM", 1}, debitMemo: num{"USDM", 1}})
	keepOnDestroyFor(t, filepath.Join(dir, "main.tf"), dflt, us)
	env.deleteAtEnd(us.name)
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.16.0") // lifecycle { destroy = false }

	out := cli.run("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "1 imported, 1 added, 0 changed, 0 destroyed") {
		t.Fatalf("the apply did not import DEFAULT and create one set:\n%s", out)
	}
	if st := env.sent.stats(); st.Writes != 1 || st.ByRoute["POST "+sequenceSetsAPIPath] != 1 {
		t.Fatalf("the apply sent %v, want one POST (US) and no write to DEFAULT", st.ByRoute)
	}
	if err := env.holds(us)(nil); err != nil {
		t.Fatalf("the example's US set is not in Zuora as configured: %v", err)
	}
	cli.planIsEmpty()

	out = cli.run("destroy", "-auto-approve", "-no-color")
	if got := stateAddresses(cli); len(got) != 0 {
		t.Fatalf("destroy left %v in state:\n%s", got, out)
	}
	if err := noDeleteSent(env); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := env.mustSetByName("DEFAULT"); got.ID != builtIn.ID {
		t.Fatalf("DEFAULT is now %s, was %s", got.ID, builtIn.ID)
	}
	for _, spec := range []setSpec{dflt, us} {
		if err := env.holds(spec)(nil); err != nil {
			t.Fatalf("after destroy: %v\n%s", err, out)
		}
	}
}

// keepOnDestroyFor rewrites the example's main.tf: the DEFAULT block's
// numbering becomes dflt's, the US set becomes us.
func keepOnDestroyFor(t *testing.T, file string, dflt, us setSpec) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	numbering := regexp.MustCompile(`(?m)^  (invoice|credit_memo|debit_memo|payment|refund) +=.*\n`)
	blockOf := func(addr string) (int, int) {
		start := strings.Index(string(b), `resource "zuora_sequence_set" "`+addr+`" {`)
		end := strings.Index(string(b[max(start, 0):]), "\n}\n")
		if start < 0 || end < 0 || len(numbering.FindAllIndex(b[start:start+end], -1)) < 3 {
			t.Fatalf("examples/keep-on-destroy/main.tf has no zuora_sequence_set.%s block with its numbering, which this test rewrites:\n%s", addr, b)
		}
		return start, start + end
	}
	rewrite := func(addr string, spec setSpec) {
		start, end := blockOf(addr)
		block := string(b[start:end])
		// The numbering lines go, the spec's come in their place.
		first := numbering.FindStringIndex(block)[0]
		lines := ""
		for _, c := range []struct {
			attr string
			n    num
		}{{"invoice", spec.invoice}, {"credit_memo", spec.creditMemo}, {"debit_memo", spec.debitMemo}, {"payment", spec.pay}, {"refund", spec.ref}} {
			if c.n.prefix != "" {
				lines += fmt.Sprintf("  %s = { prefix = %q, start_number = %d }\n", c.attr, c.n.prefix, c.n.start)
			}
		}
		block = block[:first] + lines + numbering.ReplaceAllString(block[first:], "")
		block = regexp.MustCompile(`(?m)^  name += ".*"$`).ReplaceAllString(block, fmt.Sprintf("  name = %q", spec.name))
		b = append(append(append([]byte{}, b[:start]...), block...), b[end:]...)
	}
	rewrite("default", dflt)
	rewrite("us", us)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
