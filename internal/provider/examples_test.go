package provider

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const examplesDir = "../../examples"

// exampleDirs lists every directory under examples/ that holds .tf files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tf") {
			if dir := filepath.Dir(p); len(dirs) == 0 || dirs[len(dirs)-1] != dir {
				dirs = append(dirs, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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

// TestAccExamples_demo runs examples/demo as make demo does: apply, an empty
// second plan, the next-year change as one in-place update, and destroy.
// Its regions (NA, EMEA, APAC) and codes (US, EU, AP) become this test's
// names and prefixes, in its variables and in next-year.tfvars alike.
func TestAccExamples_demo(t *testing.T) {
	env := newTestEnv(t)
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
	src := filepath.Join(examplesDir, "module-testing")
	dir := copyDir(t, src)
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
	if err := os.Mkdir(tests, 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(src, "tests", "*.tftest.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s/tests: %v", src, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tests, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
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
