package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The inherited payment/refund mode. The contract leaves open whether
// Zuora's GET shows payment and refund for a set created without them; when
// it does, it shows the DEFAULT set's (P- and R-, start 1) although the set
// stores none. Two things follow, both handled here:
//
//   - A container whose prefix changes is sent whole, prefix and
//     start_number: Zuora requires both for a container the set does not
//     store, and a new prefix has issued no numbers, so sending the start
//     number with it costs nothing.
//   - The reserved-prefix rule applies to a payment or refund prefix only
//     when it would be sent (on create, or changed from the prior state):
//     configuration generated from such a set (plan -generate-config-out,
//     terraform query, the bulk-import recipes) holds the inherited P- and
//     R-, and must validate and import with no change.

// withStartNumber completes the patch of a container whose prefix changes.
func withStartNumber(p *zuora.NumberingPatch, after *zuora.Numbering) {
	if p.Prefix != nil && p.StartNumber == nil {
		n := after.StartNumber
		p.StartNumber = &n
	}
}

// reservedInConfig reports the reserved prefixes ValidateConfig can refuse
// without knowing the prior state: those of invoices, credit memos and
// debit memos, which Zuora never reports for a set it did not store them
// for.
func reservedInConfig(set zuora.SequenceSet) []prefixProblem {
	var out []prefixProblem
	for _, p := range reservedPrefixProblems(set) {
		if !documentTypeOf(p.attr).optional {
			out = append(out, p)
		}
	}
	return out
}

// reservedToSend reports the reserved payment and refund prefixes the plan
// would send: all of them on create (state nil), the changed ones on
// update.
func reservedToSend(ctx context.Context, state *sequenceSetModel, plan sequenceSetModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if plan.Name.IsUnknown() {
		return nil // whether the set is DEFAULT is not known yet
	}
	set, d := apiFromModel(ctx, plan)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	var prior zuora.SequenceSet
	if state != nil {
		prior, _ = apiFromModel(ctx, *state)
	}
	for _, p := range reservedPrefixProblems(set) {
		dt := documentTypeOf(p.attr)
		if !dt.optional {
			continue // ValidateConfig's
		}
		if before := *dt.api(&prior); state != nil && before != nil && before.Prefix == (*dt.api(&set)).Prefix {
			continue // unchanged: nothing is sent
		}
		diags.AddAttributeError(p.path(), "Reserved prefix", p.message)
	}
	return diags
}

// documentTypeOf is the document type of a Terraform attribute name.
func documentTypeOf(attr string) documentType {
	for _, dt := range documentTypes {
		if dt.attr == attr {
			return dt
		}
	}
	return documentType{attr: attr}
}
