package provider

import (
	"context"
	"encoding/json"
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

// tenantPrivateKey is the private-state key of the record.
const tenantPrivateKey = "tenant"

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

// privateReader and privateWriter are the framework's private state of a
// resource, as the requests and responses of each operation carry it.
type privateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// recordTenant writes where the set now is into private state.
func recordTenant(ctx context.Context, private privateWriter, where tenantRecord) diag.Diagnostics {
	if private == nil || where.Host == "" {
		return nil
	}
	b, err := json.Marshal(where)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to record the set's tenant", err.Error())
		return diags
	}
	return private.SetKey(ctx, tenantPrivateKey, b)
}

// recordedTenant reads the record. ok is false for state written before it
// existed; an identity's host then stands in for the host.
func recordedTenant(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity) (rec tenantRecord, entityKnown bool, diags diag.Diagnostics) {
	if private != nil {
		b, d := private.GetKey(ctx, tenantPrivateKey)
		if diags.Append(d...); diags.HasError() {
			return rec, false, diags
		}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &rec); err == nil && rec.Host != "" {
				return rec, true, diags
			}
		}
	}
	if identity != nil && !identity.Raw.IsNull() {
		var m sequenceSetIdentityModel
		if diags.Append(identity.Get(ctx, &m)...); diags.HasError() {
			return tenantRecord{}, false, diags
		}
		rec.Host = m.Host.ValueString()
	}
	return rec, false, diags
}

// guardTenant refuses an operation on set (its name and ID, for the
// message) when its record names another host or entity than where.
func guardTenant(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity, where tenantRecord, set string) diag.Diagnostics {
	rec, entityKnown, diags := recordedTenant(ctx, private, identity)
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
