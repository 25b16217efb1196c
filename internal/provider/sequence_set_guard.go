package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
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
	Host string `json:"host"` // the client's base URL, e.g. https://rest.zuora.com
	// EntityID is the entity the requests work on, lower-case: entity_id
	// when configured, else the one entity the OAuth token covers (its
	// scope's entity.<uuid>); "" when neither is known (records written
	// before the token's entity was recorded, or a token of several).
	EntityID string `json:"entity_id,omitempty"`
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

// providerTenant is where the provider talks to: its host, and the entity
// its requests work on.
type providerTenant struct {
	record tenantRecord
	// configured says the entity is entity_id's, or the token's as the
	// provider's credentials check learned it: no request is needed to
	// know it.
	configured bool
	client     *zuora.Client
}

// newProviderTenant is the tenant of client; entityID is entity_id ("":
// none), resolved says whether the token's entity is known already.
func newProviderTenant(client *zuora.Client, entityID string, scope *zuora.TokenScope) *providerTenant {
	t := &providerTenant{record: newTenantRecord(client.BaseURL(), entityID), client: client}
	switch {
	case t.record.EntityID != "":
		t.configured = true
	case scope != nil:
		t.record.EntityID, t.configured = scope.SoleEntity(), true
	}
	return t
}

// now is the record of where the provider talks to. When the entity is
// not known yet (skip_credentials_validation, no entity_id), it is the
// token's sole entity: the client's token, obtained or reused.
func (t *providerTenant) now(ctx context.Context) tenantRecord {
	if t == nil {
		return tenantRecord{}
	}
	if t.configured || t.client == nil {
		return t.record
	}
	rec := t.record
	if scope, err := t.client.TokenScope(ctx); err == nil {
		rec.EntityID = scope.SoleEntity()
	}
	return rec
}

// sameEntity says whether two records' entities are one: equal, or one
// unrecorded ("" meant the OAuth client's only entity) while the token
// covers exactly the other.
func (t *providerTenant) sameEntity(ctx context.Context, rec, where tenantRecord) bool {
	if sameEntityID(rec.EntityID, where.EntityID) {
		return true
	}
	if rec.EntityID != "" && where.EntityID != "" || t.client == nil {
		return false
	}
	scope, err := t.client.TokenScope(ctx) // the client's token, cached by its credentials check
	if err != nil {
		return false
	}
	return sameEntityID(scope.SoleEntity(), rec.EntityID+where.EntityID)
}

// removeAdvice says how to stop managing a set in this state, on every
// client: terraform state rm, or a removed block applied with
// -refresh=false, since some clients (Terraform 1.8, OpenTofu; not 1.11 or
// 1.16) plan a removed block with a refresh of the set first, which the
// guard refuses.
const removeAdvice = "remove the set from this state with `terraform state rm <address>` (`tofu state rm` on " +
	"OpenTofu), or replace its resource block with a `removed` block (lifecycle { destroy = false }) and apply " +
	"it with `-refresh=false` (most clients refresh the set first, which this check refuses)"

// guardTenant refuses an operation on set (its name and ID, for the
// message) when its record names another host or entity than where.
func guardTenant(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity, where *providerTenant, set string) diag.Diagnostics {
	recs, diags := readRecords(ctx, private, identity) // sequence_set_records.go
	rec, entityKnown := recs.Tenant, recs.TenantKnown
	if diags.HasError() || where == nil || where.record.Host == "" {
		return diags
	}
	now := where.record
	const what = "To manage the sets of several tenants or entities, keep a separate state for each (a workspace " +
		"or a root module per tenant and entity), each with its own provider configuration."
	switch {
	case rec.Host != "" && rec.Host != now.Host:
		diags.AddError("Sequence set of another tenant",
			fmt.Sprintf("The state records sequence set %s in the tenant at %s, but this provider configuration "+
				"talks to %s. A set's ID names it only within its tenant (a Central Sandbox copies its production "+
				"tenant's IDs), so nothing about it is read, changed or deleted at %s.\n\n"+
				"Point the provider back at %s. %s If the tenant itself moved to the new host, %s, and import it "+
				"again with the provider configured for %s.",
				set, rec.Host, now.Host, now.Host, rec.Host, what, removeAdvice, now.Host))
	case entityKnown && !where.sameEntity(ctx, rec, now):
		if !where.configured {
			now = where.now(ctx)
		}
		diags.AddError("Sequence set of another entity",
			fmt.Sprintf("The state records sequence set %s in %s of %s, but this provider configuration uses %s. "+
				"Each entity has sets of its own, so nothing about this one is read, changed or deleted through "+
				"another entity.\n\n"+
				"Set entity_id (or ZUORA_ENTITY_ID) back to the recorded entity. %s To move the set's management to "+
				"the new entity's configuration, %s, and import the new entity's set.",
				set, rec.entityLabel(), rec.Host, now.entityLabel(), what, removeAdvice))
	}
	return diags
}

// A set whose state records no tenant at all (neither the record nor an
// identity's host: written by a release before either existed) gains the
// record on its next refresh. Until then nothing says which tenant it is
// of, so a plan without refresh warns, and a destroy that gets a 404 keeps
// it: the set may be another tenant's, still there.

// tenantUnrecorded says whether the state records no host for the set.
func tenantUnrecorded(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity) bool {
	recs, diags := readRecords(ctx, private, identity)
	return !diags.HasError() && recs.Tenant.Host == ""
}

// unrecordedTenantWarning is the plan's warning for such a set. A refresh
// writes the record before the plan, so the plan sees none only under
// -refresh=false.
func unrecordedTenantWarning(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity, where *providerTenant, set string) diag.Diagnostics {
	var diags diag.Diagnostics
	if where == nil || !tenantUnrecorded(ctx, private, identity) {
		return diags
	}
	diags.AddWarning("Sequence set "+set+" has no record of its tenant",
		fmt.Sprintf("The state of sequence set %s was written by a release that did not record the set's tenant, "+
			"and this plan did not refresh it (-refresh=false), so nothing checks that it belongs to the tenant at "+
			"%s. Run a plan or apply with refresh, with the provider configured for the set's own tenant, to record it.",
			set, where.record.Host))
	return diags
}

// unrecordedNotFound is the error of a DELETE answered 404 for such a set.
func unrecordedNotFound(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity, where *providerTenant, set string) diag.Diagnostics {
	var diags diag.Diagnostics
	if where == nil || !tenantUnrecorded(ctx, private, identity) {
		return diags
	}
	diags.AddError("Sequence set "+set+" not found, and its tenant was never recorded",
		fmt.Sprintf("Zuora at %s has no sequence set %s. Its state was written by a release that did not record the "+
			"set's tenant, so this proves nothing: it may be a set of another tenant, still there. It stays in the "+
			"state.\n\nRefresh it against its own tenant first (configure the provider for it and run "+
			"`terraform apply -refresh-only`), then destroy it there; or, if you know it is gone, remove it with "+
			"`terraform state rm <address>`.", where.record.Host, set))
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
