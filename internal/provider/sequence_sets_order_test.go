package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestAccSequenceSetsDataSource_defaultFirst: the data source lists DEFAULT
// first, as documented, even when Zuora lists it later; the others keep
// Zuora's order. The local Zuora lists DEFAULT between two other sets;
// live, the tenant lists what it holds, two sets of the test's among them.
func TestAccSequenceSetsDataSource_defaultFirst(t *testing.T) {
	env := newTestEnvWith(t, zuorafake.Options{})
	if env.fake == nil {
		defaultFirstInTheTenant(t, env)
		return
	}
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

// defaultFirstInTheTenant is the live half of the test above: the whole
// tenant listed, DEFAULT comes first and once, and the test's two sets
// come in the order the tenant lists them.
func defaultFirstInTheTenant(t *testing.T, env *testEnv) {
	for _, s := range []setSpec{
		{name: "ZED", invoice: num{"ZI", 1}, creditMemo: num{"ZC", 1}, debitMemo: num{"ZD", 1}},
		{name: "ALPHA", invoice: num{"AI", 1}, creditMemo: num{"AC", 1}, debitMemo: num{"AD", 1}},
	} {
		env.createSet(env.unique(s))
	}
	ours := func(names []string) []string {
		return slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, env.namePrefix) })
	}
	var tenantOrder []string
	for _, s := range env.allSets() {
		tenantOrder = append(tenantOrder, s.Name)
	}
	tenantOrder = ours(tenantOrder)
	if len(tenantOrder) != 2 {
		t.Fatalf("the tenant lists %v of the test's sets, want its two", tenantOrder)
	}
	listed := func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources["data.zuora_sequence_sets.all"]
		if !ok {
			return fmt.Errorf("no data.zuora_sequence_sets.all in state")
		}
		n, err := strconv.Atoi(rs.Primary.Attributes["sequence_sets.#"])
		if err != nil {
			return err
		}
		var names []string
		for i := range n {
			names = append(names, rs.Primary.Attributes[fmt.Sprintf("sequence_sets.%d.name", i)])
		}
		if len(names) == 0 || names[0] != "DEFAULT" || slices.Index(names[1:], "DEFAULT") >= 0 {
			return fmt.Errorf("the data source lists %v, want DEFAULT first and once", names)
		}
		if got := ours(names); !slices.Equal(got, tenantOrder) {
			return fmt.Errorf("the data source lists the test's sets as %v, the tenant as %v", got, tenantOrder)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `data "zuora_sequence_sets" "all" {}`,
			Check:  listed,
		}},
	})
}
