package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const bulkImportExample = "../../examples/bulk-import"

// seedTenant creates n sets through the API, as someone outside Terraform
// would, more than one page of the list endpoint; every third one has no
// payment or refund numbering of its own. It returns the names of every
// set the tenant then holds, DEFAULT and any other's included: the recipe
// adopts them all. (The tests using it run alone, not in parallel, so that
// no other test's sets come and go meanwhile.)
func seedTenant(env *testEnv, n int) []string {
	for i := 1; i <= n; i++ {
		set := setSpec{
			name:       fmt.Sprintf("BRAND-%02d", i),
			invoice:    num{fmt.Sprintf("B%02dI", i), int64(i)},
			creditMemo: num{fmt.Sprintf("B%02dC", i), int64(100 + i)},
			debitMemo:  num{fmt.Sprintf("B%02dD", i), 1},
		}
		if i%3 != 0 {
			set.pay = num{fmt.Sprintf("B%02dP-", i), 7}
			set.ref = num{fmt.Sprintf("B%02dR-", i), 9}
		}
		env.createSet(env.unique(set))
	}
	var names []string
	for _, s := range env.allSets() {
		names = append(names, s.Name)
	}
	return names
}

// discover runs step 1 of the recipe and returns its two outputs.
func discover(t *testing.T, env *testEnv) (tfvars, importBlocks string) {
	t.Helper()
	cli := newTerraformCLI(t, env, copyDir(t, filepath.Join(bulkImportExample, "discover")))
	cli.run("apply", "-auto-approve", "-no-color")
	return cli.run("output", "-raw", "tfvars"), cli.run("output", "-raw", "import_blocks")
}

// assertNothingWritten checks that adopting the sets changed nothing in Zuora.
func assertNothingWritten(t *testing.T, env *testEnv) {
	t.Helper()
	if err := env.noWritesSent("importing"); err != nil {
		t.Fatal(err)
	}
}

// stateAddresses lists the resources in the working directory's state.
func stateAddresses(cli *terraformCLI) []string {
	return strings.Fields(cli.run("state", "list"))
}

// TestAccBulkImport_forEach runs the documented recipe end to end: step 1
// lists the tenant's sets into a variables file, step 2 imports every one
// with an import block using for_each, and the next plan is empty.
func TestAccBulkImport_forEach(t *testing.T) {
	env := newTestEnv(t)
	names := seedTenant(env, 45)

	tfvars, _ := discover(t, env)
	manage := newTerraformCLI(t, env, copyDir(t, filepath.Join(bulkImportExample, "manage")))
	manage.requireVersion("1.7.0")
	if err := os.WriteFile(filepath.Join(manage.dir, "sequence_sets.auto.tfvars.json"), []byte(tfvars), 0o600); err != nil {
		t.Fatal(err)
	}

	plan := manage.run("plan", "-no-color")
	want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(names))
	if !strings.Contains(plan, want) {
		t.Fatalf("the import plan does not say %q:\n%s", want, plan)
	}
	manage.run("apply", "-auto-approve", "-no-color")
	manage.planIsEmpty()
	assertNothingWritten(t, env)

	got := stateAddresses(manage)
	if len(got) != len(names) {
		t.Fatalf("state holds %d resources, want %d: %v", len(got), len(names), got)
	}
	for _, name := range names {
		addr := fmt.Sprintf("zuora_sequence_set.this[%q]", name)
		if !slices.Contains(got, addr) {
			t.Fatalf("%s is not in state: %v", addr, got)
		}
	}

	// The variables file is now the source of truth: a change in it is an
	// in-place update of that one set.
	b07 := env.prefix("B07I")
	edited := strings.Replace(tfvars, fmt.Sprintf(`"prefix":%q,"start_number":7`, b07), fmt.Sprintf(`"prefix":%q,"start_number":70`, b07), 1)
	if edited == tfvars {
		t.Fatalf("the tfvars do not hold BRAND-07's invoice numbering as expected:\n%s", tfvars)
	}
	if err := os.WriteFile(filepath.Join(manage.dir, "sequence_sets.auto.tfvars.json"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	plan = manage.run("plan", "-no-color")
	if !strings.Contains(plan, fmt.Sprintf(`zuora_sequence_set.this[%q] will be updated in-place`, env.name("BRAND-07"))) ||
		!strings.Contains(plan, "0 to add, 1 to change, 0 to destroy") {
		t.Fatalf("editing the variables file does not plan one in-place update:\n%s", plan)
	}
}

// TestAccBulkImport_generateConfig runs the alternative: import blocks from
// step 1 and terraform plan -generate-config-out. The generated file must be
// valid as written and match Zuora exactly.
func TestAccBulkImport_generateConfig(t *testing.T) {
	env := newTestEnv(t)
	names := seedTenant(env, 5)

	_, imports := discover(t, env)
	gen := newTerraformCLI(t, env, copyDir(t, filepath.Join(bulkImportExample, "manage-generated")))
	gen.requireVersion("1.5.0")
	if err := os.WriteFile(filepath.Join(gen.dir, "imports.tf"), []byte(imports), 0o600); err != nil {
		t.Fatal(err)
	}

	plan := gen.run("plan", "-no-color", "-generate-config-out=generated.tf")
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(names)); !strings.Contains(plan, want) {
		t.Fatalf("the plan does not say %q:\n%s", want, plan)
	}
	generated, err := os.ReadFile(filepath.Join(gen.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !regexp.MustCompile(`(?m)^\s*name\s*=\s*"` + regexp.QuoteMeta(name) + `"$`).Match(generated) {
			t.Fatalf("generated.tf has no set named %s:\n%s", name, generated)
		}
	}
	if strings.Contains(string(generated), " id ") || strings.Contains(string(generated), "\n  id") {
		t.Fatalf("generated.tf sets the computed id, which the schema rejects:\n%s", generated)
	}

	gen.run("validate", "-no-color")
	gen.run("apply", "-auto-approve", "-no-color")
	gen.planIsEmpty()
	assertNothingWritten(t, env)
	brand01 := "zuora_sequence_set." + strings.ToLower(strings.ReplaceAll(env.name("BRAND-01"), "-", "_"))
	if got := stateAddresses(gen); len(got) != len(names) || !slices.Contains(got, brand01) {
		t.Fatalf("state after the import: %v", got)
	}
}
