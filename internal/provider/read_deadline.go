package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// deadlineNote explains an error that is the read's deadline passing while
// it waited (a wait the client could not see the end of, such as a page of
// a listing shared with other reads): a bare "context deadline exceeded"
// says neither which deadline nor what held the read. A WaitError says
// both itself.
func (o *operation) deadlineNote(err error) string {
	var waitErr *zuora.WaitError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &waitErr) {
		return ""
	}
	held := "."
	if o.meter.Total() > 0 {
		held = fmt.Sprintf(", after waiting %s in all for Zuora's limits (%s).", o.meter.Total().Round(time.Second), o.meter.Summary())
	}
	return fmt.Sprintf("\n\nThe %s reached its deadline of %s%s The tenant's quota is shared by every pipeline and "+
		"integration that uses it: spread plans and applies out, or lower -parallelism.", o.name, shortDuration(o.limit), held)
}
