package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// sequence_set_number is Zuora's sequenceSetNumber: given on create, never
// changed afterwards ("set only during creation and cannot be updated").
// It is sent by Create only. A change on an existing set is refused at plan
// time: Zuora cannot change it, and a replacement would delete a set that
// customer accounts may use. Answers may or may not carry it (the contract
// leaves it open): when they do, the state follows them (drift shows); when
// they do not, the state keeps what was sent, imported by, or configured.
//
// A number configured on a set whose state has none (numberAdded): the
// set's record says whether its create sent one (sequence_set_records.go).
// Created without one, the set has none and never will: refused. Imported
// (no record), the set may have one that Zuora's answers do not show: the
// number is checked with Zuora's name-or-number filter, and taken into
// state only when it finds this very set.

const sequenceSetNumberAttr = "sequence_set_number"

const sequenceSetNumberDescription = "Zuora's number of the sequence set (`sequenceSetNumber`), an alternative key to the ID. " +
	"Set only when the set is created: it is sent with the create and never in an update, and a change " +
	"on an existing set is refused at plan time (Zuora cannot change it, and replacing the set would " +
	"delete a set that customer accounts may use). When Zuora's answers carry the number it is read and " +
	"drift is shown; when they do not, the state keeps the number that was sent. Added to the configuration " +
	"of a set created without one, it is refused at plan time: the set has no number. Configured on an " +
	"imported set whose number Zuora's answers do not carry, it is looked up in Zuora at plan time and " +
	"taken into state only if it is that set's number."

// sequenceSetNumberResourceAttribute is the resource's attribute.
func sequenceSetNumberResourceAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: sequenceSetNumberDescription + " Omitted, the set is created without one.",
		Optional:            true,
		Computed:            true,
		Validators:          sequenceSetNumberValidators(),
		PlanModifiers:       []planmodifier.String{sequenceSetNumberPlan{}},
	}
}

func sequenceSetNumberValidators() []validator.String {
	return []validator.String{stringvalidator.LengthAtLeast(1)}
}

// sequenceSetNumberDataAttribute is the read-only attribute of the data
// sources' sets.
func sequenceSetNumberDataAttribute() dsschema.StringAttribute {
	return dsschema.StringAttribute{
		MarkdownDescription: "Zuora's number of the sequence set (`sequenceSetNumber`); null when Zuora does not report it.",
		Computed:            true,
	}
}

// sequenceSetNumberPlan is the plan-time rule.
type sequenceSetNumberPlan struct{}

func (sequenceSetNumberPlan) Description(context.Context) string {
	return "Set on create only; a change of an existing set's number is refused."
}

func (m sequenceSetNumberPlan) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sequenceSetNumberPlan) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if req.State.Raw.IsNull() {
		// Create: without a configured number the set gets none from us;
		// planning null (not "known after apply") keeps today's plans.
		if req.ConfigValue.IsNull() {
			resp.PlanValue = types.StringNull()
		}
		return
	}
	label := labelOfPlan(ctx, req.State, req.Plan)
	switch {
	case req.ConfigValue.IsNull():
		resp.PlanValue = req.StateValue // whatever Zuora reported or was sent stays
	case req.ConfigValue.IsUnknown():
		// Known at apply time, when this runs again and decides.
	case req.StateValue.IsNull():
		// A number added to a set whose state has none: numberAdded, a
		// step of ModifyPlan, which can ask Zuora.
	case !req.ConfigValue.Equal(req.StateValue):
		resp.Diagnostics.AddAttributeError(req.Path, "Sequence set number cannot change",
			aboutSet(label, fmt.Sprintf("%s is %q for this set, and the configuration says %q. Zuora sets a sequence set's number "+
				"only when the set is created and cannot change it; replacing the set instead would delete a set "+
				"that customer accounts may use. Set %s = %q, or leave it out.",
				sequenceSetNumberAttr, req.StateValue.ValueString(), req.ConfigValue.ValueString(),
				sequenceSetNumberAttr, req.StateValue.ValueString())))
	}
}

// numberValue is the attribute's value for an API number.
func numberValue(number string) types.String {
	if number == "" {
		return types.StringNull()
	}
	return types.StringValue(number)
}

// keepNumberUnlessReported is the state's number after a read: Zuora's
// when its answer carries one, else the one the state had.
func keepNumberUnlessReported(next *sequenceSetModel, set zuora.SequenceSet, prior types.String) {
	if set.Number == "" {
		next.SequenceSetNumber = prior
	}
}

// findOneByNameOrNumber resolves a key that is not an ID: a name first (as
// it always was, at the same cost), then a number.
func findOneByNameOrNumber(ctx context.Context, client *zuora.Client, key string) (zuora.SequenceSet, bool, error) {
	if client == nil {
		return zuora.SequenceSet{}, false, errors.New("the provider is not configured")
	}
	return client.SequenceSetByNameOrNumber(ctx, strings.TrimSpace(key))
}

// sequenceSetByNumber finds the set with this number; the set carries it.
func sequenceSetByNumber(ctx context.Context, client *zuora.Client, number string) (zuora.SequenceSet, error) {
	if client == nil {
		return zuora.SequenceSet{}, errors.New("the provider is not configured")
	}
	return client.SequenceSetByNumber(ctx, strings.TrimSpace(number))
}

// numberAdded is the rule of a number configured on a set whose state has
// none; a step of ModifyPlan.
func (r *sequenceSetResource) numberAdded(ctx context.Context, change plannedChange) diag.Diagnostics {
	var diags diag.Diagnostics
	if change.state == nil || change.plan == nil || !change.state.SequenceSetNumber.IsNull() {
		return nil
	}
	configured := change.plan.SequenceSetNumber
	if configured.IsNull() || configured.IsUnknown() {
		return nil
	}
	number, label, at := configured.ValueString(), setLabel(*change.state), path.Root(sequenceSetNumberAttr)
	recs, d := readRecords(ctx, change.req.Private, nil) // sequence_set_records.go
	diags.Append(d...)
	if recs.NumberSent != nil && !*recs.NumberSent {
		diags.AddAttributeError(at, "Sequence set number cannot be added", aboutSet(label, fmt.Sprintf(
			"%s %q is configured, but this set was created without one. Zuora gives a set its number only when the "+
				"set is created and cannot add one later, so the set has no number; replacing the set instead would "+
				"delete a set that customer accounts may use. Leave %s out for this set.",
			sequenceSetNumberAttr, number, sequenceSetNumberAttr)))
		return diags
	}
	// Imported, or written before the record: the set may have a number
	// that Zuora's answers do not show. Zuora knows.
	found, err := sequenceSetByNumber(ctx, r.client, number)
	switch {
	case errors.Is(err, zuora.ErrNoSuchSequenceSet):
		diags.AddAttributeError(at, "Sequence set number not found", aboutSet(label, fmt.Sprintf(
			"%s %q is configured, but Zuora has no sequence set with that number, so it is not this set's. Zuora gives "+
				"a set its number only when the set is created. Set %s to the set's number, or leave it out.",
			sequenceSetNumberAttr, number, sequenceSetNumberAttr)))
	case err != nil:
		diags.AddAttributeError(at, "Unable to check the sequence set number", aboutSet(label, fmt.Sprintf(
			"%s %q could not be checked with Zuora: %s", sequenceSetNumberAttr, number, err)))
	case normalizeID(found.ID) != normalizeID(change.state.ID.ValueString()):
		diags.AddAttributeError(at, "Sequence set number of another set", aboutSet(label, fmt.Sprintf(
			"%s %q is the number of another sequence set, %s (ID %s). Zuora gives a set its number only when the set "+
				"is created. Set %s to this set's number, or leave it out.",
			sequenceSetNumberAttr, number, found.Name, found.ID, sequenceSetNumberAttr)))
	}
	return diags
}
