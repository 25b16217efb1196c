package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The prefix rule across sets (prefix_rules_across_sets.go), through the
// terraform CLI: one provider process per walk, as in a user's pipeline.

// namedSet is a set of config named res, in HCL.
func namedSet(res string, spec setSpec, extra string) string {
	return strings.Replace(spec.hcl(), `"test" {`, fmt.Sprintf("%q {\n%s", res, extra), 1)
}

// TestAccPrefixRulesAcrossSets_tenant: a new set whose credit_memo.prefix is
// the invoice prefix of a set the tenant holds fails at plan, naming the
// attribute and the owning set, and its apply sends nothing.
func TestAccPrefixRulesAcrossSets_tenant(t *testing.T) {
	env := newTestEnv(t)
	owner := env.createSet(env.unique(setSpec{name: "OWNER", invoice: num{"XPI", 1}, creditMemo: num{"XPC", 1}, debitMemo: num{"XPD", 1}}))
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd() // of what an apply that got through created
	xpi := owner.Invoice.Prefix
	writeConfig(t, dir, providerConfig()+env.unique(setSpec{name: "NEW", invoice: num{"NWI", 1}, debitMemo: num{"NWD", 1}}).
		withCreditMemo(num{xpi, 1}).hcl())
	want := regexp.MustCompile(`Error: Prefix used for another document type.*` + regexp.QuoteMeta(fmt.Sprintf(
		`credit_memo.prefix %q is already the invoice prefix of sequence set %q (ID %s) in the tenant.`, xpi, owner.Name, owner.ID)))
	for _, cmd := range [][]string{{"plan", "-no-color"}, {"apply", "-auto-approve", "-no-color"}} {
		env.sent.reset()
		out, err := cli.try(cmd...)
		if err == nil || !want.MatchString(flat(out)) {
			t.Fatalf("terraform %s: %v, want it refused with %s:\n%s", cmd[0], err, want, out)
		}
		if st := env.sent.stats(); st.Writes != 0 || st.ByRoute[listRoute] > env.listPages()+3 {
			t.Fatalf("terraform %s sent %v, want no write and at most one listing", cmd[0], st.ByRoute)
		}
	}
	if env.exists(env.name("NEW")) {
		t.Fatal("the refused set was created")
	}
}

// withCreditMemo is s with its credit memo numbering n, as given.
func (s setSpec) withCreditMemo(n num) setSpec {
	s.creditMemo = n
	return s
}

// TestAccPrefixRulesAcrossSets_configuration: two new sets of one
// configuration, one with invoice prefix QQI, the other with credit memo
// prefix QQI, fail the plan whichever is planned first: the one planned
// second names the other.
func TestAccPrefixRulesAcrossSets_configuration(t *testing.T) {
	env := newTestEnv(t)
	qqi := env.prefix("QQI")
	inv := env.unique(setSpec{name: "INV", invoice: num{"QAI", 1}, creditMemo: num{"QAC", 1}, debitMemo: num{"QAD", 1}})
	inv.invoice = num{qqi, 1}
	cm := env.unique(setSpec{name: "CM", invoice: num{"QBI", 1}, creditMemo: num{"QBC", 1}, debitMemo: num{"QBD", 1}})
	cm.creditMemo = num{qqi, 1}
	for _, order := range []struct {
		name, config string
		second       string // the attribute refused
		first        string // the set it names
	}{
		{"any order", namedSet("inv", inv, "") + namedSet("cm", cm, ""), "", ""},
		{"invoice first", namedSet("inv", inv, "") + namedSet("cm", cm, "  depends_on = [zuora_sequence_set.inv]\n"), "credit_memo", inv.name},
		{"credit memo first", namedSet("inv", inv, "  depends_on = [zuora_sequence_set.cm]\n") + namedSet("cm", cm, ""), "invoice", cm.name},
	} {
		t.Run(order.name, func(t *testing.T) {
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.destroyAtEnd() // of what an apply that got through created
			writeConfig(t, dir, providerConfig()+order.config)
			env.sent.reset()
			out, err := cli.try("apply", "-auto-approve", "-no-color")
			want := `Error: Prefix used for another document type`
			if order.second != "" {
				other := map[string]string{"invoice": "credit_memo", "credit_memo": "invoice"}[order.second]
				want = fmt.Sprintf(`%s.prefix %q is already the %s prefix of sequence set %q in this configuration.`, order.second, qqi, other, order.first)
			}
			if err == nil || !strings.Contains(flat(out), want) {
				t.Fatalf("apply: %v, want it refused at plan with %s:\n%s", err, want, out)
			}
			if st := env.sent.stats(); st.Writes != 0 {
				t.Fatalf("the refused apply sent %v", st.ByRoute)
			}
		})
	}
}

// TestAccPrefixRulesAcrossSets_noPrefixNoRequest: a plan that sends no
// prefix (a start number changed, a set renamed) reads nothing more than
// its refresh: one GET for a lone set in a tenant of more than a page.
func TestAccPrefixRulesAcrossSets_noPrefixNoRequest(t *testing.T) {
	env := newTestEnv(t)
	env.seedSets(45)
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	spec := env.unique(setSpec{name: "LONE", invoice: num{"NPI", 1}, creditMemo: num{"NPC", 1}, debitMemo: num{"NPD", 1}})
	writeConfig(t, dir, providerConfig()+spec.hcl())
	cli.destroyAtEnd()
	cli.run("apply", "-auto-approve", "-no-color")
	spec.invoice.start = 5000
	writeConfig(t, dir, providerConfig()+spec.hcl())
	env.sent.reset()
	out := cli.run("plan", "-no-color")
	if !strings.Contains(out, "1 to change") {
		t.Fatalf("the plan does not change the start number:\n%s", out)
	}
	if st := env.sent.stats(); st.APIRequests != 1 || st.ByRoute[getRoute] != 1 {
		t.Fatalf("a plan that sends no prefix sent %v, want its one GET", st.ByRoute)
	}
}

// TestAccPrefixRulesAcrossSets_bigPlan: a plan of 200 sets that adds one
// costs at most ⌈(S+1)/40⌉ + 3 requests in all: the refresh and the check
// share one listing.
func TestAccPrefixRulesAcrossSets_bigPlan(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, managedSets(200))
	cli.run("apply", "-auto-approve", "-no-color")
	s := len(env.allSets()) + 1
	for _, tc := range []struct{ name, creditMemo, refused string }{
		{"a set of its own", "NEWC", ""},
		{"a set whose credit memo prefix is L-7's invoice prefix", "LI7", `credit_memo.prefix "LI7" is already the invoice prefix of sequence set "L-7"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeConfig(t, dir, managedSets(200)+namedSet("new", setSpec{name: "NEW", invoice: num{"NEWI", 1}, creditMemo: num{tc.creditMemo, 1}, debitMemo: num{"NEWD", 1}}, ""))
			env.sent.reset()
			out, err := cli.try("plan", "-no-color")
			switch {
			case tc.refused == "" && (err != nil || !strings.Contains(out, "1 to add, 0 to change")):
				t.Fatalf("the plan does not add the one set: %v\n%s", err, out)
			case tc.refused != "" && (err == nil || !strings.Contains(flat(out), tc.refused)):
				t.Fatalf("the plan was not refused with %s: %v\n%s", tc.refused, err, out)
			}
			budget(t, env, "a plan of 200 sets that adds one", (s+1+39)/40+3)
		})
	}
}

// TestAccPrefixRulesAcrossSets_listingUnreadable: a listing that fails, or
// never ends, skips the check with a warning; the plan goes on.
func TestAccPrefixRulesAcrossSets_listingUnreadable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*zuorafake.Server)
	}{
		{"failed page", func(f *zuorafake.Server) {
			f.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: listRoute, Count: 10, Status: 403, ContentType: "application/json",
				Body: `{"success":false,"processId":"A1B2C3","reasons":[{"code":50000010,"message":"Permission denied: Sequence Sets"}]}`})
		}},
		{"endless listing", func(f *zuorafake.Server) {
			if err := f.SetEndlessListing(zuorafake.EndlessNewIDs); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newLocalTestEnv(t, zuorafake.Options{})
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			writeConfig(t, dir, managedSets(2))
			tc.spoil(env.fake)
			env.sent.reset()
			start := time.Now()
			out, err := cli.try("plan", "-json")
			took := time.Since(start)
			st := env.sent.stats()
			t.Logf("the plan took %s and sent %d list pages", took.Round(time.Millisecond), st.ByRoute[listRoute])
			if err != nil || !strings.Contains(out, `"add":2,`) {
				t.Fatalf("the plan failed: %v\n%s", err, out)
			}
			if n := strings.Count(out, `"summary":"Prefix check against the tenant skipped"`); n != 2 {
				t.Fatalf("%d warnings of the skipped check, want one per new set:\n%s", n, out)
			}
		})
	}
}

// TestAccPrefixRulesAcrossSets_inheritedPaymentRefund: in the read mode
// that shows DEFAULT's P- and R- for a set without its own, those are no
// other type's prefixes: new sets, with payment and refund of their own or
// without, and a set given a payment block beside them, plan as usual. A
// real conflict is still refused in that mode.
func TestAccPrefixRulesAcrossSets_inheritedPaymentRefund(t *testing.T) {
	for _, leg := range readModeLegs() {
		t.Run(leg.name, func(t *testing.T) {
			env := leg.env(t)
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.destroyAtEnd()
			old := env.unique(setSpec{name: "OLD", invoice: num{"IOI", 1}, creditMemo: num{"IOC", 1}, debitMemo: num{"IOD", 1}})
			writeConfig(t, dir, providerConfig()+namedSet("old", old, ""))
			cli.run("apply", "-auto-approve", "-no-color")

			old.pay = num{env.prefix("IOP-"), 1}
			bare := env.unique(setSpec{name: "BARE", invoice: num{"IBI", 1}, creditMemo: num{"IBC", 1}, debitMemo: num{"IBD", 1}})
			own := env.unique(setSpec{name: "OWN", invoice: num{"IWI", 1}, creditMemo: num{"IWC", 1}, debitMemo: num{"IWD", 1}, pay: num{"IWP-", 1}, ref: num{"IWR-", 1}})
			config := providerConfig() + namedSet("old", old, "") + namedSet("bare", bare, "") + namedSet("own", own, "")
			writeConfig(t, dir, config)
			out, err := cli.try("plan", "-no-color")
			if err != nil || !strings.Contains(out, "2 to add, 1 to change") || strings.Contains(out, "Prefix used") || strings.Contains(out, "Prefix check") {
				t.Fatalf("the plan: %v, want 2 to add and 1 to change with no prefix diagnostic:\n%s", err, out)
			}

			clash := env.unique(setSpec{name: "CLASH", invoice: num{"ICI", 1}, debitMemo: num{"ICD", 1}})
			clash.creditMemo = num{old.invoice.prefix, 1}
			writeConfig(t, dir, config+namedSet("clash", clash, ""))
			out, err = cli.try("plan", "-no-color")
			want := fmt.Sprintf(`credit_memo.prefix %q is already the invoice prefix of sequence set %q`, old.invoice.prefix, old.name)
			if err == nil || !strings.Contains(flat(out), want) {
				t.Fatalf("the plan: %v, want it refused with %s:\n%s", err, want, out)
			}
			writeConfig(t, dir, config) // for the destroy: its refresh plans the configuration
		})
	}
}
