package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// seedFake creates n sets in the local Zuora behind its API, as a big
// tenant that predates Terraform has them; the ones with an even number
// have a payment container.
func seedFake(fake *zuorafake.Server, n int) {
	for i := range n {
		s := zuorafake.SequenceSet{
			Name:       fmt.Sprintf("BRAND-%02d", i),
			Invoice:    &zuorafake.Numbering{Prefix: fmt.Sprintf("B%02dI", i), StartNumber: int64(100 + i)},
			CreditMemo: &zuorafake.Numbering{Prefix: fmt.Sprintf("B%02dC", i), StartNumber: 1},
			DebitMemo:  &zuorafake.Numbering{Prefix: fmt.Sprintf("B%02dD", i), StartNumber: 1},
		}
		if i%2 == 0 {
			s.Payment = &zuorafake.Numbering{Prefix: fmt.Sprintf("B%02dP-", i), StartNumber: 7}
		}
		fake.CreateOutOfBand(s)
	}
}

// seedSets creates n sets through the API, as a tenant that predates
// Terraform has them; the ones with an even number have a payment
// container.
func (e *testEnv) seedSets(n int) []zuora.SequenceSet {
	var sets []zuora.SequenceSet
	for i := range n {
		s := setSpec{
			name:       e.name(fmt.Sprintf("BRAND-%02d", i)),
			invoice:    num{e.prefix(fmt.Sprintf("B%02dI", i)), int64(100 + i)},
			creditMemo: num{e.prefix(fmt.Sprintf("B%02dC", i)), 1},
			debitMemo:  num{e.prefix(fmt.Sprintf("B%02dD", i)), 1},
		}
		if i%2 == 0 {
			s.pay = num{e.prefix(fmt.Sprintf("B%02dP-", i)), 7}
		}
		sets = append(sets, e.createSet(s))
	}
	return sets
}

// listedSets is a state check on a zuora_sequence_sets data source: of
// the sets it lists, the ones named with the test's prefix are exactly
// want, with every attribute as Zuora holds it, and DEFAULT is listed too.
type listedSets struct {
	env  *testEnv
	addr string
	want []zuora.SequenceSet
}

func (c listedSets) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var items []any
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == c.addr {
			items, _ = r.AttributeValues["sequence_sets"].([]any)
		}
	}
	numbering := func(n *zuora.Numbering) any {
		if n == nil {
			return nil
		}
		return map[string]any{"prefix": n.Prefix, "start_number": json.Number(strconv.FormatInt(n.StartNumber, 10))}
	}
	want := map[string]map[string]any{}
	for _, s := range c.want {
		want[s.ID] = map[string]any{"id": s.ID, "name": s.Name, "invoice": numbering(s.Invoice), "credit_memo": numbering(s.CreditMemo),
			"debit_memo": numbering(s.DebitMemo), "payment": numbering(s.Payment), "refund": numbering(s.Refund),
			"sequence_set_number": nil}
		if s.Number != "" { // shown when Zuora's answers carry it
			want[s.ID]["sequence_set_number"] = s.Number
		}
	}
	got, sawDefault := 0, false
	for _, item := range items {
		m, _ := item.(map[string]any)
		name, _ := m["name"].(string)
		sawDefault = sawDefault || name == "DEFAULT"
		if !strings.HasPrefix(name, c.env.namePrefix) {
			continue
		}
		got++
		id, _ := m["id"].(string)
		w, ok := want[id]
		if !ok {
			resp.Error = fmt.Errorf("%s lists %s (%s), which the test did not create", c.addr, name, id)
			return
		}
		if a, b := fmt.Sprint(normalizeNumbers(m)), fmt.Sprint(w); a != b {
			resp.Error = fmt.Errorf("%s lists %s as %s, Zuora holds %s", c.addr, name, a, b)
			return
		}
	}
	if got != len(c.want) || !sawDefault {
		resp.Error = fmt.Errorf("%s lists %d of the test's %d sets (DEFAULT listed: %v) among %d", c.addr, got, len(c.want), sawDefault, len(items))
	}
}

// normalizeNumbers makes the state's numbers json.Number, as wanted.
func normalizeNumbers(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if inner, ok := v.(map[string]any); ok {
			n := map[string]any{}
			for ik, iv := range inner {
				if f, ok := iv.(float64); ok {
					iv = json.Number(strconv.FormatInt(int64(f), 10))
				}
				n[ik] = iv
			}
			v = n
		}
		out[k] = v
	}
	return out
}

// TestAccSequenceSetsDataSource_pagesAndFilters reads a tenant of more
// than one page. It runs alone (not in parallel), so that no other test's
// sets come and go while the pages are read.
func TestAccSequenceSetsDataSource_pagesAndFilters(t *testing.T) {
	env := newTestEnvOmitted(t) // checks the omitted read mode's nulls
	seeded := env.seedSets(44)  // with DEFAULT: 45 at least, more than one page of 40
	last := seeded[43]
	builtIn := env.mustSetByName("DEFAULT")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + fmt.Sprintf(`
data "zuora_sequence_sets" "all" {}

data "zuora_sequence_sets" "one" {
  name = %q
}

data "zuora_sequence_sets" "none" {
  name = %q
}

data "zuora_sequence_set" "by_name" {
  name = %q
}

data "zuora_sequence_set" "by_id" {
  id = %q
}

data "zuora_sequence_set" "default" {
  name = "DEFAULT"
}
`, last.Name, env.name("NO-SUCH-SET"), last.Name, seeded[0].ID),
			ConfigStateChecks: []statecheck.StateCheck{
				listedSets{env, "data.zuora_sequence_sets.all", seeded},
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.one", tfjsonpath.New("sequence_sets"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.one", tfjsonpath.New("sequence_sets").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":          knownvalue.StringExact(last.ID),
					"name":        knownvalue.StringExact(last.Name),
					"invoice":     numberingValue(last.Invoice.Prefix, last.Invoice.StartNumber),
					"credit_memo": numberingValue(last.CreditMemo.Prefix, 1),
					"debit_memo":  numberingValue(last.DebitMemo.Prefix, 1),
					"payment":     knownvalue.Null(), // odd: seeded without payment
					"refund":      knownvalue.Null(),

					"sequence_set_number": knownvalue.Null(), // created without one
				})),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.none", tfjsonpath.New("sequence_sets"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_name", tfjsonpath.New("id"), knownvalue.StringExact(last.ID)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_name", tfjsonpath.New("invoice"), numberingValue(last.Invoice.Prefix, last.Invoice.StartNumber)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_id", tfjsonpath.New("name"), knownvalue.StringExact(seeded[0].Name)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_id", tfjsonpath.New("payment"), numberingValue(seeded[0].Payment.Prefix, 7)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.default", tfjsonpath.New("id"), knownvalue.StringExact(builtIn.ID)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.default", tfjsonpath.New("invoice"), numberingValue(builtIn.Invoice.Prefix, builtIn.Invoice.StartNumber)),
			},
		}},
	})
}

func TestAccSequenceSetDataSource_errors(t *testing.T) {
	env := newTestEnv(t)
	seeded := env.seedSets(1)
	nope := env.name("NOPE")
	const missingID = "00000000000000000000000000c0ffee" // no tenant has it
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + fmt.Sprintf(`data "zuora_sequence_set" "x" { name = %q }`, nope),
				ExpectError: errRe("Cannot read Zuora sequence set "+nope, fmt.Sprintf(`no sequence set is named %q`, nope)),
			},
			{
				Config:      env.providerBlock() + fmt.Sprintf(`data "zuora_sequence_set" "x" { id = %q }`, missingID),
				ExpectError: errRe("Sequence set not found", missingID, "Zuora-Request-Id"),
			},
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" {}`,
				ExpectError: errRe("Exactly one of these attributes must be configured"),
			},
			{
				Config: env.providerBlock() + fmt.Sprintf(`
data "zuora_sequence_set" "x" {
  name = %q
  id   = %q
}`, seeded[0].Name, seeded[0].ID),
				ExpectError: errRe("Invalid Attribute Combination"),
			},
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" { id = "not-an-id" }`,
				ExpectError: errRe("must be 32 hexadecimal characters"),
			},
		},
	})
}
