package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

var queryClients = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

const listRoute = "GET /v1/sequence-sets"

// listBlock is a list block of zuora_sequence_set named name; body goes
// inside it.
func listBlock(name string, body ...string) string {
	return fmt.Sprintf("list \"zuora_sequence_set\" %q {\n  provider = zuora\n  %s\n}\n", name, strings.Join(body, "\n  "))
}

// listPagesRequested is a query check on the fake: the query asked Zuora
// for exactly pages list pages since the counters were last reset.
type listPagesRequested struct {
	env   *testEnv
	pages int
}

func (c listPagesRequested) CheckQuery(_ context.Context, _ querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	if got := c.env.sent.stats().ByRoute[listRoute]; got != c.pages {
		resp.Error = fmt.Errorf("the query requested %d list pages from Zuora, want %d", got, c.pages)
	}
}

// tenantLength is querycheck.ExpectLength with the number of sets the
// tenant holds when the query has run.
type tenantLength struct {
	env  *testEnv
	addr string
}

func (c tenantLength) CheckQuery(ctx context.Context, req querycheck.CheckQueryRequest, resp *querycheck.CheckQueryResponse) {
	querycheck.ExpectLength(c.addr, len(c.env.allSets())).CheckQuery(ctx, req, resp)
}

// TestAccSequenceSetList_query runs alone (not in parallel), so that the
// tenant's sets do not come and go while it is listed.
func TestAccSequenceSetList_query(t *testing.T) {
	env := newTestEnvOmitted(t) // checks the omitted read mode's nulls
	seeded := env.seedSets(45)  // with DEFAULT and the managed one: 47 sets or more, two pages of 40
	defaultSet := env.mustSetByName("DEFAULT")
	brand07 := seeded[7]
	config := env.providerBlock() + env.unique(setSpec{name: "X", invoice: num{"XI", 1}, creditMemo: num{"XC", 1}, debitMemo: num{"XD", 1}}).hcl()
	identityOf := func(id string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{"id": knownvalue.StringExact(id), "host": knownvalue.StringExact(env.url)}
	}
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks:   queryClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{Config: config},
			{
				// Every set, on every page, DEFAULT and the managed one included.
				Query:  true,
				Config: listBlock("all", "limit = 1000"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					tenantLength{env, "zuora_sequence_set.all"},
					querycheck.ExpectIdentity("zuora_sequence_set.all", identityOf(defaultSet.ID)),
					querycheck.ExpectIdentity("zuora_sequence_set.all", identityOf(brand07.ID)),
					querycheck.ExpectResourceDisplayName("zuora_sequence_set.all",
						queryfilter.ByResourceIdentity(identityOf(brand07.ID)), knownvalue.StringExact(brand07.Name)),
				},
			},
			{
				// The exact-name filter, with the whole resource.
				PreConfig: env.sent.reset,
				Query:     true,
				Config:    listBlock("one", "include_resource = true", fmt.Sprintf(`config { name = %q }`, brand07.Name)),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("zuora_sequence_set.one", 1),
					querycheck.ExpectIdentity("zuora_sequence_set.one", identityOf(brand07.ID)),
					querycheck.ExpectResourceKnownValues("zuora_sequence_set.one",
						queryfilter.ByResourceIdentity(identityOf(brand07.ID)), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(brand07.ID)},
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(brand07.Name)},
							{Path: tfjsonpath.New("invoice"), KnownValue: numberingValue(env.prefix("B07I"), 107)},
							{Path: tfjsonpath.New("credit_memo"), KnownValue: numberingValue(env.prefix("B07C"), 1)},
							{Path: tfjsonpath.New("debit_memo"), KnownValue: numberingValue(env.prefix("B07D"), 1)},
							{Path: tfjsonpath.New("payment"), KnownValue: knownvalue.Null()},
							{Path: tfjsonpath.New("refund"), KnownValue: knownvalue.Null()},
						}),
					listPagesRequested{env, 1},
				},
			},
			{
				// Terraform's limit: the first page holds them, so the
				// second is never requested.
				PreConfig: env.sent.reset,
				Query:     true,
				Config:    listBlock("few", "limit = 5"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("zuora_sequence_set.few", 5),
					listPagesRequested{env, 1},
				},
			},
			{
				// A limit of exactly one page ends without asking for the next.
				PreConfig: env.sent.reset,
				Query:     true,
				Config:    listBlock("page", "limit = 40"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("zuora_sequence_set.page", 40),
					listPagesRequested{env, 1},
				},
			},
		},
	})
}

// TestAccSequenceSetList_queryRefused: Zuora's refusal of the listing
// becomes a diagnostic with its reason.
func TestAccSequenceSetList_queryRefused(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks:   queryClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{Config: env.providerBlock() + minimalResource},
			{
				PreConfig: func() {
					env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: listRoute, Status: 403,
						ContentType: "application/json",
						Body:        `{"success":false,"processId":"A1B2C3","reasons":[{"code":50000010,"message":"Permission denied: Sequence Sets"}]}`})
				},
				Query:       true,
				Config:      listBlock("denied"),
				ExpectError: errRe("Unable to list Zuora sequence sets", "Permission denied: Sequence Sets", "Zuora-Request-Id: "),
			},
		},
	})
}

// TestAccSequenceSetList_generateConfig runs the documented bulk import for
// Terraform 1.14+ through the CLI: the guide's query file writes import and
// resource blocks for every set (DEFAULT included) and imports each set
// once, they validate as written, and applying them imports everything
// with nothing written to Zuora and an empty plan after.
func TestAccSequenceSetList_generateConfig(t *testing.T) {
	env := newTestEnv(t)
	seedTenant(env, 45) // with DEFAULT: 46 sets or more, two pages
	dir := t.TempDir()
	files := map[string]string{
		"main.tf": "terraform {\n  required_providers {\n    zuora = { source = \"terraform-zuora/zuora\" }\n  }\n}\n\n" +
			"provider \"zuora\" {}\n",
	}
	example, err := os.ReadFile(filepath.Join(listResourceExample, "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// A set the query file names (a block's name filter) exists in the
	// tenant, under this test's name for it: a block that finds what
	// another block finds too then shows as a set imported twice.
	query := string(example)
	for _, m := range regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`).FindAllStringSubmatch(query, -1) {
		named := env.createSet(env.unique(setSpec{name: m[1], invoice: num{"QI", 1}, creditMemo: num{"QC", 1}, debitMemo: num{"QD", 1}}))
		query = strings.ReplaceAll(query, m[0], strings.Replace(m[0], `"`+m[1]+`"`, fmt.Sprintf("%q", named.Name), 1))
	}
	n := len(env.allSets())
	files["sets.tfquery.hcl"] = query
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cli := newTerraformCLI(t, env, dir)
	cli.requireVersion("1.14.0")
	cli.run("init", "-no-color")
	cli.run("query", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	imported := map[string]int{} // set id -> import blocks naming it
	for _, block := range regexp.MustCompile(`(?ms)^import \{.*?^\}`).FindAll(generated, -1) {
		id := regexp.MustCompile(`(?m)^\s+id\s*=\s*"([^"]+)"`).FindSubmatch(block)
		if id == nil {
			t.Fatalf("an import block of generated.tf names no set id:\n%s", block)
		}
		imported[string(id[1])]++
	}
	for id, count := range imported {
		if count > 1 {
			t.Errorf("the query file imports set %s %d times (under as many addresses): its list blocks overlap", id, count)
		}
	}
	if len(imported) != n {
		t.Errorf("generated.tf imports %d sets, want the tenant's %d:\n%s", len(imported), n, generated)
	}
	if t.Failed() {
		t.FailNow()
	}
	if got := len(regexp.MustCompile(`(?m)^resource "zuora_sequence_set" `).FindAll(generated, -1)); got != n {
		t.Fatalf("generated.tf has %d resource blocks, want %d", got, n)
	}
	defaultPayment := `"P-"` // the DEFAULT set's reserved payment prefix, as the tenant holds it
	if p := env.mustSetByName("DEFAULT").Payment; p != nil {
		defaultPayment = fmt.Sprintf("%q", p.Prefix)
	}
	for _, want := range []string{`name = "DEFAULT"`, defaultPayment, "identity = {", `host = "` + env.url + `"`} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf lacks %s", want)
		}
	}
	t.Logf("generated.tf begins:\n%.1200s", generated)
	cli.run("validate", "-no-color")
	plan := cli.run("plan", "-no-color")
	if !strings.Contains(plan, fmt.Sprintf("%d to import, 0 to add, 0 to change, 0 to destroy", n)) {
		t.Fatalf("the plan of the generated config is not a pure import:\n%s", plan)
	}
	cli.run("apply", "-auto-approve", "-no-color")
	if got := len(stateAddresses(cli)); got != n {
		t.Fatalf("state holds %d sets after the import, want %d", got, n)
	}
	cli.planIsEmpty()
	assertNothingWritten(t, env)
}

const listResourceExample = "../../examples/list-resources/zuora_sequence_set"
