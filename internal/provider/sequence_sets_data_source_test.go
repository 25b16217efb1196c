package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// seedSets creates n sets out of band, as a tenant that predates Terraform
// has them; the ones with an even number have a payment container.
func seedSets(fake *zuorafake.Server, n int) []zuorafake.SequenceSet {
	var sets []zuorafake.SequenceSet
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
		sets = append(sets, fake.CreateOutOfBand(s))
	}
	return sets
}

func TestAccSequenceSetsDataSource_pagesAndFilters(t *testing.T) {
	// Checks the omitted read mode's nulls.
	env := newTestEnvAsIs(t, zuorafake.Options{})
	seeded := seedSets(env.fake, 44) // with DEFAULT: 45, more than one page of 40
	last := seeded[43]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + fmt.Sprintf(`
data "zuora_sequence_sets" "all" {}

data "zuora_sequence_sets" "one" {
  name = %q
}

data "zuora_sequence_sets" "none" {
  name = "NO-SUCH-SET"
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
`, last.Name, last.Name, seeded[0].ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.all", tfjsonpath.New("sequence_sets"), knownvalue.ListSizeExact(45)),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.all", tfjsonpath.New("sequence_sets").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("DEFAULT")),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.all", tfjsonpath.New("sequence_sets").AtSliceIndex(44), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":          knownvalue.StringExact(last.ID),
					"name":        knownvalue.StringExact(last.Name),
					"invoice":     numberingValue(last.Invoice.Prefix, last.Invoice.StartNumber),
					"credit_memo": numberingValue(last.CreditMemo.Prefix, 1),
					"debit_memo":  numberingValue(last.DebitMemo.Prefix, 1),
					"payment":     knownvalue.Null(), // odd: seeded without payment
					"refund":      knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.one", tfjsonpath.New("sequence_sets"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.one", tfjsonpath.New("sequence_sets").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact(last.ID)),
				statecheck.ExpectKnownValue("data.zuora_sequence_sets.none", tfjsonpath.New("sequence_sets"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_name", tfjsonpath.New("id"), knownvalue.StringExact(last.ID)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_name", tfjsonpath.New("invoice"), numberingValue(last.Invoice.Prefix, last.Invoice.StartNumber)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_id", tfjsonpath.New("name"), knownvalue.StringExact(seeded[0].Name)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.by_id", tfjsonpath.New("payment"), numberingValue(seeded[0].Payment.Prefix, 7)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.default", tfjsonpath.New("invoice"), numberingValue("INV", 1)),
				statecheck.ExpectKnownValue("data.zuora_sequence_set.default", tfjsonpath.New("refund"), numberingValue("R-", 1)),
			},
		}},
	})
}

func TestAccSequenceSetDataSource_errors(t *testing.T) {
	env := newTestEnv(t, zuorafake.Options{})
	seedSets(env.fake, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" { name = "NOPE" }`,
				ExpectError: errRe("Cannot read Zuora sequence set NOPE", `no sequence set is named "NOPE"`),
			},
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" { id = "402892c74c9193cd014c96bbe7c101f9" }`,
				ExpectError: errRe("Sequence set not found", "402892c74c9193cd014c96bbe7c101f9", "Zuora-Request-Id"),
			},
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" {}`,
				ExpectError: errRe("Exactly one of these attributes must be configured"),
			},
			{
				Config: env.providerBlock() + `
data "zuora_sequence_set" "x" {
  name = "BRAND-00"
  id   = "402892c74c9193cd014c96bbe7c101f9"
}`,
				ExpectError: errRe("Invalid Attribute Combination"),
			},
			{
				Config:      env.providerBlock() + `data "zuora_sequence_set" "x" { id = "not-an-id" }`,
				ExpectError: errRe("must be 32 hexadecimal characters"),
			},
		},
	})
}
