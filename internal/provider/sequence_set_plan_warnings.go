package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Plan-time warnings of what a plan cannot do, so that a plan that looks
// fine does not fail at apply or change nothing in silence:
//
//   - destroying DEFAULT, which Zuora refuses;
//   - removing the payment or refund block of a set, which Zuora cannot do:
//     the set keeps its numbering and the plan shows no change;
//   - lowering the start number of a prefix, which fails if documents were
//     numbered past it. A new prefix has issued no numbers: the yearly
//     rollover (a new prefix starting again at 1) draws no warning.
//
// Whether a payment or refund block was in the configuration is not in the
// state (a set without one shows whatever Zuora reports), so the resource
// records, in private state, which of them the last create or update was
// configured with (sequence_set_records.go). A set without that record
// (imported, by any path, and not applied since) is decided from its state:
// a payment or refund whose prefix is not reserved is the set's own, since
// the DEFAULT set's P- and R-, which Zuora may show for a set without its
// own, are reserved (reserved_prefix.go).

// destroyWarnings warns of a destroy Zuora refuses.
func destroyWarnings(state sequenceSetModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if state.Name.ValueString() == "DEFAULT" {
		diags.AddWarning("Zuora does not delete the DEFAULT sequence set",
			"This plan destroys the DEFAULT sequence set, which Zuora refuses: the apply will fail for it. To stop "+
				"managing DEFAULT with Terraform without deleting it, replace its resource block with a removed "+
				"block (Terraform 1.7+, lifecycle { destroy = false }) or run terraform state rm on its address.")
	}
	return diags
}

// removedContainerWarnings warns of a payment or refund block that the last
// apply was configured with and the configuration no longer holds.
func removedContainerWarnings(ctx context.Context, private privateReader, state sequenceSetModel, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	recs, _ := readRecords(ctx, private, nil) // sequence_set_records.go
	before := recs.Configured
	if before == nil {
		before = ownContainers(ctx, state)
	}
	for _, dt := range documentTypes {
		if !dt.optional || !slices.Contains(before, dt.attr) {
			continue
		}
		var now types.Object
		if d := config.GetAttribute(ctx, path.Root(dt.attr), &now); d.HasError() || !now.IsNull() {
			continue
		}
		kept, _ := numberingFromObject(ctx, *dt.model(&state))
		keeps := "its current numbering"
		if kept != nil {
			keeps = fmt.Sprintf("prefix %q from start number %d", kept.Prefix, kept.StartNumber)
		}
		diags.AddAttributeWarning(path.Root(dt.attr), "The "+dt.attr+" block was removed, but Zuora keeps it",
			aboutSet(setLabel(state), fmt.Sprintf("The configuration no longer has a %s block. Zuora cannot remove the "+
				"numbering of %s from a set, so nothing changes: the set keeps %s, and this plan shows no change "+
				"for it. Put the %s block back to keep the configuration in step with Zuora, or change its prefix "+
				"and start_number to number %s differently.",
				dt.attr, dt.label, keeps, dt.attr, dt.label)))
	}
	return diags
}

// ownContainers names the optional containers that state shows as the
// set's own: those whose prefix is not reserved. DEFAULT's P- and R- are
// its own too.
func ownContainers(ctx context.Context, state sequenceSetModel) []string {
	var own []string
	for _, dt := range documentTypes {
		if !dt.optional {
			continue
		}
		n, _ := numberingFromObject(ctx, *dt.model(&state))
		if n != nil && (!isReserved(n.Prefix) || state.Name.ValueString() == "DEFAULT") {
			own = append(own, dt.attr)
		}
	}
	return own
}

// loweredStartWarnings warns of a start number lowered under an unchanged
// prefix.
func loweredStartWarnings(ctx context.Context, req resource.ModifyPlanRequest, state, plan sequenceSetModel) diag.Diagnostics {
	var diags diag.Diagnostics
	// No lowered start number in a plan with no change (the common case:
	// every refresh of every set).
	if req.Plan.Raw.Equal(req.State.Raw) {
		return nil
	}
	for _, dt := range documentTypes {
		before, _ := numberingFromObject(ctx, *dt.model(&state))
		after, _ := numberingFromObject(ctx, *dt.model(&plan))
		if before == nil || after == nil || after.StartNumber == 0 || after.StartNumber >= before.StartNumber ||
			after.Prefix != before.Prefix {
			continue
		}
		diags.AddAttributeWarning(path.Root(dt.attr).AtName("start_number"), "Start number lowered",
			aboutSet(setLabel(state), fmt.Sprintf("%s.start_number goes from %d down to %d under the same prefix %q. Zuora refuses "+
				"a start number below the next unused number of the prefix, so this apply fails if documents were "+
				"already numbered past %d. A new prefix may start anywhere: it has numbered nothing yet.",
				dt.attr, before.StartNumber, after.StartNumber, after.Prefix, after.StartNumber)))
	}
	return diags
}
