package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The reserved-prefix rule, whole. Zuora keeps reservedPrefixes for its own
// documents and refuses them in any set but the built-in DEFAULT, which
// uses P- and R-. Where each case is decided, and what it does:
//
//	container          | case                                             | decided in     | outcome
//	-------------------+--------------------------------------------------+----------------+------------------------------
//	any                | the set is DEFAULT                               | -              | allowed (its own P- and R-)
//	invoice, memos     | reserved prefix in the configuration             | ValidateConfig | error
//	payment, refund    | reserved prefix on create                        | ModifyPlan     | error
//	payment, refund    | prefix changed to a reserved one                 | ModifyPlan     | error
//	payment, refund    | reserved prefix as in state, start number kept   | -              | allowed (nothing is sent)
//	payment, refund    | reserved prefix as in state, start number changed| ModifyPlan     | error: give it a prefix of its own
//	payment, refund    | name unknown until apply                         | -              | decided at apply's plan
//
// Why payment and refund differ: in the inherited read mode
// (sequence_set_inherited.go) Zuora shows a set created without them with
// DEFAULT's P- and R-, although the set stores none. Configuration
// generated from such a set (plan -generate-config-out, terraform query,
// the bulk-import recipes) holds them and must validate and import with no
// change, so the rule applies only to what would be sent. A reserved
// prefix in state is always such an inherited one (Zuora refuses it in a
// set of its own), and Zuora stores nothing for that container: a change
// of its start number alone is sent without a prefix, which Zuora refuses
// (50000022 payment.prefix is required), and sending the prefix would be
// refused as reserved. Such a change is refused at plan time.
var reservedPrefixes = []string{"P-", "R-", "PM-", "PG-", "PREVIEW-", "TMP-INV-", "TMP-CM-", "TMP-DM-"}

// reservedPrefixProblems reports reserved prefixes. The built-in DEFAULT set
// itself uses P- and R-, so importing it must stay valid.
func reservedPrefixProblems(set zuora.SequenceSet) []prefixProblem {
	if set.Name == "DEFAULT" {
		return nil
	}
	var problems []prefixProblem
	for _, dt := range documentTypes {
		n := *dt.api(&set)
		if n != nil && isReserved(n.Prefix) {
			problems = append(problems, prefixProblem{dt.attr, fmt.Sprintf(
				"%s.prefix %q is reserved by Zuora; reserved prefixes are %s", dt.attr, n.Prefix, strings.Join(reservedPrefixes, ", "))})
		}
	}
	return problems
}

// isReserved reports whether Zuora keeps prefix for itself.
func isReserved(prefix string) bool { return slices.Contains(reservedPrefixes, prefix) }

// reservedInConfig reports the reserved prefixes ValidateConfig can refuse
// without knowing the prior state: those of invoices, credit memos and
// debit memos, which Zuora never reports for a set it did not store them
// for. label names the set in each diagnostic.
func reservedInConfig(set zuora.SequenceSet, label string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, p := range reservedPrefixProblems(set) {
		if !documentTypeOf(p.attr).optional {
			diags.AddAttributeError(p.path(), "Reserved prefix", aboutSet(label, p.message))
		}
	}
	return diags
}

// reservedToSend reports the reserved payment and refund prefixes the plan
// would send: all of them on create (state nil), on update the changed
// ones and those whose start number changes under an inherited prefix.
func reservedToSend(ctx context.Context, state *sequenceSetModel, plan sequenceSetModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if plan.Name.IsUnknown() {
		return nil // whether the set is DEFAULT is not known yet
	}
	set, d := apiFromModel(ctx, plan)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	label := setLabel(plan)
	var prior zuora.SequenceSet
	if state != nil {
		prior, _ = apiFromModel(ctx, *state)
		label = setLabel(*state)
	}
	for _, p := range reservedPrefixProblems(set) {
		dt := documentTypeOf(p.attr)
		if !dt.optional {
			continue // ValidateConfig's
		}
		before, after := *dt.api(&prior), *dt.api(&set)
		switch {
		case state == nil || before == nil || before.Prefix != after.Prefix:
			diags.AddAttributeError(p.path(), "Reserved prefix", aboutSet(label, p.message))
		case before.StartNumber != after.StartNumber:
			diags.AddAttributeError(p.path(), "Reserved prefix", aboutSet(label, fmt.Sprintf(
				"%s.start_number changes from %d to %d under %s.prefix %q, which is the DEFAULT set's: Zuora shows it "+
					"for a set that stores no numbering of %s of its own. The change cannot be sent: Zuora needs a prefix "+
					"for it, and refuses %q, which is reserved. Give the set a %s prefix of its own (not one of %s) with "+
					"this start number.",
				dt.attr, before.StartNumber, after.StartNumber, dt.attr, after.Prefix, dt.label, after.Prefix,
				dt.attr, strings.Join(reservedPrefixes, ", "))))
		}
	}
	return diags
}
