package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// The tenant guard. A Zuora ID names a sequence set only within one tenant
// and entity: a Central Sandbox copies its production tenant's IDs, and an
// entity of a multi-entity tenant has sets of its own. So every managed set
// records where it was written, the tenant's base URL and the entity, and
// every path that would send a request about it (refresh, plan, update,
// delete) refuses, before sending anything, when the provider is now
// configured for another host or entity.
//
// The record lives in the resource's private state, which every client
// keeps (Terraform 1.5 and later, OpenTofu); Terraform 1.12+ also has the
// host in the set's identity. State written before the record existed gains
// it on its next refresh, from the tenant the provider is configured for.

// tenantRecord is where a set was written, or where the provider talks to.
type tenantRecord struct {
	Host     string `json:"host"`                // the client's base URL, e.g. https://rest.zuora.com
	EntityID string `json:"entity_id,omitempty"` // "" when no entity_id was configured
}

// newTenantRecord is the record of a client's base URL and entity.
func newTenantRecord(baseURL, entityID string) tenantRecord {
	return tenantRecord{Host: baseURL, EntityID: strings.ToLower(strings.TrimSpace(entityID))}
}

// entityLabel names the entity for a message.
func (t tenantRecord) entityLabel() string {
	if t.EntityID == "" {
		return "no entity_id (the OAuth client's only entity)"
	}
	return "entity_id " + t.EntityID
}

// guardTenant refuses an operation on set (its name and ID, for the
// message) when its record names another host or entity than where.
func guardTenant(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity, where tenantRecord, set string) diag.Diagnostics {
	recs, diags := readRecords(ctx, private, identity) // sequence_set_records.go
	rec, entityKnown := recs.Tenant, recs.TenantKnown
	if diags.HasError() || where.Host == "" {
		return diags
	}
	const what = "To manage the sets of several tenants or entities, keep a separate state for each (a workspace " +
		"or a root module per tenant and entity), each with its own provider configuration."
	switch {
	case rec.Host != "" && rec.Host != where.Host:
		diags.AddError("Sequence set of another tenant",
			fmt.Sprintf("The state records sequence set %s in the tenant at %s, but this provider configuration "+
				"talks to %s. A set's ID names it only within its tenant (a Central Sandbox copies its production "+
				"tenant's IDs), so nothing about it is read, changed or deleted at %s.\n\n"+
				"Point the provider back at %s. %s If the tenant itself moved to the new host, remove the set from "+
				"this state (terraform state rm, or a removed block) and import it again with the provider "+
				"configured for %s.",
				set, rec.Host, where.Host, where.Host, rec.Host, what, where.Host))
	case entityKnown && rec.EntityID != where.EntityID:
		diags.AddError("Sequence set of another entity",
			fmt.Sprintf("The state records sequence set %s in %s of %s, but this provider configuration uses %s. "+
				"Each entity has sets of its own, so nothing about this one is read, changed or deleted through "+
				"another entity.\n\n"+
				"Set entity_id (or ZUORA_ENTITY_ID) back to the recorded entity. %s To move the set's management to "+
				"the new entity's configuration, remove it from this state (terraform state rm, or a removed block) "+
				"and import the new entity's set.",
				set, rec.entityLabel(), rec.Host, where.entityLabel(), what))
	}
	return diags
}

// setLabel names a set for the guard's messages: its name and ID.
func setLabel(m sequenceSetModel) string {
	name, id := m.Name.ValueString(), m.ID.ValueString()
	switch {
	case name != "" && id != "":
		return fmt.Sprintf("%s (ID %s)", name, id)
	case id != "":
		return id
	}
	return name
}
