package provider

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

const examplesDir = "../../examples"

// exampleDirs lists every directory under examples/ that holds .tf files
// git tracks (not what running a recipe there wrote).
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	for _, f := range trackedFiles(t, examplesDir) {
		if strings.HasSuffix(f, ".tf") {
			if dir := filepath.Join(examplesDir, filepath.Dir(f)); !slices.Contains(dirs, dir) {
				dirs = append(dirs, dir)
			}
		}
	}
	if len(dirs) < 6 {
		t.Fatalf("found only %d example directories: %v", len(dirs), dirs)
	}
	return dirs
}

// newerFeatureFiles are example files that need a newer client than the
// oldest one tested, with the version that brought their feature.
var newerFeatureFiles = map[string]string{
	"import-by-identity.tf": "1.12.0", // import { identity = ... }
}

// TestAccExamples_formattedAndValid checks every example the docs show:
// terraform fmt finds nothing to change and terraform validate passes.
func TestAccExamples_formattedAndValid(t *testing.T) {
	env := newTestEnv(t)
	for _, dir := range exampleDirs(t) {
		name, _ := filepath.Rel(examplesDir, dir)
		t.Run(name, func(t *testing.T) {
			work := copyDir(t, dir)
			cli := newTerraformCLI(t, env, work)
			addSourceIfMissing(t, work)
			if out, err := cli.try("fmt", "-check", "-diff", "-no-color"); err != nil {
				t.Fatalf("examples/%s is not formatted (run terraform fmt -recursive examples): %v\n%s", name, err, out)
			}
			switch name {
			case filepath.Join("bulk-import", "manage"):
				cli.requireVersion("1.7.0") // import blocks with for_each
			case "module-testing":
				cli.requireVersion("1.6.0") // terraform test
			case "keep-on-destroy", filepath.Join("yearly-rollover", "new-set"):
				cli.requireVersion("1.16.0") // lifecycle { destroy = false }
			case filepath.Join("yearly-rollover", "forget-before-1.16"):
				cli.requireVersion("1.7.0") // removed blocks
			}
			// A file showing a newer client's feature is validated where
			// that feature exists, the rest of its directory everywhere.
			for file, minimum := range newerFeatureFiles {
				if _, err := os.Stat(filepath.Join(work, file)); err == nil && !cli.atLeast(minimum) {
					if err := os.Remove(filepath.Join(work, file)); err != nil {
						t.Fatal(err)
					}
				}
			}
			cli.run("validate", "-no-color")
		})
	}
	if n := env.apiCalls(); n != 0 {
		t.Fatalf("validating the examples sent %d requests to Zuora, want 0", n)
	}
}

// addSourceIfMissing gives a snippet (the docs show resources without a
// terraform block) the provider's source address, as a user's module has.
func addSourceIfMissing(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "required_providers") {
			return
		}
	}
	block := "terraform {\n  required_providers {\n    zuora = { source = \"terraform-zuora/zuora\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "zz_required_providers.tf"), []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

// demoCopy copies examples/demo for env: its regions (NA, EMEA, APAC) and
// codes (US, EU, AP) become the test's names and prefixes, in its variables
// and in next-year.tfvars alike.
func demoCopy(t *testing.T, env *testEnv) string {
	t.Helper()
	dir := copyDir(t, filepath.Join(examplesDir, "demo"))
	region := regexp.MustCompile(`(?m)^(\s*)(NA|EMEA|APAC)(\s*)= \{ code = "(US|EU|AP)"`)
	for _, file := range []string{"variables.tf", "next-year.tfvars"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		out := region.ReplaceAllStringFunc(string(b), func(m string) string {
			g := region.FindStringSubmatch(m)
			return fmt.Sprintf(`%s%q%s= { code = %q`, g[1], env.name(g[2]), g[3], env.prefix(g[4]))
		})
		if strings.Count(out, env.namePrefix) != 3 {
			t.Fatalf("examples/demo/%s does not name the three regions as this test expects:\n%s", file, b)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestAccExamples_demo runs examples/demo as make demo does: apply, an empty
// second plan, the next-year change as one in-place update, and destroy,
// under this test's names and prefixes (demoCopy).
func TestAccExamples_demo(t *testing.T) {
	env := newTestEnv(t)
	dir := demoCopy(t, env)
	emeaName, euInvoice := env.name("EMEA"), env.prefix("EU")+"INV"
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()

	out := cli.run("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "3 added, 0 changed, 0 destroyed") {
		t.Fatalf("the demo apply did not create three sets:\n%s", out)
	}
	emea, err := env.setByName(emeaName)
	if err != nil || emea.Invoice.Prefix != euInvoice || emea.Refund == nil || emea.Refund.Prefix != env.prefix("EU")+"REF-" {
		t.Fatalf("Zuora does not hold the EMEA set as configured: %+v (%v)", emea, err)
	}
	if got, want := cli.run("output", "-json", "invoice_numbering"), fmt.Sprintf(`%q:"%s00002000"`, emeaName, euInvoice); !strings.Contains(got, want) {
		t.Fatalf("output invoice_numbering = %s, want %s in it", got, want)
	}
	cli.planIsEmpty()

	out = cli.run("apply", "-auto-approve", "-no-color", "-var-file=next-year.tfvars")
	if !strings.Contains(out, fmt.Sprintf(`zuora_sequence_set.region[%q] will be updated in-place`, emeaName)) ||
		!strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
		t.Fatalf("next-year.tfvars is not one in-place update:\n%s", out)
	}
	if emea, err = env.setByName(emeaName); err != nil || emea.Invoice.StartNumber != 5000 {
		t.Fatalf("EMEA invoice start number in Zuora = %d, want 5000 (%v)", emea.Invoice.StartNumber, err)
	}

	out = cli.run("destroy", "-auto-approve", "-no-color", "-var-file=next-year.tfvars")
	if !strings.Contains(out, "3 destroyed") {
		t.Fatalf("the demo destroy did not remove three sets:\n%s", out)
	}
	if err := env.noSetsLeft(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(examplesDir, "demo", "terraform.tfstate")); err == nil {
		t.Fatal("the test wrote state into examples/demo")
	}
}

// TestAccExamples_moduleTesting runs the module example's own terraform
// test, as its README tells a pipeline to: every run passes, the sets were
// created and updated in place, and the test cleaned up after itself. The
// module's names (REGION-<code>) and prefixes get this test's prefixes
// first, in the module and in its test's assertion alike.
func TestAccExamples_moduleTesting(t *testing.T) {
	env := newTestEnv(t)
	dir := copyModuleTesting(t)
	rewrite := func(file string, replacements ...string) {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for i := 0; i < len(replacements); i += 2 {
			if !strings.Contains(out, replacements[i]) {
				t.Fatalf("%s no longer holds %s, which this test rewrites:\n%s", file, replacements[i], b)
			}
			out = strings.ReplaceAll(out, replacements[i], replacements[i+1])
		}
		if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rewrite(filepath.Join(dir, "main.tf"), `"REGION-${each.key}"`, `"`+env.namePrefix+`-${each.key}"`,
		`prefix = "`, `prefix = "`+env.prefixBase)
	tests := filepath.Join(dir, "tests")
	rewrite(filepath.Join(tests, "regions.tftest.hcl"), `== "INV-EU"`, `== "`+env.prefixBase+`INV-EU"`)
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.6.0") // terraform test
	// No init: the provider comes from dev_overrides (Terraform before 1.12
	// would ask the registry for it in init).
	out := cli.run("test", "-no-color")
	if !strings.Contains(out, "3 passed, 0 failed") {
		t.Fatalf("terraform test did not pass its 3 runs:\n%s", out)
	}
	st := env.sent.stats()
	created, updated, deleted := st.ByRoute["POST "+sequenceSetsAPIPath], st.ByRoute["PUT "+sequenceSetsAPIPath+"/{id}"], st.ByRoute["DELETE "+sequenceSetsAPIPath+"/{id}"]
	if created != 2 || updated != 2 || deleted != 2 {
		t.Fatalf("the test created %d, updated %d and deleted %d sets; want 2 of each", created, updated, deleted)
	}
	if err := env.noSetsLeft(nil); err != nil {
		t.Fatal(err)
	}
}

// copyModuleTesting copies examples/module-testing, its tests included.
func copyModuleTesting(t *testing.T) string {
	t.Helper()
	dir := copyDir(t, filepath.Join(examplesDir, "module-testing"))
	if files, err := filepath.Glob(filepath.Join(dir, "tests", "*.tftest.hcl")); err != nil || len(files) == 0 {
		t.Fatalf("no test files in examples/module-testing/tests: %v", err)
	}
	return dir
}

// TestAccExamples_moduleTestingScript runs examples/module-testing's
// run-tests.sh twice in a row, as a pipeline (or a user trying it twice)
// does: it starts zuorafake as a process of its own, built with go build,
// runs the module's terraform test against it, and stops it. Each run
// passes, and each run's server is gone when the script ends.
func TestAccExamples_moduleTestingScript(t *testing.T) {
	env := newTestEnv(t) // the script brings its own Zuora: live, the tenant must see nothing
	dir := copyModuleTesting(t)
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.6.0") // terraform test
	fake := filepath.Join(t.TempDir(), "zuorafake")
	if out, err := exec.Command("go", "build", "-o", fake, "../../cmd/zuorafake").CombinedOutput(); err != nil {
		t.Fatalf("go build zuorafake: %v\n%s", err, out)
	}
	started := regexp.MustCompile(`Local Zuora at (http://127\.0\.0\.1:\d+) \(pid \d+\)`)
	for run := 1; run <= 2; run++ {
		cmd := exec.Command("bash", filepath.Join(dir, "run-tests.sh"))
		// The provider comes from the test binary through dev_overrides:
		// no init (Terraform before 1.12 would ask the registry in init).
		cmd.Env = append(slices.Clone(cli.env), "ZUORAFAKE="+fake, "TERRAFORM="+cli.bin, "SKIP_INIT=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "3 passed, 0 failed") {
			t.Fatalf("run %d of run-tests.sh: %v\n%s", run, err, out)
		}
		m := started.FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("run %d did not say where its local Zuora was:\n%s", run, out)
		}
		if m[1] == env.url {
			t.Fatalf("run %d tested against the test's own Zuora, not a zuorafake process", run)
		}
		// As the provider's own client recorded: every request went to
		// the script's zuorafake.
		sent := env.sent.all()
		if len(sent) == 0 {
			t.Fatalf("run %d: no request was recorded", run)
		}
		for _, req := range sent {
			if req.Host != m[1] {
				t.Fatalf("run %d sent %s to %s, not to its zuorafake at %s", run, req.Route, req.Host, m[1])
			}
		}
		env.sent.reset()
		if resp, err := http.Get(m[1] + "/_fake/stats"); err == nil {
			resp.Body.Close()
			t.Fatalf("run %d left its zuorafake serving at %s", run, m[1])
		}
	}
}

// TestAccExamples_driftCheck runs the CI guide's drift check
// (examples/ci/drift-check.sh) on examples/demo, with an output of the
// sets data source beside it: exit 0 while Zuora matches; 3, not drift,
// when a set created outside Terraform changes only that output; 2 with
// the plan once a managed set is changed or deleted outside Terraform
// (through the API, so live too); 1 when the plan fails.
func TestAccExamples_driftCheck(t *testing.T) {
	env := newTestEnv(t)
	dir := demoCopy(t, env)
	// What the guide suggests for noticing sets created outside
	// Terraform: an output of the sets data source (this test's sets only,
	// live).
	unmanaged := fmt.Sprintf(`data "zuora_sequence_sets" "all" {
  depends_on = [zuora_sequence_set.region] # read after the apply creates them
}

output "set_names" {
  value = sort([for s in data.zuora_sequence_sets.all.sequence_sets : s.name if startswith(s.name, %q)])
}
`, env.namePrefix)
	if err := os.WriteFile(filepath.Join(dir, "unmanaged.tf"), []byte(unmanaged), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	script, err := filepath.Abs(filepath.Join(examplesDir, "ci", "drift-check.sh"))
	if err != nil {
		t.Fatal(err)
	}
	// The script runs "terraform": the client under test, first on PATH.
	bin := t.TempDir()
	if err := os.Symlink(cli.bin, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	check := func() (int, string) {
		t.Helper()
		cmd := exec.Command("bash", script)
		cmd.Dir = dir
		cmd.Env = append(slices.Clone(cli.env), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, string(out)
		case errors.As(err, &exit):
			return exit.ExitCode(), string(out)
		}
		t.Fatalf("drift-check.sh: %v\n%s", err, out)
		return 0, ""
	}

	if code, out := check(); code != 0 || !strings.Contains(out, "No drift") {
		t.Fatalf("drift check right after apply: exit %d\n%s", code, out)
	}
	// A set created outside Terraform is in no state: no managed set
	// drifted, only the output that lists the sets changes.
	other := env.createSet(env.unique(setSpec{name: "OTHER", invoice: num{"OTI", 1}, creditMemo: num{"OTC", 1}, debitMemo: num{"OTD", 1}}))
	if code, out := check(); code != 3 || !strings.Contains(out, "No managed set drifted, but 1 output(s) would change") ||
		!strings.Contains(out, other.Name) || strings.Contains(out, "Drift:") {
		t.Fatalf("drift check after a set was created outside Terraform: exit %d, want 3 (outputs only)\n%s", code, out)
	}
	emea, drifted := env.name("EMEA"), int64(9000)
	env.updateSet(emea, zuora.SequenceSetPatch{Invoice: &zuora.NumberingPatch{StartNumber: &drifted}})
	if code, out := check(); code != 2 || !strings.Contains(out, "Drift: 1 managed set(s) differ") ||
		!strings.Contains(out, fmt.Sprintf(`zuora_sequence_set.region[%q] will be updated in-place`, emea)) || !strings.Contains(out, "9000") {
		t.Fatalf("drift check after a change in Zuora: exit %d\n%s", code, out)
	}
	apac := env.name("APAC")
	env.deleteSet(apac)
	if code, out := check(); code != 2 || !strings.Contains(out, fmt.Sprintf(`zuora_sequence_set.region[%q] will be created`, apac)) {
		t.Fatalf("drift check after a deletion in Zuora: exit %d\n%s", code, out)
	}
	// A plan that fails is an error, not drift (exec keeps the last of a
	// variable set twice).
	good := slices.Clone(cli.env)
	cli.env = append(cli.env, envClientSecret+"=wrong")
	if code, out := check(); code != 1 || !strings.Contains(out, "drift check failed") {
		t.Fatalf("drift check with a bad secret: exit %d\n%s", code, out)
	}
	cli.env = good // for destroyAtEnd
}

// TestAccExamples_mirror follows the README's install from this repository:
// make mirror's script builds the provider into a filesystem mirror and
// writes a CLI configuration, with which terraform init installs it under
// its version and an apply reaches Zuora.
func TestAccExamples_mirror(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	set := env.unique(setSpec{name: "X", invoice: num{"XI", 1}, creditMemo: num{"XC", 1}, debitMemo: num{"XD", 1}})
	mirror := t.TempDir()
	if out, err := exec.Command("bash", "../../scripts/mirror.sh", mirror, "0.1.0").CombinedOutput(); err != nil {
		t.Fatalf("mirror.sh: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "export TF_CLI_CONFIG_FILE="+filepath.Join(mirror, "terraformrc")) {
		t.Fatalf("mirror.sh does not say which CLI configuration to use:\n%s", out)
	}
	cli.env = append(cli.env, "TF_CLI_CONFIG_FILE="+filepath.Join(mirror, "terraformrc"))
	config := `terraform {
  required_providers {
    zuora = {
      source  = "terraform-zuora/zuora"
      version = "~> 0.1"
    }
  }
}

provider "zuora" {}
` + set.hcl()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := cli.run("init", "-no-color"); !strings.Contains(out, "Installed terraform-zuora/zuora v0.1.0") {
		t.Fatalf("init did not install 0.1.0 from the mirror:\n%s", out)
	}
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	if err := env.holds(set)(nil); err != nil {
		t.Fatalf("the provider installed from the mirror did not create the set: %v", err)
	}
}
