package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The timeouts block of zuora_sequence_set: each operation gets a deadline,
// which the client never waits past (a wait for Zuora's limits that would
// end later fails at once), and an operation that spent long waiting for
// Zuora's limits ends with a warning that says so.

// Default deadlines of the operations: long enough to ride out Zuora's
// longest usual waits (a concurrency refusal asks for 120 s, a rate window
// lasts a minute) several times over, short enough that a tenant whose daily
// quota is spent fails the apply instead of holding it for hours.
const (
	defaultCreateTimeout = 20 * time.Minute
	defaultReadTimeout   = 20 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

var timeoutOpts = timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}

// timeoutsBlock is the resource's `timeouts` block.
func timeoutsBlock(ctx context.Context) schema.Block {
	b := timeouts.Block(ctx, timeoutOpts)
	if nb, ok := b.(schema.SingleNestedBlock); ok {
		nb.MarkdownDescription = fmt.Sprintf("How long each operation may take in all, as a duration such as `30m`: "+
			"`create`, `read`, `update` and `delete` (default %dm each). It bounds the whole operation: every attempt, "+
			"retry and wait for Zuora's rate and concurrency limits or a `Retry-After`. A wait that would end past "+
			"the deadline fails the operation at once, saying which limit and when it resets. Each attempt is "+
			"bounded apart by the provider's `request_timeout`.", int(defaultCreateTimeout.Minutes()))
		return nb
	}
	return b
}

// nullTimeouts is the timeouts of a set no configuration speaks of
// (imported, listed).
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
}

// sequenceSetResourceModel is the resource's model: a set and its timeouts.
type sequenceSetResourceModel struct {
	sequenceSetModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

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

// startOperation derives the operation's context from ctx and its timeout.
func startOperation(ctx context.Context, name string, t timeouts.Value) (context.Context, context.CancelFunc, *operation, diag.Diagnostics) {
	if t.IsNull() || t.IsUnknown() {
		t = nullTimeouts()
	}
	var limit time.Duration
	var diags diag.Diagnostics
	switch name {
	case "create":
		limit, diags = t.Create(ctx, defaultCreateTimeout)
	case "read":
		limit, diags = t.Read(ctx, defaultReadTimeout)
	case "update":
		limit, diags = t.Update(ctx, defaultUpdateTimeout)
	default:
		limit, diags = t.Delete(ctx, defaultDeleteTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	ctx, meter := zuora.WithWaitMeter(ctx)
	return ctx, cancel, &operation{name: name, limit: limit, meter: meter}, diags
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
