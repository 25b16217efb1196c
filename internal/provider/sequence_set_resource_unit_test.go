package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// TestModifyPlanWarnsWhenAStartNumberGoesDown runs ModifyPlan on a state and
// plan built from the schema: only a lowered start number draws a warning.
func TestModifyPlanWarnsWhenAStartNumberGoesDown(t *testing.T) {
	ctx := context.Background()
	r := &sequenceSetResource{}
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	sch := schemaResp.Schema
	objType := sch.Type().TerraformType(ctx)

	model := func(invoiceStart, refundStart int64) sequenceSetResourceModel {
		return sequenceSetResourceModel{Timeouts: nullTimeouts(), sequenceSetModel: modelFromAPI(zuora.SequenceSet{
			ID: "402892c74c9193cd014c96bbe7c101f9", Name: "FR",
			Invoice:    &zuora.Numbering{Prefix: "FINV", StartNumber: invoiceStart},
			CreditMemo: &zuora.Numbering{Prefix: "FCM", StartNumber: 10},
			DebitMemo:  &zuora.Numbering{Prefix: "FDM", StartNumber: 10},
			Refund:     &zuora.Numbering{Prefix: "FR-", StartNumber: refundStart},
		})}
	}
	run := func(before, after sequenceSetResourceModel) *resource.ModifyPlanResponse {
		state := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(objType, nil)}
		plan := tfsdk.Plan{Schema: sch, Raw: tftypes.NewValue(objType, nil)}
		if d := state.Set(ctx, &before); d.HasError() {
			t.Fatal(d)
		}
		if d := plan.Set(ctx, &after); d.HasError() {
			t.Fatal(d)
		}
		resp := &resource.ModifyPlanResponse{Plan: plan}
		r.ModifyPlan(ctx, resource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sch, Raw: plan.Raw}}, resp)
		return resp
	}

	resp := run(model(100, 50), model(20, 60))
	warnings := resp.Diagnostics.Warnings()
	if resp.Diagnostics.HasError() || len(warnings) != 1 {
		t.Fatalf("diagnostics %v, want exactly one warning (invoice lowered, refund raised)", resp.Diagnostics)
	}
	if w := warnings[0]; w.Summary() != "Start number lowered" || !strings.Contains(w.Detail(), "invoice.start_number goes from 100 down to 20") {
		t.Fatalf("warning %q: %q", w.Summary(), w.Detail())
	}
	if resp := run(model(100, 50), model(100, 50)); len(resp.Diagnostics) != 0 {
		t.Fatalf("an unchanged plan drew %v", resp.Diagnostics)
	}
	// The yearly rollover: a new prefix starting lower has numbered nothing.
	rotated := model(1, 50)
	rotated.Invoice = modelFromAPI(zuora.SequenceSet{Invoice: &zuora.Numbering{Prefix: "FINV26", StartNumber: 1}}).Invoice
	if resp := run(model(100, 50), rotated); len(resp.Diagnostics) != 0 {
		t.Fatalf("a new prefix from a lower start drew %v", resp.Diagnostics)
	}
}
