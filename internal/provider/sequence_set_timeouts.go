package provider

import (
	"context"
	"fmt"
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
// Zuora's limits ends with a warning that says so (operation.go).

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
