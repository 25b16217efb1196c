package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The identity of a managed sequence set (Terraform 1.12+, OpenTofu 1.12+).
//
// A Zuora id alone does not name one set across every configuration of the
// provider: a Central Sandbox is a copy of its production tenant, ids
// included, and lives on another host. So the identity is the id qualified
// by the tenant's base URL. Only the id is needed to import: the host, when
// given, must be the one the provider is configured for, so that an id
// copied from production is never imported into a sandbox's state (or the
// other way round) by mistake.

var _ resource.ResourceWithIdentity = (*sequenceSetResource)(nil)

// sequenceSetIdentityModel is the identity's data.
type sequenceSetIdentityModel struct {
	ID   types.String `tfsdk:"id"`
	Host types.String `tfsdk:"host"`
}

func (r *sequenceSetResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "Zuora's ID of the sequence set (32 hexadecimal characters).",
				RequiredForImport: true,
			},
			"host": identityschema.StringAttribute{
				Description: "Base URL of the tenant the set belongs to, e.g. `https://rest.zuora.com`, as the provider " +
					"is configured for it. Optional for import: when given, it must match the provider's host or " +
					"environment.",
				OptionalForImport: true,
			},
		},
	}
}

// identityFor is the identity of the set id as seen through client.
func identityFor(client *zuora.Client, id string) sequenceSetIdentityModel {
	return identityOf(client.BaseURL(), id)
}

// identityOf is the identity of the set id of the tenant at host.
func identityOf(host, id string) sequenceSetIdentityModel {
	return sequenceSetIdentityModel{ID: types.StringValue(normalizeID(id)), Host: types.StringValue(host)}
}

// idFromIdentity takes the set's id from an import by identity, and checks
// that the identity belongs to the tenant the provider talks to.
func idFromIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, client *zuora.Client) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if identity == nil || identity.Raw.IsNull() {
		diags.AddError("Missing import ID or identity", "Import a sequence set by its ID, its name, or an identity with its id.")
		return "", diags
	}
	var m sequenceSetIdentityModel
	if diags.Append(identity.Get(ctx, &m)...); diags.HasError() {
		return "", diags
	}
	id := strings.TrimSpace(m.ID.ValueString())
	if !sequenceSetIDRegex.MatchString(id) {
		diags.AddAttributeError(path.Root("id"), "Invalid identity id",
			fmt.Sprintf("identity.id must be the 32 hexadecimal characters of a sequence set's ID, got %q. "+
				"To import a set by its name, use an import block with id = \"<name>\" instead.", id))
		return "", diags
	}
	if host := m.Host.ValueString(); host != "" && client != nil {
		if canonical, err := zuora.ValidateBaseURL(normalizeHost(host)); err != nil || canonical.String() != client.BaseURL() {
			diags.AddAttributeError(path.Root("host"), "Identity of another tenant",
				fmt.Sprintf("identity.host is %q, but this provider configuration talks to %s. A set's ID names it only "+
					"within its tenant (a Central Sandbox copies its production tenant's IDs), so the set is not imported. "+
					"Import it with the provider configured for %s, or leave host out.", host, client.BaseURL(), host))
			return "", diags
		}
	}
	return normalizeID(id), diags
}
