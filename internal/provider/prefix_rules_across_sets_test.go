package provider

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// nb is a container of a test set.
func nb(prefix string) *zuora.Numbering { return &zuora.Numbering{Prefix: prefix, StartNumber: 1} }

// held is a set of the tenant in a case of the prefix rule across sets.
type held struct {
	set zuora.SequenceSet
	// deleted: the set was deleted before the plan. Zuora still refuses
	// its prefixes for another type; the listing cannot show them.
	deleted bool
}

// acrossSetsCase is one case of the rule: the tenant's sets, a set's prior
// state (nil: a create) and its plan, and the attributes refused.
type acrossSetsCase struct {
	name   string
	tenant []held
	prior  *zuora.SequenceSet // one of the tenant's sets, updated to plan
	plan   zuora.SequenceSet
	want   []string // the attributes refused at plan
	// listingCannotKnow: Zuora refuses what the plan cannot see.
	listingCannotKnow bool
}

var (
	ownerXPI = zuora.SequenceSet{Name: "OWNER", Invoice: nb("XPI"), CreditMemo: nb("XPC"), DebitMemo: nb("XPD"), Payment: nb("XPP-")}
	inherits = zuora.SequenceSet{Name: "INHERITS", Invoice: nb("IHI"), CreditMemo: nb("IHC"), DebitMemo: nb("IHD")}
)

var acrossSetsCases = []acrossSetsCase{
	{
		name:   "a new set's credit memo prefix is another set's invoice prefix",
		tenant: []held{{set: ownerXPI}},
		plan:   zuora.SequenceSet{Name: "NEW", Invoice: nb("NI"), CreditMemo: nb("XPI"), DebitMemo: nb("ND")},
		want:   []string{"credit_memo"},
	},
	{
		name:   "the same prefix for the same type in two sets is allowed",
		tenant: []held{{set: ownerXPI}},
		plan:   zuora.SequenceSet{Name: "NEW", Invoice: nb("XPI"), CreditMemo: nb("NC"), DebitMemo: nb("ND"), Payment: nb("XPP-")},
	},
	{
		name:   "every container is checked",
		tenant: []held{{set: ownerXPI}},
		plan:   zuora.SequenceSet{Name: "NEW", Invoice: nb("XPD"), CreditMemo: nb("XPP-"), DebitMemo: nb("XPC"), Refund: nb("XPP-")},
		want:   []string{"invoice", "credit_memo", "debit_memo", "refund"},
	},
	{
		name:   "prefixes are compared exactly: case tells them apart",
		tenant: []held{{set: ownerXPI}},
		plan:   zuora.SequenceSet{Name: "NEW", Invoice: nb("NI"), CreditMemo: nb("xpi"), DebitMemo: nb("ND")},
	},
	{
		name:   "an update that changes a prefix to another set's of another type",
		tenant: []held{{set: ownerXPI}, {set: zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")}}},
		prior:  &zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")},
		plan:   zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("XPI")},
		want:   []string{"debit_memo"},
	},
	{
		name:   "an update that swaps a set's own prefixes between types",
		tenant: []held{{set: zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")}}},
		prior:  &zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")},
		plan:   zuora.SequenceSet{Name: "MINE", Invoice: nb("MC"), CreditMemo: nb("MI"), DebitMemo: nb("MD")},
		want:   []string{"invoice", "credit_memo"},
	},
	{
		name:   "an update that keeps its prefixes sends none",
		tenant: []held{{set: ownerXPI}, {set: zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")}}},
		prior:  &zuora.SequenceSet{Name: "MINE", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")},
		plan:   zuora.SequenceSet{Name: "MINE2", Invoice: nb("MI"), CreditMemo: nb("MC"), DebitMemo: nb("MD")},
	},
	{
		name:   "DEFAULT's P- and R- are no other type's: a new payment prefix beside sets without their own",
		tenant: []held{{set: inherits}},
		plan:   zuora.SequenceSet{Name: "NEW", Invoice: nb("NI"), CreditMemo: nb("NC"), DebitMemo: nb("ND"), Payment: nb("NP-"), Refund: nb("NR-")},
	},
	{
		name:              "a prefix of a set since deleted: Zuora remembers it, the listing cannot",
		tenant:            []held{{set: ownerXPI, deleted: true}},
		plan:              zuora.SequenceSet{Name: "NEW", Invoice: nb("NI"), CreditMemo: nb("XPI"), DebitMemo: nb("ND")},
		listingCannotKnow: true,
	},
}

// TestPrefixTypeConflicts: the rule on its table, from a listing that shows
// the tenant's sets as they are now.
func TestPrefixTypeConflicts(t *testing.T) {
	for _, tc := range acrossSetsCases {
		t.Run(tc.name, func(t *testing.T) {
			var listed []zuora.SequenceSet
			for i, h := range tc.tenant {
				if !h.deleted {
					s := h.set
					s.ID = strings.Repeat(string(rune('a'+i)), 32)
					listed = append(listed, s)
				}
			}
			got := prefixTypeConflicts(prefixesToSend(tc.plan, tc.prior), indexSets(listed), "in the tenant")
			var attrs []string
			for _, p := range got {
				attrs = append(attrs, p.attr)
				if !strings.HasPrefix(p.message, p.attr+".prefix ") || !strings.Contains(p.message, "of sequence set \"") {
					t.Errorf("a message that does not name its attribute and the owning set: %s", p.message)
				}
			}
			if !slices.Equal(attrs, tc.want) {
				t.Fatalf("refused %v, want %v: %v", attrs, tc.want, got)
			}
		})
	}
	got := prefixTypeConflicts(prefixesToSend(acrossSetsCases[0].plan, nil),
		indexSets([]zuora.SequenceSet{{ID: strings.Repeat("a", 32), Name: "OWNER", Invoice: nb("XPI")}}), "in the tenant")
	want := `credit_memo.prefix "XPI" is already the invoice prefix of sequence set "OWNER" (ID aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa) in the tenant.`
	if len(got) != 1 || !strings.HasPrefix(got[0].message, want) {
		t.Fatalf("message %v, want it to start %s", got, want)
	}
}

// TestPrefixTypeConflicts_agreeWithLocalZuora: the provider's rule, reading
// the tenant through the client's listing, and the local Zuora's own
// (internal/zuorafake/rules.go), refusing the same plan on every case, but
// those the listing cannot know.
func TestPrefixTypeConflicts_agreeWithLocalZuora(t *testing.T) {
	for _, tc := range acrossSetsCases {
		t.Run(tc.name, func(t *testing.T) {
			fake := zuorafake.New(zuorafake.Options{ReadShowsInheritedPaymentRefund: true})
			srv := httptest.NewServer(fake)
			defer srv.Close()
			cfg := zuora.Config{BaseURL: srv.URL, ClientID: zuorafake.DefaultClientID, ClientSecret: zuorafake.DefaultClientSecret, ProviderVersion: "test"}
			shortBackoff(&cfg)
			client, err := zuora.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]string{}
			for _, h := range tc.tenant {
				stored := fake.CreateOutOfBand(toFake(h.set))
				ids[h.set.Name] = stored.ID
				if h.deleted {
					if err := fake.DeleteOutOfBand(stored.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			ctx := context.Background()

			listed, err := client.ReadSequenceSets(ctx, zuora.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			planRefuses := len(prefixTypeConflicts(prefixesToSend(tc.plan, tc.prior), indexSets(listed), "in the tenant")) > 0

			if tc.prior == nil {
				_, err = client.CreateSequenceSet(ctx, tc.plan)
			} else {
				err = client.UpdateSequenceSet(ctx, ids[tc.prior.Name], patchOf(*tc.prior, tc.plan))
			}
			zuoraRefuses := err != nil && strings.Contains(err.Error(), "is already used for")
			if err != nil && !zuoraRefuses {
				t.Fatalf("the local Zuora refused for another reason: %v", err)
			}
			if want := zuoraRefuses && !tc.listingCannotKnow; planRefuses != want || zuoraRefuses != (len(tc.want) > 0 || tc.listingCannotKnow) {
				t.Fatalf("the plan refuses: %v; the local Zuora refuses: %v (%v); the table says %v", planRefuses, zuoraRefuses, err, tc.want)
			}
		})
	}
}

// localZuora is a local Zuora holding sets, and a client of it that
// reads from the listing, as the provider's does.
func localZuora(t *testing.T, sets ...zuora.SequenceSet) (*zuorafake.Server, *zuora.Client) {
	t.Helper()
	fake := zuorafake.New(zuorafake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := zuora.Config{BaseURL: srv.URL, ClientID: zuorafake.DefaultClientID, ClientSecret: zuorafake.DefaultClientSecret, ProviderVersion: "test"}
	shortBackoff(&cfg)
	client, err := zuora.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		fake.CreateOutOfBand(toFake(s))
	}
	return fake, client
}

// errorsOf are the error details of diags.
func errorsOf(diags diag.Diagnostics) []string {
	var out []string
	for _, d := range diags.Errors() {
		out = append(out, d.Detail())
	}
	return out
}

// TestAcrossSets_configuration: of two sets planned at once that give one
// prefix to two types, exactly one is refused, naming the other; a set
// planned again unchanged is no conflict of its own.
func TestAcrossSets_configuration(t *testing.T) {
	for range 20 {
		_, client := localZuora(t)
		a := newAcrossSets(client)
		inv := zuora.SequenceSet{Name: "INV", Invoice: nb("QQI"), CreditMemo: nb("IC"), DebitMemo: nb("ID")}
		cm := zuora.SequenceSet{Name: "CM", Invoice: nb("CI"), CreditMemo: nb("QQI"), DebitMemo: nb("CD")}
		var wg sync.WaitGroup
		got := make([][]string, 2)
		for i, s := range []zuora.SequenceSet{inv, cm} {
			wg.Go(func() {
				got[i] = errorsOf(a.checkPrefixesAcrossSets(context.Background(), nil, modelFromAPI(s), false))
			})
		}
		wg.Wait()
		if len(got[0])+len(got[1]) != 1 {
			t.Fatalf("errors %v, want one, of the set planned second", got)
		}
		want := map[bool]string{
			true:  `invoice.prefix "QQI" is already the credit_memo prefix of sequence set "CM" in this configuration.`,
			false: `credit_memo.prefix "QQI" is already the invoice prefix of sequence set "INV" in this configuration.`,
		}[len(got[0]) == 1]
		if msg := slices.Concat(got[0], got[1])[0]; !strings.HasPrefix(msg, want) {
			t.Fatalf("error %q, want it to start %q", msg, want)
		}
		again := modelFromAPI(inv)
		if diags := a.checkPrefixesAcrossSets(context.Background(), &again, again, false); diags.HasError() {
			t.Fatalf("a set planned again without change: %v", diags)
		}
	}
}

// TestAcrossSets_tenantRead: the tenant is listed once, only for a plan
// that sends a prefix and is not refused already; a listing that fails
// warns each such plan, and is not read again.
func TestAcrossSets_tenantRead(t *testing.T) {
	owner := zuora.SequenceSet{Name: "OWNER", Invoice: nb("XPI"), CreditMemo: nb("XPC"), DebitMemo: nb("XPD")}
	fake, client := localZuora(t, owner)
	a := newAcrossSets(client)
	ctx := context.Background()
	lists := func() int { return fake.Stats().ByRoute["GET /v1/sequence-sets"] }

	kept := modelFromAPI(zuora.SequenceSet{Name: "KEPT", Invoice: nb("KI"), CreditMemo: nb("KC"), DebitMemo: nb("KD")})
	renamed := kept
	renamed.Name = types.StringValue("RENAMED")
	if diags := a.checkPrefixesAcrossSets(ctx, &kept, renamed, false); diags.HasError() || fake.Stats().APIRequests != 0 {
		t.Fatalf("a plan that sends no prefix: %v, %v sent", diags, fake.Stats().ByRoute)
	}
	clash := modelFromAPI(zuora.SequenceSet{Name: "NEW", Invoice: nb("NI"), CreditMemo: nb("XPI"), DebitMemo: nb("ND")})
	if diags := a.checkPrefixesAcrossSets(ctx, nil, clash, true); diags.HasError() || fake.Stats().APIRequests != 0 {
		t.Fatalf("a plan already refused: %v, %v sent", diags, fake.Stats().ByRoute)
	}
	for range 3 {
		errs := errorsOf(a.checkPrefixesAcrossSets(ctx, nil, clash, false))
		if len(errs) != 1 || !strings.HasPrefix(errs[0], `credit_memo.prefix "XPI" is already the invoice prefix of sequence set "OWNER" (ID `) {
			t.Fatalf("errors %v, want credit_memo refused naming OWNER", errs)
		}
	}
	if lists() != 1 {
		t.Fatalf("%d list pages for three plans, want the one listing", lists())
	}

	// From a listing the refresh already completed: no request.
	fake, client = localZuora(t, owner)
	if _, err := client.ReadSequenceSets(ctx, zuora.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	warm := fake.Stats().APIRequests
	if errs := errorsOf(newAcrossSets(client).checkPrefixesAcrossSets(ctx, nil, clash, false)); len(errs) != 1 || fake.Stats().APIRequests != warm {
		t.Fatalf("from a warm listing: %v, %d requests more, want the refusal and none", errs, fake.Stats().APIRequests-warm)
	}

	fake, client = localZuora(t, owner)
	a = newAcrossSets(client)
	fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: "GET /v1/sequence-sets", Count: 10, Status: 403, ContentType: "application/json",
		Body: `{"success":false,"processId":"A1B2C3","reasons":[{"code":50000010,"message":"Permission denied: Sequence Sets"}]}`})
	for range 2 {
		diags := a.checkPrefixesAcrossSets(ctx, nil, clash, false)
		if diags.HasError() || len(diags) != 1 || diags[0].Summary() != "Prefix check against the tenant skipped" ||
			!strings.Contains(diags[0].Detail(), "Permission denied") {
			t.Fatalf("a failing listing: %v, want the warning with Zuora's reason", diags)
		}
	}
	if n := lists(); n == 0 || n > 2 {
		t.Fatalf("%d list requests for two plans, want the one failed read (and its retry by the listing)", n)
	}
}

// toFake is s as the local Zuora stores it.
func toFake(s zuora.SequenceSet) zuorafake.SequenceSet {
	n := func(v *zuora.Numbering) *zuorafake.Numbering {
		if v == nil {
			return nil
		}
		return &zuorafake.Numbering{Prefix: v.Prefix, StartNumber: v.StartNumber}
	}
	return zuorafake.SequenceSet{Name: s.Name, Invoice: n(s.Invoice), CreditMemo: n(s.CreditMemo), DebitMemo: n(s.DebitMemo), Payment: n(s.Payment), Refund: n(s.Refund)}
}

// patchOf is the update from prior to plan: the changed prefixes and names.
func patchOf(prior, plan zuora.SequenceSet) zuora.SequenceSetPatch {
	var p zuora.SequenceSetPatch
	if plan.Name != prior.Name {
		p.Name = &plan.Name
	}
	for _, dt := range documentTypes {
		after, before := *dt.api(&plan), *dt.api(&prior)
		if after != nil && (before == nil || before.Prefix != after.Prefix) {
			prefix := after.Prefix
			*dt.patch(&p) = &zuora.NumberingPatch{Prefix: &prefix}
		}
	}
	return p
}
