package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

func TestReservedPrefixesAllowedOnlyForDEFAULT(t *testing.T) {
	set := zuora.SequenceSet{
		Name:       "DEFAULT",
		Invoice:    &zuora.Numbering{Prefix: "INV", StartNumber: 1},
		CreditMemo: &zuora.Numbering{Prefix: "CM", StartNumber: 1},
		DebitMemo:  &zuora.Numbering{Prefix: "DM", StartNumber: 1},
		Payment:    &zuora.Numbering{Prefix: "P-", StartNumber: 1},
		Refund:     &zuora.Numbering{Prefix: "R-", StartNumber: 1},
	}
	if got := reservedPrefixProblems(set); len(got) != 0 {
		t.Fatalf("the built-in DEFAULT set (as imported or generated) must validate, got %v", got)
	}
	set.Name = "EU"
	got := reservedPrefixProblems(set)
	if len(got) != 2 || got[0].attr != "payment" || got[1].attr != "refund" {
		t.Fatalf("reserved prefixes of another set: %+v, want payment and refund refused", got)
	}
}

// protocolServer serves the provider made by factory at the protocol level,
// as Terraform sees it, with its schemas.
func protocolServer(t *testing.T, factory func() (tfprotov6.ProviderServer, error)) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	server, err := factory()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("schema: %v %v", err, schemas.Diagnostics)
	}
	return server, schemas
}

// env0 is the provider configured by no test environment: for what needs
// no Zuora.
func env0() func() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&zuoraProvider{version: "test"})
}

// validateResource runs ValidateResourceConfig of zuora_sequence_set, as
// terraform validate and plan do, on a set built from values.
func validateResource(t *testing.T, values map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, schemas := protocolServer(t, env0())
	typ := schemas.ResourceSchemas["zuora_sequence_set"].ValueType()
	resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
		TypeName: "zuora_sequence_set",
		Config:   dynamicValue(t, typ, objectOf(t, typ, values)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// numberingValues is the HCL of a valid set as protocol values; edit
// changes one prefix or start number of one container.
func numberingValues(t *testing.T, attr, field string, v tftypes.Value) map[string]tftypes.Value {
	t.Helper()
	numType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"prefix": tftypes.String, "start_number": tftypes.Number}}
	values := map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "EU")}
	for i, dt := range documentTypes {
		fields := map[string]tftypes.Value{
			"prefix":       tftypes.NewValue(tftypes.String, fmt.Sprintf("EU%c", 'A'+i)),
			"start_number": tftypes.NewValue(tftypes.Number, 10),
		}
		if dt.attr == attr {
			fields[field] = v
		}
		values[dt.attr] = tftypes.NewValue(numType, fields)
	}
	return values
}

// TestEveryPlanTimeDiagnosticNamesItsAttribute proves, for every validator
// of every container, that the message itself names the attribute
// (payment.prefix): Terraform 1.11 and older, and OpenTofu, show a nested
// attribute's error against the whole resource block.
func TestEveryPlanTimeDiagnosticNamesItsAttribute(t *testing.T) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	cases := []struct {
		rule     string
		field    string
		value    tftypes.Value
		optional bool // only payment and refund break this rule
	}{
		{"empty prefix", "prefix", str(""), false},
		{"prefix too long", "prefix", str("ABCDEFGHIJKLMNOPQ"), false},
		{"prefix with a dot", "prefix", str("A.B"), false},
		{"prefix starting with _", "prefix", str("_AB"), false},
		{"reserved prefix", "prefix", str("PREVIEW-"), false},
		{"prefix of another type", "prefix", str("EUA"), false}, // invoice's prefix
		{"prefix ending in a digit", "prefix", str("PAY1"), true},
		{"start number 0", "start_number", tftypes.NewValue(tftypes.Number, 0), false},
	}
	for _, dt := range documentTypes {
		for _, tc := range cases {
			if tc.optional && !dt.optional || tc.rule == "prefix of another type" && dt.attr == "invoice" {
				continue
			}
			if tc.rule == "reserved prefix" && dt.optional {
				continue // refused at plan time, when sent: TestReservedPrefixRefusedWhenSent
			}
			attrPath := dt.attr + "." + tc.field
			t.Run(attrPath+"/"+tc.rule, func(t *testing.T) {
				diags := validateResource(t, numberingValues(t, dt.attr, tc.field, tc.value))
				if len(diags) == 0 {
					t.Fatalf("%s: no diagnostic", tc.rule)
				}
				for _, d := range diags {
					if d.Severity != tfprotov6.DiagnosticSeverityError || !strings.Contains(d.Detail, attrPath) {
						t.Errorf("diagnostic %q: %q does not name %s", d.Summary, d.Detail, attrPath)
					}
				}
			})
		}
	}
	t.Run("name", func(t *testing.T) {
		values := numberingValues(t, "", "", tftypes.Value{})
		values["name"] = str("A B")
		diags := validateResource(t, values)
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, "name") {
			t.Fatalf("a bad name drew %v, want one error naming name", diags)
		}
	})
	t.Run("a valid set", func(t *testing.T) {
		if diags := validateResource(t, numberingValues(t, "", "", tftypes.Value{})); len(diags) != 0 {
			t.Fatalf("a valid set drew %v", diags)
		}
	})
}

// TestProviderValidatorsNameTheirAttribute: the provider block's own
// validators name their attribute in the message too.
func TestProviderValidatorsNameTheirAttribute(t *testing.T) {
	ctx := context.Background()
	server, schemas := protocolServer(t, env0())
	typ := schemas.Provider.ValueType()
	for attr, bad := range map[string]string{
		"host": "http://rest.zuora.com", "track_id": "a:b", "environment": "moon", "entity_id": "x",
		"request_timeout": "soon",
	} {
		resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{
			Config: dynamicValue(t, typ, objectOf(t, typ, map[string]tftypes.Value{attr: tftypes.NewValue(tftypes.String, bad)})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Diagnostics) == 0 {
			t.Errorf("%s = %q drew no diagnostic", attr, bad)
		}
		for _, d := range resp.Diagnostics {
			if !strings.Contains(d.Detail, attr) {
				t.Errorf("%s = %q: %q does not name %s", attr, bad, d.Detail, attr)
			}
		}
	}
}
