package provider

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The prefix rule that spans sets (contract section 2): a prefix used for
// one document type can never be used for another, across all sets of the
// tenant. The rules within one set (reserved prefixes, digits, one prefix
// per type) are in rules.go; internal/zuorafake enforces all of them on the
// server side (rulePrefixType).
//
// A plan checks the prefixes it would send (a new set's, a changed one)
// against two sources:
//
//   - the tenant: every set it holds now, read through the client's
//     whole-listing read once per provider process, and only once some plan
//     brings a prefix new to its state. A plan that changes no prefix reads
//     nothing more. A listing that cannot be read skips the check with a
//     warning, never an error of its own. The listing shows only what the
//     sets hold now: a prefix once used by a set since deleted, or by
//     documents, is not in it, and Zuora may still refuse it at apply.
//   - the configuration: every set planned before in the same provider
//     process (one plan walk) records its prefixes, and a later one that
//     gives one of them to another document type fails naming it.
//     Terraform plans resources concurrently and each sees only its own, so
//     of two such sets the one planned second fails; the first cannot know
//     of it. Either way the plan fails.

// prefixCheckTimeout bounds the tenant's listing: the check is worth a
// short wait, not a plan held for minutes (the listing is then skipped).
const prefixCheckTimeout = 2 * time.Minute

// prefixHolder is a set that uses a prefix for one document type.
type prefixHolder struct {
	set  string // the set as messages name it
	attr string // the document type's attribute: "invoice", "credit_memo", ...
}

// sentPrefix is a prefix a plan would send for one document type.
type sentPrefix struct {
	attr, prefix string
}

// prefixesToSend are the prefixes of set that prior (nil on create) does
// not have for the same type: those the apply would send and Zuora check.
// Unknown and reserved prefixes are left out: the first cannot be checked
// yet, the second are refused by their own rule (or are DEFAULT's P- and
// R-, which Zuora may report for a set without its own).
func prefixesToSend(set zuora.SequenceSet, prior *zuora.SequenceSet) []sentPrefix {
	var out []sentPrefix
	for _, dt := range documentTypes {
		n := *dt.api(&set)
		if n == nil || n.Prefix == "" || slices.Contains(reservedPrefixes, n.Prefix) {
			continue
		}
		if prior != nil {
			if before := *dt.api(prior); before != nil && before.Prefix == n.Prefix {
				continue
			}
		}
		out = append(out, sentPrefix{dt.attr, n.Prefix})
	}
	return out
}

// prefixIndex is who holds each prefix, by prefix, in the order added.
type prefixIndex map[string][]prefixHolder

// add records the prefixes of set (reserved ones left out, as above) as
// held by the set named who.
func (ix prefixIndex) add(set zuora.SequenceSet, who string) {
	for _, dt := range documentTypes {
		n := *dt.api(&set)
		if n == nil || n.Prefix == "" || slices.Contains(reservedPrefixes, n.Prefix) {
			continue
		}
		h := prefixHolder{set: who, attr: dt.attr}
		if !slices.Contains(ix[n.Prefix], h) {
			ix[n.Prefix] = append(ix[n.Prefix], h)
		}
	}
}

// indexSets indexes the sets of a listing, each named with its id.
func indexSets(sets []zuora.SequenceSet) prefixIndex {
	ix := prefixIndex{}
	for _, s := range sets {
		ix.add(s, fmt.Sprintf("%q (ID %s)", s.Name, s.ID))
	}
	return ix
}

// prefixTypeConflicts reports each prefix of sent that ix holds for
// another document type, naming the first such holder; where says where
// the holder is ("in the tenant", "in this configuration").
func prefixTypeConflicts(sent []sentPrefix, ix prefixIndex, where string) []prefixProblem {
	var problems []prefixProblem
	for _, p := range sent {
		for _, h := range ix[p.prefix] {
			if h.attr == p.attr {
				continue
			}
			problems = append(problems, prefixProblem{p.attr, fmt.Sprintf(
				"%s.prefix %q is already the %s prefix of sequence set %s %s. Zuora ties a prefix to one document type "+
					"for good, across all sets of the tenant, so the apply would fail: choose another prefix.",
				p.attr, p.prefix, h.attr, h.set, where)})
			break
		}
	}
	return problems
}

// acrossSets is the state of the rule in one provider process: the
// tenant's listing, read once, and what the sets planned so far hold.
type acrossSets struct {
	client *zuora.Client

	listOnce sync.Once
	tenant   prefixIndex
	listErr  error

	mu      sync.Mutex
	planned prefixIndex
}

func newAcrossSets(client *zuora.Client) *acrossSets {
	return &acrossSets{client: client, planned: prefixIndex{}}
}

// checkPrefixesAcrossSets is the rule at plan time for the set planned
// (prior is its state, nil on create): its prefixes against the sets
// planned before it, then, when it sends any prefix, against the tenant's.
// A plan already refused (refused) asks nothing of the tenant: a refused
// configuration sends nothing.
func (a *acrossSets) checkPrefixesAcrossSets(ctx context.Context, prior *sequenceSetModel, plan sequenceSetModel, refused bool) diag.Diagnostics {
	if a == nil || a.client == nil {
		return nil // not configured
	}
	var diags diag.Diagnostics
	set, d := apiFromModel(ctx, plan)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	var before *zuora.SequenceSet
	if prior != nil {
		p, d := apiFromModel(ctx, *prior)
		if diags.Append(d...); diags.HasError() {
			return diags
		}
		before = &p
	}
	sent := prefixesToSend(set, before)
	name := fmt.Sprintf("%q", set.Name)
	if plan.Name.IsUnknown() {
		name = "(name known after apply)"
	}

	// The configuration: checked and recorded in one step, so that of two
	// sets planned at once the second sees the first.
	a.mu.Lock()
	inConfig := prefixTypeConflicts(sent, a.planned, "in this configuration")
	a.planned.add(set, name)
	a.mu.Unlock()
	for _, p := range inConfig {
		diags.AddAttributeError(p.path(), "Prefix used for another document type", p.message)
	}
	if len(sent) == 0 || refused || diags.HasError() {
		return diags // nothing to ask of the tenant
	}

	tenant, err := a.tenantPrefixes(ctx)
	if err != nil {
		diags.AddWarning("Prefix check against the tenant skipped",
			fmt.Sprintf("The plan could not read the tenant's sequence sets to check that the prefixes of %s are not used "+
				"for another document type, so it goes on without that check; the apply fails if one is: %s", name, err))
		return diags
	}
	for _, p := range prefixTypeConflicts(sent, tenant, "in the tenant") {
		diags.AddAttributeError(p.path(), "Prefix used for another document type", p.message)
	}
	return diags
}

// tenantPrefixes indexes every set the tenant holds, listed once per
// provider process: the first caller's read serves every later one, its
// failure included (the check is skipped then, not retried).
func (a *acrossSets) tenantPrefixes(ctx context.Context) (prefixIndex, error) {
	a.listOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, prefixCheckTimeout)
		defer cancel()
		sets, err := a.client.ReadSequenceSets(ctx, zuora.ListOptions{})
		a.tenant, a.listErr = indexSets(sets), err
	})
	return a.tenant, a.listErr
}
