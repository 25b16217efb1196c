package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every diagnostic about one set names it, in its detail as in its title,
// the same way on every operation: several sets of one block (count,
// for_each) draw diagnostics that differ only by their set, and Terraform
// 1.16 shows one of identical diagnostics of a block. The label is
// setLabel's: the name, with the ID once there is one.

// aboutSet is detail as said about the set labelled label.
func aboutSet(label, detail string) string {
	if label == "" {
		return detail
	}
	return "Sequence set " + label + ": " + detail
}

// labelOfPlan is setLabel of the set an attribute's plan modifier plans:
// its name as planned, its ID from the state.
func labelOfPlan(ctx context.Context, state tfsdk.State, plan tfsdk.Plan) string {
	var m sequenceSetModel
	var name, id types.String
	_ = plan.GetAttribute(ctx, path.Root("name"), &name)
	if !state.Raw.IsNull() {
		_ = state.GetAttribute(ctx, path.Root("id"), &id)
		if name.IsUnknown() || name.IsNull() {
			_ = state.GetAttribute(ctx, path.Root("name"), &name)
		}
	}
	m.Name, m.ID = name, id
	return setLabel(m)
}
