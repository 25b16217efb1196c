package provider

import (
	"context"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The reads that have no timeouts block of their own (the data sources,
// ImportState, the list resource) get what the resource's Read has: the
// default read deadline, which no wait for Zuora's limits goes past (such
// a wait fails at once with zuora.WaitError), and the warning of a long
// wait.

// startRead derives the context of such a read, named what ("data source
// read", "import", "listing") in its warning.
func startRead(ctx context.Context, what string) (context.Context, context.CancelFunc, *operation) {
	ctx, cancel := context.WithTimeout(ctx, defaultReadTimeout)
	ctx, meter := zuora.WithWaitMeter(ctx)
	return ctx, cancel, &operation{name: what, limit: defaultReadTimeout, meter: meter, fixed: true}
}
