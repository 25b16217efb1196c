package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// providerData is what the provider's Configure hands its resources, data
// sources and list resources: the client of its configuration, and what it
// tells the user about.
type providerData struct {
	client *zuora.Client
	// waitWarning is how long an operation may wait for Zuora's limits
	// before it ends with a warning saying so.
	waitWarning time.Duration
	// tenant is the host and entity the client talks to, which the
	// tenant guard compares with what each set recorded.
	tenant *providerTenant
	// acrossSets is the state of the prefix rule across sets in this
	// provider process (prefix_rules_across_sets.go).
	acrossSets *acrossSets
}

// defaultWaitWarning is providerData.waitWarning in real use.
const defaultWaitWarning = time.Minute

// dataFrom takes what the provider configured; nil while the provider is
// not configured yet (validation, or a deferred configuration).
func dataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; please report this bug", data))
	}
	return pd
}

// configured reports a missing client as an error instead of a panic.
func configured(client *zuora.Client, diags *diag.Diagnostics) bool {
	if client == nil {
		diags.AddError("Provider not configured",
			"The Zuora provider was not configured before use. This is a bug: please report it.")
		return false
	}
	return true
}
