package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestAccLostCreate_takenIntoState: every answer to the create is lost
// after Zuora committed it (each retry, with the same Idempotency-Key, is
// replayed and lost too), so the retries run out. The set is looked up by
// name and, being the one set of that name with the numbering sent, taken
// into state with a warning: the next plan is empty, Zuora holds one set.
func TestAccLostCreate_takenIntoState(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	spec := env.unique(fullSet())
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	writeConfig(t, dir, providerConfig()+spec.hcl())
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultDropAfterCommit, Route: "POST /v1/sequence-sets", Count: 1000})
	out := cli.run("apply", "-auto-approve", "-no-color")
	env.fake.ClearFaults()
	if !errRe("Sequence set "+spec.name+" taken into state after its create's answers were lost", "no answer from Zuora", "exactly one set named "+spec.name).MatchString(out) {
		t.Fatalf("the apply did not warn that it took the set in:\n%s", out)
	}
	if st := env.fake.Stats(); st.Created != 1 || st.ByRoute["POST /v1/sequence-sets"] < 2 {
		t.Fatalf("the fake created %d sets from %d POSTs, want 1 set from the retried POSTs", st.Created, st.ByRoute["POST /v1/sequence-sets"])
	}
	if got := stateAddresses(cli); !slices.Equal(got, []string{resourceAddr}) {
		t.Fatalf("the state holds %v, want %s", got, resourceAddr)
	}
	if id := env.mustSetByName(spec.name).ID; !strings.Contains(cli.run("state", "show", "-no-color", resourceAddr), id) {
		t.Fatalf("the state does not hold the set's ID %s", id)
	}
	cli.planIsEmpty()
}

// TestAccLostCreate_namedWithItsImportBlock: every answer is lost, and the
// lookup finds no set it can take (a set of the name with other numbering,
// or none): the error says the set may exist and gives its import block;
// the state holds nothing.
func TestAccLostCreate_namedWithItsImportBlock(t *testing.T) {
	for _, other := range []bool{false, true} {
		name := "no set of the name"
		if other {
			name = "a set of the name with other numbering"
		}
		t.Run(name, func(t *testing.T) {
			env := newLocalTestEnv(t, zuorafake.Options{})
			spec := env.unique(fullSet())
			want := []string{"Unable to create Zuora sequence set " + spec.name, "no answer from Zuora", "may exist"}
			if other {
				existing := spec
				existing.invoice.start = 77
				set := env.createSet(existing)
				want = append(want, "ID "+set.ID, "not the one sent")
			}
			want = append(want, "import {", "to = zuora_sequence_set.", `id = "`+spec.name+`"`)
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			writeConfig(t, dir, providerConfig()+spec.hcl())
			env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultReset, Route: "POST /v1/sequence-sets", Count: 1000})
			cli.mustFail(want, "apply", "-auto-approve", "-no-color")
			if got := stateAddresses(cli); len(got) != 0 {
				t.Fatalf("the state holds %v, want nothing", got)
			}
		})
	}
}
