package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The credentials check of the provider's Configure. A plan with nothing
// to refresh (only new sets) would otherwise never reach Zuora, and a
// wrong client secret or host would pass the review's plan and fail the
// merge's apply. So, unless skip_credentials_validation is set, Configure
// obtains the client's OAuth token: the one request proves the host and
// the credentials, its scope says which entity the requests work on, and
// every later request of the process reuses the token.

// checkCredentials obtains client's token; its diagnostics name the
// credentials Zuora refused or the host that did not answer.
func checkCredentials(ctx context.Context, client *zuora.Client, settings zuora.Config) (zuora.TokenScope, diag.Diagnostics) {
	var diags diag.Diagnostics
	scope, err := client.TokenScope(ctx)
	if err == nil {
		return scope, diags
	}
	const skip = " To plan without reaching Zuora, set skip_credentials_validation = true in the provider block."
	var te *zuora.TokenError
	if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusBadRequest || te.StatusCode == http.StatusForbidden) {
		diags.AddAttributeError(path.Root("client_secret"), "Zuora refused the provider's credentials",
			fmt.Sprintf("Zuora at %s refused the OAuth client credentials: client_id (or %s) and client_secret (or %s) "+
				"must be those of an OAuth client of this tenant, and host or environment must be its environment.\n\n%v",
				client.BaseURL(), envClientID, envClientSecret, err))
		return scope, diags
	}
	diags.AddAttributeError(path.Root("host"), "Cannot reach Zuora at "+client.BaseURL(),
		fmt.Sprintf("The provider could not obtain its OAuth token from %s (set by %s), so no plan can be made "+
			"against it.\n\n%v\n\n%s", client.BaseURL(), settings.HostSetting, err, skip))
	return scope, diags
}
