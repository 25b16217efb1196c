package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What a managed set carries besides its attributes: the records every
// path that writes state (Create, Read, Update, ImportState) must write,
// and that the guard and the plan's warnings read. They are written by
// writeRecords alone and read by readRecords alone, so that no path can
// forget one of them.
//
//   - the tenant record (private state "tenant"): the host and entity the
//     set was written in; see sequence_set_guard.go;
//   - the identity (Terraform 1.12+): the set's ID and host; see
//     sequence_set_identity.go;
//   - the configured-blocks record (private state "configured_containers"):
//     which of the optional payment and refund blocks the configuration held
//     at the last create or update;
//   - whether a sequence_set_number was sent (private state "number_sent"):
//     true when the create sent one to Zuora.
//
// Private state is kept by every client (Terraform 1.5 and later, OpenTofu).

// Private-state keys of the records.
const (
	tenantPrivateKey     = "tenant"
	configuredPrivateKey = "configured_containers"
	numberSentPrivateKey = "number_sent"
)

// setRecords are the records of one managed set.
type setRecords struct {
	// ID is the set's Zuora ID, the identity's id; "" writes no identity.
	ID string
	// Tenant is where the set was written. Its Host "" writes neither the
	// tenant record nor the identity (a provider not configured yet).
	Tenant tenantRecord
	// TenantKnown is set by readRecords: false when the state has no tenant
	// record (written before it existed); Tenant.Host is then the
	// identity's host, if any.
	TenantKnown bool
	// Configured names the optional blocks ("payment", "refund") the
	// configuration held at the last create or update; nil when not
	// recorded (nothing is written, and readRecords returns nil).
	Configured []string
	// NumberSent says whether the set's sequence_set_number was sent to
	// Zuora; nil when not recorded (nothing is written, and readRecords
	// returns nil).
	NumberSent *bool
}

// boolPtr is a *bool for setRecords.NumberSent.
func boolPtr(b bool) *bool { return &b }

// writeRecords writes recs into a response's private state and identity
// (identity nil: a client without identities, Terraform before 1.12).
func writeRecords(ctx context.Context, private privateWriter, identity *tfsdk.ResourceIdentity, recs setRecords) diag.Diagnostics {
	var diags diag.Diagnostics
	if private == nil {
		return diags
	}
	put := func(key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			diags.AddError("Unable to record the set's "+key, err.Error())
			return
		}
		diags.Append(private.SetKey(ctx, key, b)...)
	}
	if recs.Tenant.Host != "" {
		put(tenantPrivateKey, recs.Tenant)
		if identity != nil && recs.ID != "" {
			m := identityOf(recs.Tenant.Host, recs.ID) // sequence_set_identity.go
			diags.Append(identity.Set(ctx, &m)...)
		}
	}
	if recs.Configured != nil {
		put(configuredPrivateKey, recs.Configured)
	}
	if recs.NumberSent != nil {
		put(numberSentPrivateKey, *recs.NumberSent)
	}
	return diags
}

// readRecords reads the records of a request's private state, and the
// identity's host for state written before the tenant record existed.
func readRecords(ctx context.Context, private privateReader, identity *tfsdk.ResourceIdentity) (setRecords, diag.Diagnostics) {
	var recs setRecords
	var diags diag.Diagnostics
	get := func(key string, into any) bool {
		if private == nil {
			return false
		}
		b, d := private.GetKey(ctx, key)
		if diags.Append(d...); d.HasError() || len(b) == 0 {
			return false
		}
		return json.Unmarshal(b, into) == nil
	}
	var tenant tenantRecord
	if get(tenantPrivateKey, &tenant) && tenant.Host != "" {
		recs.Tenant, recs.TenantKnown = tenant, true
	}
	var configured []string
	if get(configuredPrivateKey, &configured) && configured != nil {
		recs.Configured = configured
	}
	var sent bool
	if get(numberSentPrivateKey, &sent) {
		recs.NumberSent = &sent
	}
	if identity != nil && !identity.Raw.IsNull() {
		var m sequenceSetIdentityModel
		if diags.Append(identity.Get(ctx, &m)...); diags.HasError() {
			return recs, diags
		}
		recs.ID = m.ID.ValueString()
		if !recs.TenantKnown {
			recs.Tenant.Host = m.Host.ValueString()
		}
	}
	return recs, diags
}

// configuredBlocks names the optional blocks config holds: the
// Configured record of a create or update.
func configuredBlocks(ctx context.Context, config tfsdk.Config) ([]string, diag.Diagnostics) {
	names := []string{} // "[]", not "null": a record that none was configured
	for _, dt := range documentTypes {
		if !dt.optional {
			continue
		}
		var obj types.Object
		if d := config.GetAttribute(ctx, path.Root(dt.attr), &obj); d.HasError() {
			return nil, d
		}
		if !obj.IsNull() {
			names = append(names, dt.attr)
		}
	}
	return names, nil
}

// privateReader and privateWriter are the framework's private state of a
// resource, as the requests and responses of each operation carry it.
type privateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}
