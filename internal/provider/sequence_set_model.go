package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// documentType describes one of the five containers of a set, so that code
// handling them is written once.
type documentType struct {
	attr     string // Terraform attribute name
	label    string // for descriptions and messages
	optional bool   // payment and refund may be omitted
	model    func(*sequenceSetModel) *types.Object
	api      func(*zuora.SequenceSet) **zuora.Numbering
	patch    func(*zuora.SequenceSetPatch) **zuora.NumberingPatch
}

var documentTypes = []documentType{
	{
		attr: "invoice", label: "invoices",
		model: func(m *sequenceSetModel) *types.Object { return &m.Invoice },
		api:   func(s *zuora.SequenceSet) **zuora.Numbering { return &s.Invoice },
		patch: func(p *zuora.SequenceSetPatch) **zuora.NumberingPatch { return &p.Invoice },
	},
	{
		attr: "credit_memo", label: "credit memos",
		model: func(m *sequenceSetModel) *types.Object { return &m.CreditMemo },
		api:   func(s *zuora.SequenceSet) **zuora.Numbering { return &s.CreditMemo },
		patch: func(p *zuora.SequenceSetPatch) **zuora.NumberingPatch { return &p.CreditMemo },
	},
	{
		attr: "debit_memo", label: "debit memos",
		model: func(m *sequenceSetModel) *types.Object { return &m.DebitMemo },
		api:   func(s *zuora.SequenceSet) **zuora.Numbering { return &s.DebitMemo },
		patch: func(p *zuora.SequenceSetPatch) **zuora.NumberingPatch { return &p.DebitMemo },
	},
	{
		attr: "payment", label: "payments", optional: true,
		model: func(m *sequenceSetModel) *types.Object { return &m.Payment },
		api:   func(s *zuora.SequenceSet) **zuora.Numbering { return &s.Payment },
		patch: func(p *zuora.SequenceSetPatch) **zuora.NumberingPatch { return &p.Payment },
	},
	{
		attr: "refund", label: "refunds", optional: true,
		model: func(m *sequenceSetModel) *types.Object { return &m.Refund },
		api:   func(s *zuora.SequenceSet) **zuora.Numbering { return &s.Refund },
		patch: func(p *zuora.SequenceSetPatch) **zuora.NumberingPatch { return &p.Refund },
	},
}

// sequenceSetModel is a set as the resource and the data sources hold it.
type sequenceSetModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	Invoice    types.Object `tfsdk:"invoice"`
	CreditMemo types.Object `tfsdk:"credit_memo"`
	DebitMemo  types.Object `tfsdk:"debit_memo"`
	Payment    types.Object `tfsdk:"payment"`
	Refund     types.Object `tfsdk:"refund"`

	// SequenceSetNumber is Zuora's sequenceSetNumber (sequence_set_number.go).
	SequenceSetNumber types.String `tfsdk:"sequence_set_number"`
}

// numberingModel is one container: a prefix and a start number.
type numberingModel struct {
	Prefix      types.String `tfsdk:"prefix"`
	StartNumber types.Int64  `tfsdk:"start_number"`
}

var numberingAttrTypes = map[string]attr.Type{
	"prefix":       types.StringType,
	"start_number": types.Int64Type,
}

// numberingObject turns an API container into a Terraform object; nil
// becomes null.
func numberingObject(n *zuora.Numbering) types.Object {
	if n == nil {
		return types.ObjectNull(numberingAttrTypes)
	}
	return types.ObjectValueMust(numberingAttrTypes, map[string]attr.Value{
		"prefix":       types.StringValue(n.Prefix),
		"start_number": types.Int64Value(n.StartNumber),
	})
}

// numberingFromObject turns a Terraform object into an API container; null
// or unknown becomes nil.
func numberingFromObject(ctx context.Context, obj types.Object) (*zuora.Numbering, diag.Diagnostics) {
	if obj.IsNull() || obj.IsUnknown() {
		return nil, nil
	}
	var m numberingModel
	diags := obj.As(ctx, &m, basetypes.ObjectAsOptions{})
	if diags.HasError() {
		return nil, diags
	}
	return &zuora.Numbering{Prefix: m.Prefix.ValueString(), StartNumber: m.StartNumber.ValueInt64()}, nil
}

// modelFromAPI builds the model of a set as Zuora reports it.
func modelFromAPI(set zuora.SequenceSet) sequenceSetModel {
	m := sequenceSetModel{ID: types.StringValue(set.ID), Name: types.StringValue(set.Name), SequenceSetNumber: numberValue(set.Number)}
	for _, dt := range documentTypes {
		*dt.model(&m) = numberingObject(*dt.api(&set))
	}
	return m
}

// apiFromModel builds the API form of a planned set.
func apiFromModel(ctx context.Context, m sequenceSetModel) (zuora.SequenceSet, diag.Diagnostics) {
	var diags diag.Diagnostics
	set := zuora.SequenceSet{ID: m.ID.ValueString(), Name: m.Name.ValueString(), Number: m.SequenceSetNumber.ValueString()}
	for _, dt := range documentTypes {
		n, d := numberingFromObject(ctx, *dt.model(&m))
		diags.Append(d...)
		*dt.api(&set) = n
	}
	return set, diags
}

// sequenceSetDataAttributes are the read-only containers of a set in the
// data sources, named as in the resource.
func sequenceSetDataAttributes() map[string]dsschema.Attribute {
	attrs := map[string]dsschema.Attribute{sequenceSetNumberAttr: sequenceSetNumberDataAttribute()}
	for _, dt := range documentTypes {
		attrs[dt.attr] = dsschema.SingleNestedAttribute{
			MarkdownDescription: fmt.Sprintf("Numbering of %s; null when Zuora reports none.", dt.label),
			Computed:            true,
			Attributes: map[string]dsschema.Attribute{
				"prefix":       dsschema.StringAttribute{MarkdownDescription: "Prefix of the document numbers.", Computed: true},
				"start_number": dsschema.Int64Attribute{MarkdownDescription: "Number of the next document.", Computed: true},
			},
		}
	}
	return attrs
}

// sequenceSetResourceModel is the resource's model: a set and its timeouts.
type sequenceSetResourceModel struct {
	sequenceSetModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}
