package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestAccSequenceSetsDataSource_defaultFirst: the data source lists DEFAULT
// first, as documented, even when Zuora lists it later; the others keep
// Zuora's order.
func TestAccSequenceSetsDataSource_defaultFirst(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	const body = `{"success": true, "sequenceSets": [
  {"id": "0000000000000000000000000000000a", "name": "ZED",
   "invoice": {"prefix": "ZI", "startNumber": 1}, "creditMemo": {"prefix": "ZC", "startNumber": 1}, "debitMemo": {"prefix": "ZD", "startNumber": 1}},
  {"id": "0000000000000000000000000000000b", "name": "DEFAULT",
   "invoice": {"prefix": "INV", "startNumber": 1}, "creditMemo": {"prefix": "CM", "startNumber": 1}, "debitMemo": {"prefix": "DM", "startNumber": 1},
   "payment": {"prefix": "P-", "startNumber": 1}, "refund": {"prefix": "R-", "startNumber": 1}},
  {"id": "0000000000000000000000000000000c", "name": "ALPHA",
   "invoice": {"prefix": "AI", "startNumber": 1}, "creditMemo": {"prefix": "AC", "startNumber": 1}, "debitMemo": {"prefix": "AD", "startNumber": 1}}
]}`
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: listRoute, Count: 10, Status: 200, ContentType: "application/json", Body: body})
	name := func(i int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.zuora_sequence_sets.all", tfjsonpath.New("sequence_sets").AtSliceIndex(i).AtMapKey("name"),
			knownvalue.StringExact([]string{"DEFAULT", "ZED", "ALPHA"}[i]))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config:            env.providerBlock() + `data "zuora_sequence_sets" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{name(0), name(1), name(2)},
		}},
	})
}
