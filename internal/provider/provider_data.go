package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// clientFrom takes the client the provider configured; nil while the
// provider is not configured yet (validation, or a deferred configuration).
func clientFrom(providerData any, diags *diag.Diagnostics) *zuora.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*zuora.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *zuora.Client, got %T; please report this bug", providerData))
	}
	return client
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

// findOneByName finds the one set called name, through the client.
func findOneByName(ctx context.Context, client *zuora.Client, name string) (zuora.SequenceSet, error) {
	if client == nil {
		return zuora.SequenceSet{}, errors.New("the provider is not configured")
	}
	return client.ReadSequenceSetByName(ctx, name)
}
