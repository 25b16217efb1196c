package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

const sequenceSetNumberAttr = "sequence_set_number"

const sequenceSetNumberDescription = "Zuora's number of the sequence set (`sequenceSetNumber`), an alternative key to the ID. " +
	"Set only when the set is created: it is sent with the create and never in an update, and a change " +
	"on an existing set is refused at plan time (Zuora cannot change it, and replacing the set would " +
	"delete a set that customer accounts may use). When Zuora's answers carry the number it is read and " +
	"drift is shown; when they do not, the state keeps the number that was sent. Configured on a set " +
	"whose number Zuora never reported (imported by ID or name), the number is taken into state as given, " +
	"with a warning that it could not be checked."

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
		resp.Diagnostics.AddAttributeWarning(req.Path, "Sequence set number not checked",
			aboutSet(label, fmt.Sprintf("%s %q is taken into state as configured: Zuora has not reported this set's number "+
				"(it was imported by ID or name, and this tenant's answers do not carry it), so it could not be "+
				"checked. Nothing is sent to Zuora for it.", sequenceSetNumberAttr, req.ConfigValue.ValueString())))
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
