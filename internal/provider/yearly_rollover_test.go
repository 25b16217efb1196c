package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The yearly-rollover guide (templates/guides/yearly-rollover.md.tmpl),
// run step by step on its examples (examples/yearly-rollover).

const rolloverExample = examplesDir + "/yearly-rollover"

// TestAccExamples_yearlyRolloverInPlace: the in-place recipe. A year whose
// sets started at 500 rolls over to new prefixes from 1: one in-place
// update per set, and the plan carries no warning of a lowered start
// number. Nothing is created or deleted, and the next plan is empty.
func TestAccExamples_yearlyRolloverInPlace(t *testing.T) {
	env := newTestEnv(t)
	dir := copyDir(t, filepath.Join(rolloverExample, "in-place"))
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	na, emea := env.name("NA"), env.name("EMEA")
	us, eu := env.prefix("U"), env.prefix("E")
	writeFile(t, filepath.Join(dir, "terraform.tfvars"), fmt.Sprintf("regions = {\n  %q = %q\n  %q = %q\n}\n", na, us, emea, eu))

	cli.run("apply", "-auto-approve", "-no-color", "-var", "fiscal_year=25", "-var", "start_number=500")
	for _, s := range []setSpec{rolledSpec(na, us, "25", 500), rolledSpec(emea, eu, "25", 500)} {
		if err := env.holds(s)(nil); err != nil {
			t.Fatal(err)
		}
	}

	env.sent.reset()
	out := flat(cli.run("plan", "-no-color", "-var", "fiscal_year=26"))
	if strings.Contains(out, "Start number lowered") || !strings.Contains(out, "0 to add, 2 to change, 0 to destroy") {
		t.Fatalf("the rollover's plan is not two in-place updates without a false warning:\n%s", out)
	}
	out = cli.run("apply", "-auto-approve", "-no-color", "-var", "fiscal_year=26")
	if strings.Contains(out, "Start number lowered") {
		t.Fatalf("the rollover's apply warns of a lowered start number:\n%s", out)
	}
	if st := env.sent.stats(); st.ByRoute["POST "+sequenceSetsAPIPath] != 0 || st.ByRoute["DELETE "+sequenceSetsAPIPath+"/{id}"] != 0 {
		t.Fatalf("the rollover created or deleted sets: %v", st.ByRoute)
	}
	for _, s := range []setSpec{rolledSpec(na, us, "26", 1), rolledSpec(emea, eu, "26", 1)} {
		if err := env.holds(s)(nil); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cli.try("plan", "-detailed-exitcode", "-no-color", "-var", "fiscal_year=26")
	if err != nil {
		t.Fatalf("the plan after the rollover is not empty: %v\n%s", err, out)
	}
}

// rolledSpec is a set of the in-place recipe in a fiscal year.
func rolledSpec(name, code, year string, start int64) setSpec {
	p := code + year
	return setSpec{name: name, invoice: num{p + "INV", start}, creditMemo: num{p + "CM", start}, debitMemo: num{p + "DM", start},
		pay: num{p + "PAY-", start}, ref: num{p + "REF-", start}}
}

// TestAccExamples_yearlyRolloverNewSet: the new-set-per-year recipe. Last
// year's set exists; the new year's file creates the new set without a
// warning; forgetting the old year's set (Terraform 1.16+: a targeted
// destroy, which its destroy = false makes a forget, then its file goes;
// before, from 1.7: the file becomes forget-before-1.16's removed block)
// forgets the old set: no DELETE is sent and Zuora keeps it. (Deleting
// the file alone on 1.16 plans a destroy: destroy = false holds only while
// the block is in the configuration.)
func TestAccExamples_yearlyRolloverNewSet(t *testing.T) {
	env := newTestEnv(t)
	dir := copyDir(t, filepath.Join(rolloverExample, "new-set"))
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.7.0") // removed blocks
	modern := cli.atLeast("1.16.0")
	if !modern {
		// Older clients refuse lifecycle { destroy = false } in a resource
		// block: the guide's recipe for them leaves it out.
		destroyFalse := regexp.MustCompile(`(?s)\n  lifecycle \{\n    destroy = false\n  \}\n`)
		for _, f := range []string{"main.tf", "fy2025.tf", "fy2026.tf"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			b = destroyFalse.ReplaceAll(b, nil)
			b = []byte(strings.Replace(string(b), `required_version = ">= 1.16"`, `required_version = ">= 1.7"`, 1))
			writeFile(t, filepath.Join(dir, f), string(b))
		}
	}
	fy25, fy26, region := env.name("FY25"), env.name("FY26"), env.prefix("U")
	env.deleteAtEnd(fy25)
	env.deleteAtEnd(fy26)
	writeFile(t, filepath.Join(dir, "terraform.tfvars"), fmt.Sprintf("region = %q\nset_names = {\n  fy2025 = %q\n  fy2026 = %q\n}\n", region, fy25, fy26))
	newYear, err := os.ReadFile(filepath.Join(dir, "fy2026.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "fy2026.tf")); err != nil {
		t.Fatal(err)
	}
	cli.run("apply", "-auto-approve", "-no-color") // last year: fy2025 alone

	// The new year's file: one set to add, no warning.
	writeFile(t, filepath.Join(dir, "fy2026.tf"), string(newYear))
	out := flat(cli.run("plan", "-no-color"))
	if strings.Contains(out, "Warning: Start number") || strings.Contains(out, "Reserved") || !strings.Contains(out, "1 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the new year's plan:\n%s", out)
	}
	cli.run("apply", "-auto-approve", "-no-color")

	// Accounts move to the new set outside Terraform; then Terraform
	// forgets the old year's set: 1.16+ by a targeted destroy, which its
	// destroy = false turns into a forget, and the file goes; before, the
	// file becomes the removed block.
	env.sent.reset()
	if modern {
		out = cli.run("destroy", "-auto-approve", "-no-color", "-target=zuora_sequence_set.fy2025")
		if err := noDeleteSent(env); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if err := os.Remove(filepath.Join(dir, "fy2025.tf")); err != nil {
			t.Fatal(err)
		}
	} else {
		b, err := os.ReadFile(filepath.Join(rolloverExample, "forget-before-1.16", "fy2025.tf"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "fy2025.tf"), string(b))
	}
	out = cli.run("apply", "-auto-approve", "-no-color")
	if got := stateAddresses(cli); len(got) != 1 || got[0] != "zuora_sequence_set.fy2026" {
		t.Fatalf("after forgetting fy2025 the state holds %v:\n%s", got, out)
	}
	if err := noDeleteSent(env); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, s := range []setSpec{rolledSpec(fy25, region, "25", 1), rolledSpec(fy26, region, "26", 1)} {
		if err := env.holds(s)(nil); err != nil {
			t.Fatalf("after forgetting fy2025: %v", err)
		}
	}
}

// writeFile writes content to file.
func writeFile(t *testing.T, file, content string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
