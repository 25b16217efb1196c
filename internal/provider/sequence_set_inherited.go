package provider

import (
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The inherited payment/refund mode. The contract leaves open whether
// Zuora's GET shows payment and refund for a set created without them; when
// it does, it shows the DEFAULT set's (P- and R-, start 1) although the set
// stores none. Two things follow:
//
//   - A container whose prefix changes is sent whole, prefix and
//     start_number: Zuora requires both for a container the set does not
//     store, and a new prefix has issued no numbers, so sending the start
//     number with it costs nothing.
//   - The reserved-prefix rule applies to a payment or refund prefix only
//     when it would be sent: reserved_prefix.go.

// withStartNumber completes the patch of a container whose prefix changes.
func withStartNumber(p *zuora.NumberingPatch, after *zuora.Numbering) {
	if p.Prefix != nil && p.StartNumber == nil {
		n := after.StartNumber
		p.StartNumber = &n
	}
}

// documentTypeOf is the document type of a Terraform attribute name.
func documentTypeOf(attr string) documentType {
	for _, dt := range documentTypes {
		if dt.attr == attr {
			return dt
		}
	}
	return documentType{attr: attr}
}
