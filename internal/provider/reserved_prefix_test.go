package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// TestReservedPrefixRule runs the cases of the table in reserved_prefix.go,
// one by one, through the function that decides each.
func TestReservedPrefixRule(t *testing.T) {
	n := func(prefix string, start int64) *zuora.Numbering {
		return &zuora.Numbering{Prefix: prefix, StartNumber: start}
	}
	set := func(name string, inv, pay *zuora.Numbering) zuora.SequenceSet {
		return zuora.SequenceSet{ID: "402892c74c9193cd014c96bbe7c101f9", Name: name, Invoice: inv,
			CreditMemo: n("RCM", 1), DebitMemo: n("RDM", 1), Payment: pay}
	}
	ptr := func(s zuora.SequenceSet) *zuora.SequenceSet { return &s }
	own := n("RINV", 1)
	cases := []struct {
		name        string
		state, plan *zuora.SequenceSet // state nil: create
		inConfig    bool               // decided by ValidateConfig (reservedInConfig), else by ModifyPlan (reservedToSend)
		want        string             // "" for allowed, else a part of the error
	}{
		{name: "DEFAULT keeps its own", plan: ptr(set("DEFAULT", own, n("P-", 1))), state: ptr(set("DEFAULT", own, n("P-", 1)))},
		{name: "DEFAULT created", plan: ptr(set("DEFAULT", n("TMP-INV-", 1), n("P-", 1))), inConfig: true},
		{name: "invoice reserved", plan: ptr(set("EU", n("TMP-INV-", 1), nil)), inConfig: true, want: `invoice.prefix "TMP-INV-" is reserved`},
		{name: "payment reserved on create", plan: ptr(set("EU", own, n("P-", 1))), want: `payment.prefix "P-" is reserved`},
		{name: "payment changed to reserved", state: ptr(set("EU", own, n("EUP-", 1))), plan: ptr(set("EU", own, n("PM-", 1))), want: `payment.prefix "PM-" is reserved`},
		{name: "inherited prefix kept", state: ptr(set("EU", own, n("P-", 1))), plan: ptr(set("EU", own, n("P-", 1)))},
		{name: "inherited prefix, start changed", state: ptr(set("EU", own, n("P-", 1))), plan: ptr(set("EU", own, n("P-", 5))), want: "a payment prefix of its own"},
		{name: "own prefix, start changed", state: ptr(set("EU", own, n("EUP-", 1))), plan: ptr(set("EU", own, n("EUP-", 5)))},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			if c.inConfig {
				for _, d := range reservedInConfig(*c.plan, c.plan.Name) {
					got = append(got, d.Detail())
				}
			} else {
				var state *sequenceSetModel
				if c.state != nil {
					m := modelFromAPI(*c.state)
					state = &m
				}
				for _, d := range reservedToSend(ctx, state, modelFromAPI(*c.plan)) {
					got = append(got, d.Detail())
				}
			}
			switch {
			case c.want == "" && len(got) != 0:
				t.Fatalf("refused: %q", got)
			case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want) || !strings.HasPrefix(got[0], "Sequence set EU")):
				t.Fatalf("got %q, want one error naming the set with %q", got, c.want)
			}
		})
	}
	// A name not known until apply: nothing is decided yet.
	unknown := modelFromAPI(set("EU", own, n("P-", 1)))
	unknown.Name = types.StringUnknown()
	if d := reservedToSend(ctx, nil, unknown); len(d) != 0 {
		t.Fatalf("decided with the name unknown: %v", d)
	}
}
