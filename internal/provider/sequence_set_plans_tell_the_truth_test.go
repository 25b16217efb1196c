package provider

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Plans that pass and applies that fail, or warnings that lie (issue 25,
// cases 5 to 10): each test runs the real CLI against the local Zuora, or
// the tenant.

// TestAccInherited_startNumberUnderInheritedPrefixRefused (case 5): in the
// inherited read mode a set created without payment shows DEFAULT's P-;
// a configuration naming P- with another start number would send the start
// number alone, which Zuora refuses (payment.prefix is required). The plan
// refuses it, naming the set and saying to give it a prefix of its own,
// before anything is sent; the same prefix with the start number shown
// plans no change.
func TestAccInherited_startNumberUnderInheritedPrefixRefused(t *testing.T) {
	env := newLocalTestEnvAsIs(t, zuorafake.Options{ReadShowsInheritedPaymentRefund: true})
	spec := env.unique(fullSet())
	spec.pay, spec.ref = num{}, num{}
	inherited := spec
	inherited.pay = num{"P-", 1}
	moved := spec
	moved.pay = num{"P-", 5}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{Config: env.providerBlock() + spec.hcl()},
			{
				Config:           env.providerBlock() + inherited.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: env.sent.reset,
				Config:    env.providerBlock() + moved.hcl(),
				ExpectError: errRe("Reserved prefix", "Sequence set "+spec.name, `payment.prefix "P-"`,
					"Give the set a payment prefix of its own"),
			},
			{
				PreConfig: func() {
					if st := env.sent.stats(); st.Writes != 0 {
						t.Fatalf("the refused change was sent: %v", st.ByRoute)
					}
				},
				Config: env.providerBlock() + spec.hcl(),
				Check:  env.holds(spec),
			},
		},
	})
}

// TestAccPlanWarnings_rolloverDrawsNoLoweredWarning (case 7): the yearly
// rollover, every prefix new and starting again at 1, plans an update
// with no "Start number lowered" warning; lowering a start number under
// the same prefix still warns.
func TestAccPlanWarnings_rolloverDrawsNoLoweredWarning(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	year25 := env.unique(setSpec{name: "ROT", invoice: num{"R25I", 500}, creditMemo: num{"R25C", 500}, debitMemo: num{"R25D", 500},
		pay: num{"R25P-", 500}, ref: num{"R25R-", 500}})
	writeConfig(t, dir, providerConfig()+year25.hcl())
	cli.run("apply", "-auto-approve", "-no-color")

	year26 := env.unique(setSpec{name: "ROT", invoice: num{"R26I", 1}, creditMemo: num{"R26C", 1}, debitMemo: num{"R26D", 1},
		pay: num{"R26P-", 1}, ref: num{"R26R-", 1}})
	writeConfig(t, dir, providerConfig()+year26.hcl())
	out := flat(cli.run("plan", "-no-color"))
	if strings.Contains(out, "Start number lowered") || !strings.Contains(out, "1 to change") {
		t.Fatalf("the rollover's plan warns, or is not one update:\n%s", out)
	}

	lowered := year25
	lowered.invoice.start = 100
	writeConfig(t, dir, providerConfig()+lowered.hcl())
	if out := flat(cli.run("plan", "-no-color")); !strings.Contains(out, "Warning: Start number lowered") ||
		!strings.Contains(out, "invoice.start_number goes from 500 down to 100") {
		t.Fatalf("lowering under the same prefix does not warn:\n%s", out)
	}
}

// twoSetsOfOneBlock is two sets of one for_each block, all their start
// numbers start.
func twoSetsOfOneBlock(env *testEnv, start int) (string, [2]string) {
	names := [2]string{env.name("a"), env.name("b")}
	return providerConfig() + fmt.Sprintf(`
resource "zuora_sequence_set" "s" {
  for_each = { %q = %q, %q = %q }

  name        = each.key
  invoice     = { prefix = "${each.value}I", start_number = %d }
  credit_memo = { prefix = "${each.value}C", start_number = %d }
  debit_memo  = { prefix = "${each.value}D", start_number = %d }
}
`, names[0], env.prefix("A"), names[1], env.prefix("B"), start, start, start), names
}

// TestAccPlanWarnings_eachSetNamed (case 8): two sets of one block lowering
// their start numbers draw a warning each, naming its set (Terraform 1.16
// shows one of identical diagnostics of a block), and the sequence set
// number's diagnostics name the set too.
func TestAccPlanWarnings_eachSetNamed(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	config, names := twoSetsOfOneBlock(env, 50)
	writeConfig(t, dir, config)
	cli.run("apply", "-auto-approve", "-no-color")

	config, _ = twoSetsOfOneBlock(env, 10)
	writeConfig(t, dir, config)
	// The human output folds warnings of one summary ("and 5 more similar
	// warnings"): the machine output has every one Terraform kept.
	var lowered []string
	for _, d := range planDiagnostics(t, cli) {
		if d.Summary == "Start number lowered" {
			lowered = append(lowered, d.Detail)
		}
	}
	if len(lowered) != 6 {
		t.Errorf("%d lowered-start warnings, want 6 (3 containers of 2 sets): %q", len(lowered), lowered)
	}
	for _, name := range names {
		n := 0
		for _, detail := range lowered {
			if strings.HasPrefix(detail, "Sequence set "+name+" (ID ") {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d warnings name %s, want 3: %q", n, name, lowered)
		}
	}
}

// planDiagnostic is one diagnostic of terraform plan -json.
type planDiagnostic struct {
	Severity, Summary, Detail string
}

// planDiagnostics runs terraform plan -json and returns its diagnostics.
func planDiagnostics(t *testing.T, cli *terraformCLI) []planDiagnostic {
	t.Helper()
	out, _ := cli.try("plan", "-json", "-no-color")
	var diags []planDiagnostic
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type       string         `json:"type"`
			Diagnostic planDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "diagnostic" {
			diags = append(diags, msg.Diagnostic)
		}
	}
	return diags
}

// TestAccSequenceSet_errorTitlesNameTheSet (case 8): a failed read and a
// failed update are titled with the set's name, as a failed create is.
func TestAccSequenceSet_errorTitlesNameTheSet(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := fullSet()
	lowered := spec
	lowered.invoice.start = 5
	refuse := func(route string) func() {
		return func() {
			env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: route, Count: 20, Status: 200, ContentType: "application/json",
				Body: `{"success": false, "reasons": [{"code": 50000010, "message": "refused by the test"}]}`})
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: env.providerBlock() + spec.hcl()},
			{
				PreConfig:   refuse("GET /v1/sequence-sets/{id}"),
				Config:      env.providerBlock() + spec.hcl(),
				ExpectError: errRe("Unable to read Zuora sequence set FR (ID ", "refused by the test"),
			},
			{
				PreConfig: func() {
					env.fake.ClearFaults()
					refuse("PUT /v1/sequence-sets/{id}")()
				},
				Config:      env.providerBlock() + lowered.hcl(),
				ExpectError: errRe("Unable to update Zuora sequence set FR (ID ", "refused by the test"),
			},
			{PreConfig: env.fake.ClearFaults, Config: env.providerBlock() + spec.hcl()},
		},
	})
}

// TestAccSequenceSetNumber_addedLaterIsRefused (case 6): a number added to
// the configuration of a set created without one is refused at plan time,
// naming the set, whether or not the tenant's answers carry numbers; the
// state never claims a number Zuora did not give.
func TestAccSequenceSetNumber_addedLaterIsRefused(t *testing.T) {
	legs := []struct {
		name string
		env  func(*testing.T) *testEnv
	}{
		{"the tenant's answers", newTestEnv}, // locally, answers that omit the number
		{"answers carry numbers", func(t *testing.T) *testEnv {
			return newLocalTestEnv(t, zuorafake.Options{ReadShowsSequenceSetNumber: true})
		}},
	}
	for _, leg := range legs {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			spec := env.unique(fullSet())
			late := "SS-" + env.prefixBase + "L"
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             env.noSetsLeft,
				Steps: []resource.TestStep{
					{Config: env.providerBlock() + spec.hcl()},
					{
						Config:      env.providerBlock() + numberedHCL(spec, late),
						ExpectError: errRe("Sequence set number cannot be added", "Sequence set "+spec.name+" (ID ", strconv.Quote(late), "created without one"),
					},
					{
						Config:            env.providerBlock() + spec.hcl(),
						ConfigStateChecks: []statecheck.StateCheck{numberIs("")},
						Check:             env.holdsNoNumber(spec.name),
					},
				},
			})
		})
	}
}

// TestAccSequenceSetNumber_importedNumberIsChecked (case 6): a set imported
// by ID from a tenant whose answers lack the number takes a configured
// number only when Zuora's name-or-number filter finds this very set: the
// number of another set, or of none, is refused at plan time.
func TestAccSequenceSetNumber_importedNumberIsChecked(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.5.0")
	spec := env.unique(fullSet())
	spec.number = "SS-" + env.prefixBase + "F"
	other := env.unique(setSpec{name: "OTHER", invoice: num{"OINV", 10}, creditMemo: num{"OCM", 10}, debitMemo: num{"ODM", 10}})
	other.number = "SS-" + env.prefixBase + "O"
	oob := env.createSet(spec)
	env.createSet(other)
	importBlock := fmt.Sprintf("import {\n  to = zuora_sequence_set.test\n  id = %q\n}\n", oob.ID)
	plain := spec
	plain.number = ""
	for number, want := range map[string]string{
		other.number:                 "Sequence set number of another set",
		"SS-" + env.prefixBase + "N": "Sequence set number not found",
	} {
		writeConfig(t, dir, providerConfig()+importBlock+numberedHCL(plain, number))
		out, err := cli.try("plan", "-no-color")
		if err == nil || !strings.Contains(flat(out), want) || !strings.Contains(flat(out), "Sequence set "+spec.name+" (ID "+oob.ID+")") {
			t.Errorf("importing with %s: want %q naming the set:\n%s", number, want, out)
		}
	}
	writeConfig(t, dir, providerConfig()+importBlock+numberedHCL(plain, spec.number))
	out := cli.run("apply", "-auto-approve", "-no-color")
	if strings.Contains(out, "not checked") || !strings.Contains(out, "1 imported") {
		t.Errorf("the import with the set's own number:\n%s", out)
	}
	if n := env.putCount(); n != 0 {
		t.Errorf("%d PUT(s) sent for a number that cannot be updated", n)
	}
	cli.planIsEmpty()
}

// TestAccPlanWarnings_removedBlockOfImportedSet (case 9): a set imported
// with its own payment block (no record of configured blocks) warns when
// the block is removed; its refund, DEFAULT's R- in the inherited mode,
// does not.
func TestAccPlanWarnings_removedBlockOfImportedSet(t *testing.T) {
	for _, leg := range readModeLegs() {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.requireVersion("1.5.0") // import blocks
			cli.destroyAtEnd()
			spec := env.unique(fullSet())
			spec.ref = num{}
			set := env.createSet(spec)
			writeConfig(t, dir, providerConfig()+fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", resourceAddr, set.ID)+spec.hcl())
			cli.run("apply", "-auto-approve", "-no-color")

			kept := spec.pay
			spec.pay = num{}
			writeConfig(t, dir, providerConfig()+spec.hcl())
			out := flat(cli.run("plan", "-no-color"))
			for _, want := range []string{"Warning: The payment block was removed, but Zuora keeps it", fmt.Sprintf("prefix %q from start number %d", kept.prefix, kept.start)} {
				if !strings.Contains(out, want) {
					t.Fatalf("the plan lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "refund block was removed") {
				t.Fatalf("the plan warns of a refund block the set never had:\n%s", out)
			}
		})
	}
}

// TestAccSequenceSetDataSource_upperCaseID (case 10): the data source finds
// a set by its ID written in upper case, as import does, and keeps the id as
// written.
func TestAccSequenceSetDataSource_upperCaseID(t *testing.T) {
	env := newTestEnv(t)
	set := env.createSet(env.unique(setSpec{name: "UPPER", invoice: num{"UPI", 7}, creditMemo: num{"UPC", 7}, debitMemo: num{"UPD", 7}}))
	upper := strings.ToUpper(set.ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + fmt.Sprintf("data \"zuora_sequence_set\" \"up\" {\n  id = %q\n}\n", upper),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.zuora_sequence_set.up", tfjsonpath.New("name"), knownvalue.StringExact(set.Name)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.up", tfjsonpath.New("id"), knownvalue.StringExact(upper)),
			},
		}},
	})
}
