package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// numberedHCL is spec's resource with a sequence_set_number line ("" for none).
func numberedHCL(spec setSpec, number string) string {
	hcl := spec.hcl()
	if number == "" {
		return hcl
	}
	return strings.Replace(hcl, "\n", fmt.Sprintf("\n  sequence_set_number = %q\n", number), 1)
}

// fakeHoldsNumber asserts the set named name was stored with number.
func (e *testEnv) fakeHoldsNumber(name, number string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := e.fake.SetByName(name)
		if !ok {
			return fmt.Errorf("no set named %q in Zuora", name)
		}
		if got.Number != number {
			return fmt.Errorf("Zuora holds %q with sequenceSetNumber %q, want %q", name, got.Number, number)
		}
		return nil
	}
}

// holdsNoNumber asserts the set named name was created without a number:
// in the local Zuora as stored; live, the provider's create sent none and
// the tenant reports none.
func (e *testEnv) holdsNoNumber(name string) resource.TestCheckFunc {
	if e.fake != nil {
		return e.fakeHoldsNumber(name, "")
	}
	return func(*terraform.State) error {
		creates := 0
		for _, req := range e.sent.all() {
			if req.Route == "POST "+sequenceSetsAPIPath {
				creates++
				if strings.Contains(req.Body, "sequenceSetNumber") {
					return fmt.Errorf("the create of a set without a number sent one: %s", req.Body)
				}
			}
		}
		if creates == 0 {
			return fmt.Errorf("no create was sent for %s", name)
		}
		got, err := e.setByName(name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		if got.Number != "" {
			return fmt.Errorf("Zuora reports %s with sequenceSetNumber %q, want none", name, got.Number)
		}
		return nil
	}
}

// putCount is the number of PUTs the provider sent so far.
func (e *testEnv) putCount() int {
	return e.sent.stats().ByRoute["PUT "+sequenceSetsAPIPath+"/{id}"]
}

// noPutSince fails if a PUT was sent after *mark was taken.
func (e *testEnv) noPutSince(mark *int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := e.putCount(); n != *mark {
			return fmt.Errorf("%d PUT(s) were sent; want none", n-*mark)
		}
		return nil
	}
}

func numberIs(v string) statecheck.StateCheck {
	if v == "" {
		return statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New(sequenceSetNumberAttr), knownvalue.Null())
	}
	return statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New(sequenceSetNumberAttr), knownvalue.StringExact(v))
}

// TestAccSequenceSetNumber_lifecycle: a number is sent on create, kept
// through an update that never sends it, refused when changed, kept when
// left out of the configuration, and is enough to import the set and to
// read it with the data source, whether or not the tenant's answers carry it.
func TestAccSequenceSetNumber_lifecycle(t *testing.T) {
	legs := map[string]string{"": "reads from the listing", "read_from_listing = false": "reads by ID"}
	for _, reads := range []string{"", "read_from_listing = false"} {
		// The tenant's answers, with the number or without (live too).
		t.Run("the tenant's answers/"+legs[reads], func(t *testing.T) {
			env := newTestEnv(t)
			lifecycleOfANumber(t, env, tenantShowsNumbers(env), reads)
		})
	}
	// Run locally, the tenant's answers are the local Zuora's, which omit
	// the number: the other way, answers that show it.
	for _, reads := range []string{"", "read_from_listing = false"} {
		t.Run("answers show the number/"+legs[reads], func(t *testing.T) {
			lifecycleOfANumber(t, newLocalTestEnv(t, zuorafake.Options{ReadShowsSequenceSetNumber: true}), true, reads)
		})
	}
}

// tenantShowsNumbers reports whether env's answers carry a set's number:
// it creates a numbered set through the API, reads it, and deletes it.
func tenantShowsNumbers(env *testEnv) bool {
	env.t.Helper()
	probe := env.unique(setSpec{name: "numprobe", invoice: num{"NPRI", 1}, creditMemo: num{"NPRC", 1}, debitMemo: num{"NPRD", 1}}).wire()
	probe.Number = "SS-" + env.prefixBase + "P"
	ctx, cancel := env.ctx()
	defer cancel()
	set, err := env.api.CreateSequenceSet(ctx, probe)
	if err != nil {
		env.t.Fatalf("creating a numbered set through the API: %v", err)
	}
	read, err := env.api.GetSequenceSet(ctx, set.ID)
	if delErr := env.api.DeleteSequenceSet(ctx, set.ID); delErr != nil {
		env.t.Errorf("deleting %s (%s): %v", set.Name, set.ID, delErr)
	}
	if err != nil {
		env.t.Fatalf("reading %s: %v", set.Name, err)
	}
	env.t.Logf("the tenant's answers carry the number: %v", read.Number != "")
	return read.Number != ""
}

// holdsNumber asserts the set named name holds number: in the local Zuora
// as stored, otherwise as Zuora's name filter (which also matches numbers)
// finds it, whether or not answers carry the number.
func (e *testEnv) holdsNumber(name, number string) resource.TestCheckFunc {
	if e.fake != nil {
		return e.fakeHoldsNumber(name, number)
	}
	return func(*terraform.State) error {
		ctx, cancel := e.ctx()
		defer cancel()
		got, err := e.api.SequenceSetByNumber(ctx, number)
		if err != nil {
			return fmt.Errorf("finding the set numbered %q: %w", number, err)
		}
		if got.Name != name {
			return fmt.Errorf("Zuora finds %+v by the number %q, want the set %s", got, number, name)
		}
		return nil
	}
}

// lifecycleOfANumber is one leg of TestAccSequenceSetNumber_lifecycle, in
// env, whose answers carry the number when shows; reads is a provider line
// choosing how reads are served.
func lifecycleOfANumber(t *testing.T, env *testEnv, shows bool, reads string) {
	block := env.providerBlock(reads)
	spec := env.unique(fullSet())
	renamed := spec
	renamed.name = env.name("FR-2")
	number := "SS-" + env.prefixBase + "FR"
	var puts int
	mark := func() { puts = env.putCount() }
	dataByNumber := `
data "zuora_sequence_set" "by_number" {
  sequence_set_number = zuora_sequence_set.test.sequence_set_number
}
data "zuora_sequence_sets" "all" {}
`
	listedAt := 1 // DEFAULT, then the set
	if env.fake == nil {
		// A tenant of other sets too: the listing of this name.
		dataByNumber = strings.Replace(dataByNumber, `"all" {}`, fmt.Sprintf(`"all" { name = %q }`, renamed.name), 1)
		listedAt = 0
	}
	var listed knownvalue.Check = knownvalue.Null() // the listing does not say
	if shows {
		listed = knownvalue.StringExact(number)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				Config:            block + numberedHCL(spec, number),
				ConfigStateChecks: append(stateMatches(spec), numberIs(number)),
				Check:             env.holdsNumber(spec.name, number),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(resourceAddr, tfjsonpath.New(sequenceSetNumberAttr), knownvalue.StringExact(number)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// An update in place never sends the number.
				Config:            block + numberedHCL(renamed, number),
				ConfigStateChecks: []statecheck.StateCheck{numberIs(number)},
				Check:             resource.ComposeAggregateTestCheckFunc(env.lastPutSentOnly("name"), env.holdsNumber(renamed.name, number)),
			},
			{
				// A change is refused at plan time, and nothing is sent.
				PreConfig:   mark,
				Config:      block + numberedHCL(renamed, "SS-OTHER"),
				ExpectError: errRe("sequence_set_number", fmt.Sprintf(`is %q for this set`, number), `"SS-OTHER"`, "cannot change it"),
			},
			{
				// Left out of the configuration, the number stays.
				Config:            block + numberedHCL(renamed, ""),
				ConfigStateChecks: []statecheck.StateCheck{numberIs(number)},
				Check:             resource.ComposeAggregateTestCheckFunc(env.noPutSince(&puts), env.holdsNumber(renamed.name, number)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Import by number records the number.
				ResourceName:      resourceAddr,
				ImportState:       true,
				ImportStateId:     number,
				ImportStateVerify: true,
			},
			{
				Config: block + numberedHCL(renamed, number) + dataByNumber,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("data.zuora_sequence_set.by_number", tfjsonpath.New("id"),
						resourceAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.zuora_sequence_set.by_number", tfjsonpath.New("name"), knownvalue.StringExact(renamed.name)),
					statecheck.ExpectKnownValue("data.zuora_sequence_set.by_number", tfjsonpath.New(sequenceSetNumberAttr), knownvalue.StringExact(number)),
					statecheck.ExpectKnownValue("data.zuora_sequence_sets.all",
						tfjsonpath.New("sequence_sets").AtSliceIndex(listedAt).AtMapKey(sequenceSetNumberAttr), listed),
				},
			},
		},
	})
}

// TestAccSequenceSetNumber_withoutOneNothingChanges: a configuration
// without the attribute plans no unknown for it, sends no number, and
// reads none, as before the attribute existed (in a local Zuora whose
// answers carry numbers; live, from the tenant as it answers).
func TestAccSequenceSetNumber_withoutOneNothingChanges(t *testing.T) {
	env := newTestEnvWith(t, zuorafake.Options{ReadShowsSequenceSetNumber: true})
	spec := env.unique(fullSet())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config:            env.providerBlock() + spec.hcl(),
			ConfigStateChecks: append(stateMatches(spec), numberIs("")),
			Check:             env.holdsNoNumber(spec.name),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(resourceAddr, tfjsonpath.New(sequenceSetNumberAttr), knownvalue.Null()),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// TestAccSequenceSetNumber_driftIsShown: when the tenant's answers carry
// the number, a number that differs from the state is read, and a
// configuration still naming the old one is refused at plan time.
func TestAccSequenceSetNumber_driftIsShown(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{ReadShowsSequenceSetNumber: true})
	spec := fullSet()
	drift := func() {
		set, _ := env.fake.SetByName("FR")
		if err := env.fake.UpdateOutOfBand(set.ID, func(s *zuorafake.SequenceSet) { s.Number = "SS-ZUORA" }); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: env.providerBlock() + numberedHCL(spec, "SS-FR")},
			{
				PreConfig:   drift,
				Config:      env.providerBlock() + numberedHCL(spec, "SS-FR"),
				ExpectError: errRe("sequence_set_number", `is "SS-ZUORA" for this set`, `"SS-FR"`),
			},
			{
				Config:            env.providerBlock() + numberedHCL(spec, ""),
				ConfigStateChecks: []statecheck.StateCheck{numberIs("SS-ZUORA")},
			},
		},
	})
}

// TestAccSequenceSetNumber_listShowsIt: terraform query (1.14+) shows a
// set's number in the resource it finds when the tenant reports it (the
// local Zuora does; live, where the tenant's listing shows it), and none
// where it does not.
func TestAccSequenceSetNumber_listShowsIt(t *testing.T) {
	env := newTestEnvWith(t, zuorafake.Options{ReadShowsSequenceSetNumber: true})
	spec := env.unique(setSpec{name: "LISTED", invoice: num{"LI", 1}, creditMemo: num{"LC", 1}, debitMemo: num{"LD", 1}})
	spec.number = "SS-" + env.prefixBase + "LISTED"
	numbered := env.createSet(spec) // outside Terraform
	var shown knownvalue.Check = knownvalue.StringExact(spec.number)
	if env.fake == nil && !listingShowsNumber(env, spec.name) {
		shown = knownvalue.Null()
	}
	managed := env.unique(setSpec{name: "X", invoice: num{"XI", 1}, creditMemo: num{"XC", 1}, debitMemo: num{"XD", 1}})
	identity := map[string]knownvalue.Check{"id": knownvalue.StringExact(numbered.ID), "host": knownvalue.StringExact(env.url)}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   queryClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: env.providerBlock() + managed.hcl()},
			{
				Query:  true,
				Config: listBlock("all", "include_resource = true"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectResourceKnownValues("zuora_sequence_set.all", queryfilter.ByResourceIdentity(identity),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New(sequenceSetNumberAttr), KnownValue: shown},
						}),
				},
			},
		},
	})
}

// listingShowsNumber reports whether the tenant's listing shows the number
// of the set called name.
func listingShowsNumber(env *testEnv, name string) bool {
	env.t.Helper()
	ctx, cancel := env.ctx()
	defer cancel()
	sets, err := env.api.ListSequenceSets(ctx, zuora.ListOptions{Name: name})
	if err != nil {
		env.t.Fatalf("listing %s: %v", name, err)
	}
	for _, s := range sets {
		if s.Name == name {
			env.t.Logf("the tenant's listing shows the number: %v", s.Number != "")
			return s.Number != ""
		}
	}
	env.t.Fatalf("the tenant's listing lacks %s", name)
	return false
}

// TestAccSequenceSetNumber_emptyIsRefusedAtPlanTime: the plan-time half of
// the local Zuora's rule (a number is not empty), with nothing sent.
func TestAccSequenceSetNumber_emptyIsRefusedAtPlanTime(t *testing.T) {
	env := newTestEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config:      env.providerBlock() + strings.Replace(env.unique(fullSet()).hcl(), "\n", "\n  sequence_set_number = \"\"\n", 1),
			PlanOnly:    true,
			ExpectError: errRe("sequence_set_number", "at least 1"),
		}},
	})
	if n := env.apiCalls(); n != 0 {
		t.Fatalf("an invalid number sent %d requests to Zuora, want 0", n)
	}
}
