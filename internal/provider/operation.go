package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// One operation of the provider (a CRUD call of the resource, a data
// source's read, an import, a listing): its deadline, and the warning
// when it waited long for Zuora's limits. The resource's deadlines come
// from its timeouts block (sequence_set_timeouts.go); the fixed ones of the
// reads from read_deadline.go.

// operation is one CRUD call's context: its deadline and a meter of the
// time it waits for Zuora's limits.
type operation struct {
	name  string // "create", ...
	limit time.Duration
	meter *zuora.WaitMeter
	// fixed: no timeouts block sets the deadline (data sources, import,
	// the list resource); see read_deadline.go.
	fixed bool
	// subject names the set in the wait warning: the warnings of a count
	// or for_each's instances differ, and Terraform 1.16 keeps only one of
	// identical diagnostics of one block.
	subject string
}

// warnOfWaits adds a warning when the operation waited longer than
// threshold for Zuora's limits: the user sees it without TF_LOG.
func (o *operation) warnOfWaits(threshold time.Duration, diags *diag.Diagnostics) {
	total := o.meter.Total()
	if total <= threshold {
		return
	}
	advice := fmt.Sprintf("spread applies out, lower -parallelism, or raise the %s timeout (%s now) if waits like "+
		"this are expected.", o.name, shortDuration(o.limit))
	if o.fixed {
		advice = fmt.Sprintf("spread plans and applies out, or lower -parallelism (its deadline is %s).", shortDuration(o.limit))
	}
	what := o.name
	if o.subject != "" {
		what += " of sequence set " + o.subject
	}
	diags.AddWarning("Zuora's limits held this operation",
		fmt.Sprintf("The %s waited %s in all for Zuora's rate and concurrency limits (%s). The tenant's quota is "+
			"shared by every pipeline and integration that uses it: %s",
			what, total.Round(time.Second), o.meter.Summary(), advice))
}

// shortDuration spells a duration as a timeouts block would: 20m, not 20m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
