package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestConfigureWithUnknownValues: a host that comes from another resource
// is unknown at plan time. Terraform versions that allow deferral get a
// deferral; older ones a clear error naming the attribute. No client either way.
func TestConfigureWithUnknownValues(t *testing.T) {
	ctx := context.Background()
	p := &zuoraProvider{version: "test"}
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	objType, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T, want tftypes.Object", schemaResp.Schema.Type().TerraformType(ctx))
	}

	values := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	values["host"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	values["client_id"] = tftypes.NewValue(tftypes.String, "id")
	values["client_secret"] = tftypes.NewValue(tftypes.String, "secret")
	cfg := tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objType, values)}

	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: cfg}, &resp)
	if !resp.Diagnostics.HasError() || resp.ResourceData != nil {
		t.Fatalf("without deferral: %v, client %v; want an error and no client", resp.Diagnostics, resp.ResourceData)
	}
	if d := resp.Diagnostics.Errors()[0]; !strings.Contains(d.Detail(), `"host" is not known until apply`) {
		t.Fatalf("error %q does not name the attribute", d.Detail())
	}

	resp = provider.ConfigureResponse{}
	req := provider.ConfigureRequest{Config: cfg}
	req.ClientCapabilities.DeferralAllowed = true
	p.Configure(ctx, req, &resp)
	if resp.Diagnostics.HasError() || resp.Deferred == nil || resp.Deferred.Reason != provider.DeferredReasonProviderConfigUnknown || resp.ResourceData != nil {
		t.Fatalf("with deferral: %v deferred=%v", resp.Diagnostics, resp.Deferred)
	}
}
