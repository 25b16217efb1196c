package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Reads served from one listing (issue 13), through the terraform CLI: a
// plan's requests are counted at the local Zuora, one provider process per
// plan as in a user's pipeline.

const (
	getRoute   = "GET /v1/sequence-sets/{id}"
	tokenRoute = "POST /oauth/token"
)

// listingConfig manages n sets of env's with count, and reads set 0 back
// through both data sources, after any change to it.
func (e *testEnv) listingConfig(n int, start int64, providerLines ...string) string {
	return providerConfig(providerLines...) + fmt.Sprintf(`
resource "zuora_sequence_set" "s" {
  count       = %[1]d
  name        = "%[2]s-${count.index}"
  invoice     = { prefix = "%[3]sLI${count.index}", start_number = %[4]d }
  credit_memo = { prefix = "%[3]sLC${count.index}", start_number = %[4]d }
  debit_memo  = { prefix = "%[3]sLD${count.index}", start_number = %[4]d }
}
`, n, e.namePrefix, e.prefixBase, start) + strings.ReplaceAll(readBack, `"L-0"`, fmt.Sprintf("%q", e.namePrefix+"-0"))
}

// listPages is how many list pages a listing of the tenant takes: paging
// ends on a page that is not full.
func (e *testEnv) listPages() int { return len(e.allSets())/40 + 1 }

// managedSets is the terraform and provider blocks and n sets.
func managedSets(n int) string {
	return providerConfig() + countedSets("s", "L", n, 1)
}

// managedSetsFrom is managedSets with invoice start numbers from start.
func managedSetsFrom(n int, start int64) string {
	return providerConfig() + countedSets("s", "L", n, start)
}

// providerConfig is the terraform and provider blocks, configured from the
// environment and lines.
func providerConfig(lines ...string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    zuora = { source = "terraform-zuora/zuora" }
  }
}

provider "zuora" {
  %s
}
`, strings.Join(lines, "\n  "))
}

// readBack reads set 0 through both data sources.
const readBack = `
data "zuora_sequence_set" "first" {
  id = zuora_sequence_set.s[0].id
}

data "zuora_sequence_sets" "all" {
  depends_on = [zuora_sequence_set.s]
}

output "first_invoice_start" {
  value = data.zuora_sequence_set.first.invoice.start_number
}

output "listed_invoice_start" {
  value = one([for s in data.zuora_sequence_sets.all.sequence_sets : s.invoice.start_number if s.name == "L-0"])
}
`

// writeConfig replaces the working directory's configuration.
func writeConfig(t *testing.T, dir, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// budget fails the test when the requests since the last reset exceed
// what a plan of a tenant of s sets may cost, and reports them.
func budget(t *testing.T, env *testEnv, what string, maxV1 int) sentStats {
	t.Helper()
	st := env.sent.stats()
	t.Logf("%s: %d requests to /v1 (%d list pages, %d GETs by id), %d tokens",
		what, st.APIRequests, st.ByRoute[listRoute], st.ByRoute[getRoute], st.ByRoute[tokenRoute])
	if st.APIRequests > maxV1 {
		t.Fatalf("%s sent %d requests to /v1, want at most %d: %v", what, st.APIRequests, maxV1, st.ByRoute)
	}
	if st.TokenGrants > 1 {
		t.Fatalf("%s took %d tokens, want at most one", what, st.TokenGrants)
	}
	return st
}

func TestAccListingReads_planOfManySets(t *testing.T) {
	env := newTestEnv(t)
	const n = 64 // with DEFAULT, S = 65 or more: two pages of 40 at least
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, env.listingConfig(n, 1))
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	pages := env.listPages()

	// Refresh of 64 sets and the two data sources: one listing.
	env.sent.reset()
	cli.planIsEmpty()
	st := budget(t, env, "a plan of 64 sets", pages+3)
	if st.ByRoute[getRoute] > 1 {
		t.Fatalf("the plan read %d sets by id, want at most the lone first read", st.ByRoute[getRoute])
	}

	// Drift and a deletion made outside Terraform still show; the missing
	// set is confirmed with a GET before it is dropped.
	drifted := int64(77)
	env.updateSet(env.namePrefix+"-7", zuora.SequenceSetPatch{Invoice: &zuora.NumberingPatch{StartNumber: &drifted}})
	env.deleteSet(env.namePrefix + "-9")
	env.sent.reset()
	plan, err := cli.try("plan", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, plan)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`zuora_sequence_set\.s\[7\] will be updated in-place`),
		regexp.MustCompile(`~ start_number = 77 -> 1`),
		regexp.MustCompile(`zuora_sequence_set\.s\[9\] will be created`),
		regexp.MustCompile(`1 to add, 1 to change, 0 to destroy`),
	} {
		if !want.MatchString(plan) {
			t.Fatalf("the plan lacks %s:\n%s", want, plan)
		}
	}
	st = budget(t, env, "a plan with drift", pages+3+1)
	if st.ByRoute[getRoute] < 1 {
		t.Fatal("the deleted set was dropped without a GET confirming it")
	}
	cli.run("apply", "-auto-approve", "-no-color")

	// The switch restores one GET per set.
	for _, off := range []struct{ how, line string }{
		{"read_from_listing = false", "read_from_listing = false"},
		{envReadListing + "=false", ""},
	} {
		t.Run(off.how, func(t *testing.T) {
			writeConfig(t, dir, env.listingConfig(n, 1, off.line))
			if off.line == "" {
				cli.env = append(cli.env, envReadListing+"=false")
			}
			env.sent.reset()
			cli.planIsEmpty()
			st := env.sent.stats()
			// The sets and the one data source by id: a GET each; the
			// list data source: its own two pages.
			if st.ByRoute[listRoute] != pages || st.ByRoute[getRoute] != n+1 {
				t.Fatalf("with %s the plan sent %v, want %d GETs by id and the list data source's %d pages", off.how, st.ByRoute, n+1, pages)
			}
		})
	}
}

// TestAccListingReads_dataSourcesSeeWrites: data sources that depend on a
// set updated in the same apply show the new values, though the plan served
// them from the listing.
func TestAccListingReads_dataSourcesSeeWrites(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, env.listingConfig(12, 1))
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	writeConfig(t, dir, env.listingConfig(12, 5000))
	cli.run("apply", "-auto-approve", "-no-color")
	for _, out := range []string{"first_invoice_start", "listed_invoice_start"} {
		if got := strings.TrimSpace(cli.run("output", "-raw", out)); got != "5000" {
			t.Fatalf("output %s = %s after the update, want 5000", out, got)
		}
	}
	cli.planIsEmpty()
}

// TestAccListingReads_bigTenant: a plan of a configuration's sets in a
// tenant of 2,000 costs at most half the GETs it replaces.
//
// The 200 sets are the last 5 of 50 pages. The listing spends no more pages
// without a set asked for than there were sets asked of it (plus 3), so
// that a listing that never ends stays cheap: the first -parallelism reads
// allow 13 such pages, each later wave 10 more, and the listing reaches the
// sets after four waves read by GET (51 pages and 40 GETs here).
func TestAccListingReads_bigTenant(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	seedFake(env.fake, 1799)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, managedSets(200)) // S = 1799 + 200 + DEFAULT = 2000
	cli.run("apply", "-auto-approve", "-no-color")
	env.sent.reset()
	cli.planIsEmpty()
	budget(t, env, "a plan of 200 sets in a tenant of 2,000", 100)
}

// TestAccListingReads_loneSet: a plan of a single set costs one GET, not a
// listing, in a tenant of more than one page.
func TestAccListingReads_loneSet(t *testing.T) {
	env := newTestEnv(t)
	env.seedSets(45)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, providerConfig()+env.unique(setSpec{name: "LONE", invoice: num{"LNI", 1}, creditMemo: num{"LNC", 1}, debitMemo: num{"LND", 1}}).hcl())
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	env.sent.reset()
	cli.planIsEmpty()
	st := budget(t, env, "a plan of 1 set in a tenant of more than a page", 1)
	if st.ByRoute[listRoute] != 0 || st.ByRoute[getRoute] != 1 {
		t.Fatalf("a plan of 1 set sent %v, want one GET by id and no list page", st.ByRoute)
	}
}

// TestAccListingReads_neverEndingListing: against a local Zuora whose list
// pages are always full (of sets without an id, or of ids never listed
// before), a plan of 3 unchanged sets still ends, soon and cheaply.
func TestAccListingReads_neverEndingListing(t *testing.T) {
	for _, mode := range []zuorafake.EndlessListing{zuorafake.EndlessWithoutIDs, zuorafake.EndlessNewIDs} {
		t.Run(string(mode), func(t *testing.T) {
			env := newLocalTestEnv(t, zuorafake.Options{Latency: 20 * time.Millisecond})
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			writeConfig(t, dir, managedSets(3))
			cli.run("apply", "-auto-approve", "-no-color")
			if err := env.fake.SetEndlessListing(mode); err != nil {
				t.Fatal(err)
			}
			env.sent.reset()
			start := time.Now()
			cli.planIsEmpty()
			took := time.Since(start)
			st := budget(t, env, "a plan of 3 sets against a listing that never ends", 12)
			if st.ByRoute[listRoute] > 12 || took > time.Minute {
				t.Fatalf("the plan took %s and %d list requests, want at most 60s and 12", took, st.ByRoute[listRoute])
			}
			t.Logf("the plan took %s", took.Round(time.Millisecond))
		})
	}
}

// TestAccListingReads_waitWarningPerResource: a hold on the listing's page
// is waited by every read served from it, and each resource's warning says
// so, not only the one whose read happened to start the page.
func TestAccListingReads_waitWarningPerResource(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.env = append(cli.env, waitWarningEnv+"=500ms") // a minute in real use
	writeConfig(t, dir, managedSets(3))
	cli.run("apply", "-auto-approve", "-no-color")
	env.fake.ResetStats()
	env.fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: listRoute, RetryAfter: 1500 * time.Millisecond})
	out := cli.run("plan", "-json")
	warned := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "Zuora's limits held this operation") {
			continue
		}
		if !regexp.MustCompile(`The read of sequence set \S+ \(ID [0-9a-f]{32}\) waited [12]s in all`).MatchString(line) {
			t.Errorf("a warning that does not say how long the read waited: %s", line)
		}
		if m := regexp.MustCompile(`"address":"(zuora_sequence_set\.s\[\d\])"`).FindStringSubmatch(line); m != nil {
			warned[m[1]] = true
		}
	}
	if len(warned) != 3 {
		t.Fatalf("warnings for %v, want one for each of the 3 sets:\n%s", warned, out)
	}
	if st := env.fake.Stats(); st.ByRoute[listRoute] != 2 || st.ByRoute[getRoute] > 1 {
		t.Fatalf("%v: want the page refused once, then answered, serving the reads", st.ByRoute)
	}
}
