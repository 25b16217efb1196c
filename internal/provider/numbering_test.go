package provider

import (
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

func TestReservedPrefixesAllowedOnlyForDEFAULT(t *testing.T) {
	set := zuora.SequenceSet{
		Name:       "DEFAULT",
		Invoice:    &zuora.Numbering{Prefix: "INV", StartNumber: 1},
		CreditMemo: &zuora.Numbering{Prefix: "CM", StartNumber: 1},
		DebitMemo:  &zuora.Numbering{Prefix: "DM", StartNumber: 1},
		Payment:    &zuora.Numbering{Prefix: "P-", StartNumber: 1},
		Refund:     &zuora.Numbering{Prefix: "R-", StartNumber: 1},
	}
	if got := reservedPrefixProblems(set); len(got) != 0 {
		t.Fatalf("the built-in DEFAULT set (as imported or generated) must validate, got %v", got)
	}
	set.Name = "EU"
	got := reservedPrefixProblems(set)
	if len(got) != 2 || got[0].attr != "payment" || got[1].attr != "refund" {
		t.Fatalf("reserved prefixes of another set: %+v, want payment and refund refused", got)
	}
}
